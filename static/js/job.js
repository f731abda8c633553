import { followEvents, statusLabel } from "./live.js";

const card = document.querySelector("[data-job]");
if (card && card.dataset.finished !== "true") {
  const statusEl = card.querySelector('[data-field="status"]');
  const progressEl = card.querySelector('[data-field="progress"]');
  const steps = card.querySelector("[data-steps]");
  const live = card.querySelector("[data-live-status]");

  function showStep(event) {
    const id = event.image_id ? `${event.step}:${event.image_id}` : event.step;
    let row = steps.querySelector(`[data-step="${CSS.escape(id)}"]`);
    if (!row) {
      row = document.createElement("li");
      row.dataset.step = id;
      row.append(`${event.step}${event.image_id ? ` (${event.image_id})` : ""}: `, document.createElement("span"));
      steps.append(row);
    }
    row.className = `step-${event.status}`;
    row.querySelector("span").textContent = event.status;
  }

  followEvents(`/ws/jobs/${card.dataset.job}`, {
    onEvent(event) {
      if (event.step) showStep(event);
      if (typeof event.fraction === "number") progressEl.value = event.fraction;
      if (event.type === "job_started") statusEl.textContent = "Processing";
      if (["job_complete", "job_failed", "job_cancelled"].includes(event.type)) {
        statusEl.textContent = statusLabel(event.status);
        statusEl.className = `status status-${event.status}`;
        live.textContent = event.type === "job_failed" ? `Failed: ${event.data.message || ""}` : `Job ${event.status}.`;
      }
    },
    onState(state) { if (state === "reconnecting") live.textContent = "Connection lost, reconnecting…"; },
  });
}
