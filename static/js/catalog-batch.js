// Batch page: follow the job's stream; each photo's row changes status as its
// steps run, and the page reloads once the job ends so the results, the
// exports and the retry button match the server.

import { RECONNECTING, followEvents, isTerminal, showFraction } from "./live.js";

const summary = document.querySelector("[data-batch]");

if (summary && summary.dataset.finished !== "true") {
  const live = summary.querySelector("[data-live]");
  const labels = JSON.parse(document.getElementById("step-labels")?.textContent || "{}");
  const after = Number(summary.dataset.after) || 0;
  followEvents(`/ws/jobs/${summary.dataset.batch}`, {
    after,
    onEvent(event) {
      if (typeof event.fraction === "number") showFraction(summary, event.fraction);
      const row = event.image_id && document.querySelector(`tr[data-item="${CSS.escape(event.image_id)}"]`);
      if (row && event.type === "step_update" && event.status === "running") {
        row.querySelector("[data-item-status]").textContent = `${labels[event.step] || event.step}…`;
      }
      if (isTerminal(event) && event.event_id > after) {
        live.textContent = event.type === "job_complete" ? "Finished. Loading the results…" : "The job stopped.";
        location.reload();
      }
    },
    onState(state) {
      if (state === "reconnecting") live.textContent = RECONNECTING;
    },
  });
}
