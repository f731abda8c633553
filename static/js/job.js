import { RECONNECTING, followEvents, isTerminal, showStep, statusLabel } from "./live.js";

const card = document.querySelector("[data-job]");
if (card && card.dataset.finished !== "true") {
  const statusEl = card.querySelector('[data-field="status"]');
  const progressEl = card.querySelector('[data-field="progress"]');
  const steps = card.querySelector("[data-steps]");
  const live = card.querySelector("[data-live-status]");

  followEvents(`/ws/jobs/${card.dataset.job}`, {
    onEvent(event) {
      if (event.step) showStep(steps, event);
      if (typeof event.fraction === "number") progressEl.value = event.fraction;
      if (event.type === "job_started") statusEl.textContent = "Processing";
      if (isTerminal(event)) {
        statusEl.textContent = statusLabel(event.status);
        statusEl.className = `status status-${event.status}`;
        live.textContent = event.type === "job_failed" ? `Failed: ${event.data.message || ""}` : `Job ${event.status}.`;
      }
    },
    onState(state) { if (state === "reconnecting") live.textContent = RECONNECTING; },
  });
}
