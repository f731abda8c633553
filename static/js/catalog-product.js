// Product page: drag and drop many photos, each uploaded on its own with its
// upload progress, then its analysis followed over the job's WebSocket stream.
// When an analysis ends, that photo's card is fetched again from the server, so
// the page shows exactly what a reload would. Without JavaScript the form
// still uploads one photo at a time.

import { RECONNECTING, followEvents, isTerminal, percent, showFraction } from "./live.js";
import { attachDropzone } from "./uploader.js";

const UPLOAD_SHARE = 0.3; // of a photo's bar: the rest is its analysis
const PARALLEL = 2;

const form = document.querySelector("[data-photo-form]");
const zone = form?.querySelector("[data-dropzone]");
const input = zone?.querySelector("input[type=file]");
const list = document.querySelector("[data-uploads]");
const images = document.querySelector("[data-images]");
const live = document.querySelector("[data-live]");
const overall = document.querySelector("[data-overall]");
const labels = JSON.parse(document.getElementById("step-labels")?.textContent || "{}");
const tracked = new Map(); // key -> { fraction, text, done, analysed }
const uploaded = new Map(); // image id -> the entry of its upload row

function updateOverall() {
  if (!overall || tracked.size === 0) return;
  overall.hidden = false;
  const values = [...tracked.values()];
  const fraction = values.reduce((sum, entry) => sum + entry.fraction, 0) / values.length;
  overall.querySelector("[data-overall-bar]").value = fraction;
  overall.querySelector("[data-overall-percent]").textContent = percent(fraction);
  const done = values.filter((entry) => entry.done).length;
  if (done < values.length) return;
  // Count what was analysed, not what was sent: a refused or stopped photo is said apart.
  const analysed = values.filter((entry) => entry.analysed).length;
  const plural = (n) => `${n} photo${n === 1 ? "" : "s"}`;
  live.textContent = analysed === values.length ? `All ${plural(analysed)} analysed.`
    : `${plural(analysed)} of ${values.length} analysed; ${plural(values.length - analysed)} could not be.`;
}

function setProgress(root, fraction, text) {
  showFraction(root, fraction);
  if (text) root.querySelector("[data-step]").textContent = text;
}

// Take the photo's card from a fresh copy of this page.
async function refreshCard(imageId) {
  const response = await fetch(location.pathname, { headers: { Accept: "text/html" }, credentials: "same-origin" });
  if (!response.ok) return;
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
  const card = fresh.querySelector(`[data-image="${CSS.escape(imageId)}"]`);
  if (!card) return;
  const current = images.querySelector(`[data-image="${CSS.escape(imageId)}"]`);
  const node = document.importNode(card, true);
  if (current) current.replaceWith(node);
  else images.append(node);
  images.querySelector("[data-no-images]")?.remove();
  // One figure per photo: a card fetched mid-analysis starts at its upload row's figure, not at 0 %.
  const entry = uploaded.get(imageId);
  const block = node.querySelector("[data-progress-block]");
  if (entry && block) setProgress(block, entry.fraction, entry.text);
  // The header's category as the analysis left it (the status is the owner's; it does not move).
  const summary = fresh.querySelector("[data-product-summary]");
  if (summary) document.querySelector("[data-product-summary]")?.replaceWith(document.importNode(summary, true));
  // The analysis may have filled the category: show it in the form unless
  // the user has edited that field (its hidden initial differs).
  for (const name of ["category"]) {
    const field = document.querySelector(`.product-form [name="${name}"]`);
    const seen = document.querySelector(`.product-form [name="initial-${name}"]`);
    const now = fresh.querySelector(`.product-form [name="${name}"]`);
    if (field && seen && now && field.value === seen.value) {
      field.value = now.value;
      seen.value = now.value;
    }
  }
}

