import { followEvents, statusLabel } from "./live.js";

const table = document.querySelector("[data-live-jobs]");
// A job that starts while the page is open, named by its product until the next reload names it fully.
const PRODUCT_JOBS = { staging: "Staging a room photo", floorplans: "Floor plan work", catalog: "Analysing product photos",
  designs: "Generating a design", personas: "Persona content" };
const jobName = (kind) => PRODUCT_JOBS[(kind || "").split(".")[0].split("_")[0]] || "New job";
if (table) {
  const body = table.querySelector("tbody");
  const live = document.querySelector("[data-live-status]");

  function rowFor(event) {
    let row = body.querySelector(`tr[data-job-id="${event.job_id}"]`);
    if (!row) {
      body.querySelector("tr.empty")?.remove();
      row = document.createElement("tr");
      row.dataset.jobId = event.job_id;
      const link = document.createElement("a");
      link.href = `/jobs/${event.job_id}/`;
      link.textContent = jobName(event.kind);
      const status = document.createElement("span");
      status.dataset.field = "status";
      const progress = document.createElement("progress");
      progress.max = 1;
      progress.dataset.field = "progress";
      progress.setAttribute("aria-label", "Job progress");
      for (const content of [link, status, progress, document.createTextNode("just now")]) {
        const cell = document.createElement("td");
        cell.append(content);
        row.append(cell);
      }
      body.prepend(row);
    }
    return row;
  }

  followEvents("/ws/user", {
    onEvent(event) {
      const row = rowFor(event);
      const status = row.querySelector('[data-field="status"]');
      if (event.type !== "step_update") {
        status.textContent = statusLabel(event.status);
        status.className = `status status-${event.status}`;
      }
      if (typeof event.fraction === "number") row.querySelector('[data-field="progress"]').value = event.fraction;
    },
    onState(state) { live.textContent = state === "live" ? "Live" : state === "reconnecting" ? "Reconnecting…" : ""; },
  });
}
