// Live progress of stagings. The server renders the current state, so a
// reload is always correct; these streams only move it forward.
//
// Detail page: one job's stream (/ws/jobs/<id>, replayed from the start).
// Batch page: the user's stream (/ws/user, new events only) filtered to the
// batch's jobs; after connecting, and when a photo finishes, the rows are
// refreshed from the server so nothing that happened in between is missed.

import { RECONNECTING, followEvents, isTerminal, percent, showFraction } from "./live.js";

const STATES = { completed: "Done", running: "Working…", failed: "Failed", pending: "Waiting" };

function followStaging(card) {
  const steps = card.querySelector("[data-steps]");
  const live = card.querySelector("[data-live]");
  const title = card.querySelector("h2");
  const badge = document.querySelector(".page-head [data-status]");
  // Events up to this id were already reflected in the page the server rendered.
  const after = Number(card.dataset.after) || 0;

  function showStep(event) {
    let row = steps.querySelector(`[data-step="${CSS.escape(event.step)}"]`);
    if (!row) {
      row = document.createElement("li");
      row.dataset.step = event.step;
      row.innerHTML = '<span class="step-icon" aria-hidden="true"></span><span class="step-label"></span>'
        + '<span class="step-state" data-state></span>';
      row.querySelector(".step-label").textContent = event.step.replace(/_/g, " ");
      steps.append(row);
    }
    row.className = `step is-${event.status}`;
    const attempt = event.image_id && event.image_id !== "1" ? ` (attempt ${event.image_id})` : "";
    row.querySelector("[data-state]").textContent = `${STATES[event.status] || event.status}${attempt}`;
    if (event.status === "running") live.textContent = `${row.querySelector(".step-label").textContent}${attempt}…`;
  }

  followEvents(`/ws/jobs/${card.dataset.stagingJob}`, {
    after,
    onEvent(event) {
      if (typeof event.fraction === "number") showFraction(card, event.fraction);
      if (event.type === "job_started" && badge) {
        badge.textContent = "Processing";
        badge.className = "badge badge-processing";
        title.textContent = "Staging in progress";
      }
      if (event.type === "step_update" && event.step) showStep(event);
      if (isTerminal(event) && event.event_id > after) {
        live.textContent = event.type === "job_complete" ? "Finished. Loading the result…" : "The staging stopped.";
        location.reload();
      }
    },
    onState(state) {
      if (state === "reconnecting") live.textContent = RECONNECTING;
    },
  });
}

function followBatch(summary) {
  const list = document.querySelector("[data-batch-items]");
  const live = summary.querySelector("[data-live]");
  const labels = JSON.parse(document.getElementById("step-labels")?.textContent || "{}");
  const rowOf = (jobId) => list.querySelector(`li[data-job="${CSS.escape(jobId)}"]`);
  let timer = null;

  function overall() {
    const rows = [...list.querySelectorAll("li[data-job]")];
    const sum = rows.reduce((total, row) => total + (Number(row.dataset.progress) || 0), 0);
    showFraction(summary, rows.length ? sum / rows.length : 0);
  }

  // Fetch this page again and take the rows whose status moved on, and the summary.
  async function refresh() {
    const response = await fetch(location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" });
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    let finishedRows = 0;
    for (const row of fresh.querySelectorAll("[data-batch-items] li[data-job]")) {
      const current = rowOf(row.dataset.job);
      if (!current || current.dataset.status === row.dataset.status) continue;
      current.replaceWith(document.importNode(row, true));
      if (["completed", "failed"].includes(row.dataset.status)) finishedRows += 1;
    }
    const freshSummary = fresh.querySelector("[data-batch]");
    for (const part of ["h2", "[data-summary-text]"]) {
      const target = summary.querySelector(part);
      const source = freshSummary?.querySelector(part);
      if (target && source) target.innerHTML = source.innerHTML;
    }
    const counts = freshSummary?.querySelector("[data-counts]")?.textContent.trim();
    if (freshSummary?.dataset.finished === "true") live.textContent = "All photos in this batch are finished.";
    else if (finishedRows && counts) live.textContent = counts;
    overall();
  }

  function refreshSoon() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  }

  followEvents("/ws/user", {
    onEvent(event) {
      const row = rowOf(event.job_id);
      if (!row) return;
      if (typeof event.fraction === "number") {
        row.dataset.progress = String(event.fraction);
        const bar = row.querySelector("[data-bar]");
        if (bar) bar.style.width = percent(event.fraction);
        overall();
      }
      const stepText = row.querySelector("[data-step]");
      if (event.type === "step_update" && event.status === "running" && stepText) {
        stepText.textContent = `${labels[event.step] || event.step}…`;
      }
      if (event.type === "job_started" && row.dataset.status === "queued") refreshSoon();
      if (isTerminal(event)) refreshSoon();
    },
    onState(state) {
      if (state === "live") refreshSoon();
      if (state === "reconnecting") live.textContent = RECONNECTING;
    },
  });
}

const card = document.querySelector("[data-staging-job]");
if (card && card.dataset.finished !== "true") followStaging(card);

const summary = document.querySelector("[data-batch]");
if (summary && summary.dataset.finished !== "true") followBatch(summary);