// Follow one analysis job; `report(fraction, text)` moves the photo's bars.
function followJob(jobId, imageId, report, entry) {
  followEvents(`/ws/jobs/${jobId}`, {
    onEvent(event) {
      if (event.image_id && event.image_id !== imageId) return;
      const text = event.type === "step_update" && event.status === "running"
        ? `${labels[event.step] || event.step}…` : null;
      if (typeof event.fraction === "number") report(event.fraction, text);
      else if (text) report(null, text);
      if (isTerminal(event)) {
        entry.done = true;
        entry.analysed = event.type === "job_complete";
        // Before report(): when this was the last photo, updateOverall's summary must be the last word.
        live.textContent = event.type === "job_complete" ? "A photo's analysis is ready." : "A photo's analysis stopped.";
        report(1, event.type === "job_complete" ? "Analysed" : "Stopped");
        refreshCard(imageId);
      }
    },
    onState(state) {
      if (state === "reconnecting") live.textContent = RECONNECTING;
    },
  });
}

function uploadOne(file) {
  const item = document.createElement("li");
  item.className = "upload";
  item.innerHTML = '<div class="progress-head"><span class="upload-name"></span><span data-percent>0%</span></div>'
    + '<progress max="1" value="0" data-bar></progress><small data-step>Uploading…</small>';
  item.querySelector(".upload-name").textContent = file.name;
  item.querySelector("[data-bar]").setAttribute("aria-label", `Progress of ${file.name}`);
  list.append(item);
  const entry = { fraction: 0, done: false };
  tracked.set(item, entry);
  updateOverall();

  const report = (fraction, text) => {
    if (fraction !== null) entry.fraction = fraction;
    if (text) entry.text = text;
    setProgress(item, entry.fraction, text);
    updateOverall();
  };

  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    const body = new FormData();
    body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    body.append("file", file);
    request.open("POST", form.action);
    request.setRequestHeader("Accept", "application/json");
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) report(UPLOAD_SHARE * event.loaded / event.total, null);
    });
    request.addEventListener("load", () => {
      let data = {};
      try { data = JSON.parse(request.responseText); } catch { data = { detail: "The server did not answer." }; }
      if (request.status === 200) {
        report(UPLOAD_SHARE, "Uploaded, waiting for analysis…");
        uploaded.set(data.image_id, entry);
        refreshCard(data.image_id);
        followJob(data.job_id, data.image_id, (fraction, text) => {
          report(fraction === null ? null : UPLOAD_SHARE + (1 - UPLOAD_SHARE) * fraction, text);
          // One figure per photo: the photo's card below shows the same progress as its upload row.
          const block = images.querySelector(`[data-image="${CSS.escape(data.image_id)}"] [data-progress-block]`);
          if (block) setProgress(block, entry.fraction, text);
        }, entry);
      } else {
        entry.done = true;
        item.classList.add("has-problem");
        report(0, data.detail || "Upload failed.");
        item.querySelector("[data-step]").setAttribute("role", "alert");
      }
      resolve();
    });
    request.addEventListener("error", () => {
      entry.done = true;
      item.classList.add("has-problem");
      report(0, "Upload failed: the connection dropped.");
      resolve();
    });
    request.send(body);
  });
}

async function uploadAll(files) {
  if (!files.length) return;
  live.textContent = `Uploading ${files.length} photo${files.length > 1 ? "s" : ""}…`;
  const queue = [...files];
  const workers = Array.from({ length: Math.min(PARALLEL, queue.length) }, async () => {
    while (queue.length) await uploadOne(queue.shift());
  });
  await Promise.all(workers);
  input.value = "";
}

if (zone) {
  // Choosing or dropping files uploads them; the button is only for pages without JavaScript
  // (pressing it after choosing sent each photo a second time).
  form.querySelector("[data-upload-submit]").hidden = true;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    uploadAll([...input.files]);
  });
  attachDropzone(zone, { onFiles: uploadAll });
}

// Photos already being analysed when the page was rendered (a reload, or a re-run).
for (const card of document.querySelectorAll("[data-image][data-job]")) {
  const block = card.querySelector("[data-progress-block]");
  const entry = { fraction: 0, done: false };
  tracked.set(card, entry);
  followJob(card.dataset.job, card.dataset.image, (fraction, text) => {
    if (fraction !== null) entry.fraction = fraction;
    if (block) setProgress(block, entry.fraction, text);
    updateOverall();
  }, entry);
}
