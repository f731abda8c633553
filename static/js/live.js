// Follow a job event stream over WebSocket, reconnecting with a replay cursor.
// The server replays every stored event after `after`, so a page that
// reconnects (or reloads) never misses or repeats a message.

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
