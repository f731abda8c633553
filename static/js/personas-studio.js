// Content studio: follow each running generation's job live; when one ends,
// reload so the review queue shows what it made (the page is the source of truth).
import { RECONNECTING, followEvents, isTerminal, showStep, statusLabel } from "./live.js";

const live = document.querySelector("[data-live-status]");
const running = document.querySelectorAll("[data-generation][data-job]");
let open = running.length;

for (const card of running) {
  const status = card.querySelector('[data-field="status"]');
  const progress = card.querySelector('[data-field="progress"]');
  const steps = card.querySelector("[data-steps]");
  followEvents(`/ws/jobs/${card.dataset.job}`, {
    onEvent(event) {
      if (event.step) showStep(steps, event, statusLabel(event.step));
      if (typeof event.fraction === "number") progress.value = event.fraction;
      if (event.type === "job_started") status.textContent = "Processing";
      if (isTerminal(event)) {
        status.textContent = statusLabel(event.status);
        live.textContent = event.type === "job_complete"
          ? "Generation finished; loading the review queue…"
          : `Generation ${event.status}: ${event.data?.message || ""}`;
      }
    },
    onState(state, code) {
      if (state === "reconnecting") live.textContent = RECONNECTING;
      if (state !== "closed") return;
      if (code !== 1000) {
        // Refused (signed out, too many open tabs): say so rather than reloading in a loop.
        live.textContent = "Live progress is unavailable; reload the page to see the latest state.";
        return;
      }
      open -= 1;
      if (open === 0) setTimeout(() => location.reload(), 400);
    },
  });
}
