// Live job progress: the one doorbell every page follows, and the one list of
// the events that end a job.
//
// followEvents opens a job's (or the user's) event stream over WebSocket and
// reconnects with a replay cursor. The server replays every stored event after
// `after`, so a page that reconnects (or reloads) never misses or repeats one.

// The events that end a job, whoever ends it (TERMINAL_EVENTS in config/jobs/choices.py).
export const TERMINAL_EVENTS = Object.freeze(["job_complete", "job_failed", "job_cancelled"]);

export const RECONNECTING = "Connection lost, reconnecting…";

export function isTerminal(event) {
  return TERMINAL_EVENTS.includes(event.type);
}

export function followEvents(path, { onEvent, onState, after = 0 }) {
  let cursor = after;
  let closedByServer = false;
  let retryDelay = 500;

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}${path}?after=${cursor}`);
    socket.addEventListener("open", () => { retryDelay = 500; onState?.("live"); });
    socket.addEventListener("message", (message) => {
      const event = JSON.parse(message.data);
      if (event.event_id) cursor = Math.max(cursor, event.event_id);
      onEvent(event);
    });
    socket.addEventListener("close", (close) => {
      // 1000: the job ended and the server closed the stream; 4xxx: refused.
      if (close.code === 1000 || close.code >= 4000) { closedByServer = true; onState?.("closed", close.code); return; }
      onState?.("reconnecting");
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 10000);
    });
  }
  connect();
  return { get closed() { return closedByServer; } };
}

export function statusLabel(status) {
  return status ? status.charAt(0).toUpperCase() + status.slice(1) : "";
}

// One row per step (and item) in `list`, showing the step's latest status.
export function showStep(list, event, name = event.step) {
  const id = event.image_id ? `${event.step}:${event.image_id}` : event.step;
  let row = list.querySelector(`[data-step="${CSS.escape(id)}"]`);
  if (!row) {
    row = document.createElement("li");
    row.dataset.step = id;
    row.append(`${name}${event.image_id ? ` (${event.image_id})` : ""}: `, document.createElement("span"));
    list.append(row);
  }
  row.className = `step-${event.status}`;
  row.querySelector("span").textContent = event.status;
}

export function percent(fraction) {
  return `${Math.round(Math.min(1, Math.max(0, fraction)) * 100)}%`;
}

// Move the progress shown inside `root`: a [data-bar] (a <progress>, or a bar
// whose width grows), its [data-percent] text and a screen-reader [data-progress].
export function showFraction(root, fraction) {
  const bar = root.querySelector("[data-bar]");
  if (bar instanceof HTMLProgressElement) bar.value = fraction;
  else if (bar) bar.style.width = percent(fraction);
  const label = root.querySelector("[data-percent]");
  if (label) label.textContent = percent(fraction);
  const progress = root.querySelector("progress[data-progress]");
  if (progress) progress.value = fraction;
}
