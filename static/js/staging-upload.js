// Upload page: drag and drop onto the photo area, previews of the chosen files,
// a remove button per photo, and a submit label that says what will happen.
// Without JavaScript the file input still works: it covers the drop area.

import { attachDropzone } from "./uploader.js";

const ACCEPTED = ["image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"];
const PREVIEWABLE = ["image/jpeg", "image/png", "image/webp"];

const form = document.querySelector("[data-upload-form]");
const zone = form?.querySelector("[data-dropzone]");

if (zone) {
  const input = zone.querySelector("input[type=file]");
  const previews = form.querySelector("[data-previews]");
  const summary = form.querySelector("[data-summary]");
  const submit = form.querySelector("[data-submit]");
  const maxBytes = Number(zone.dataset.maxBytes) || Infinity;
  let chosen = [];
  let objectUrls = [];

  const key = (file) => `${file.name}:${file.size}:${file.lastModified}`;

  function accepted(file) {
    // Some systems report HEIC with no type; trust the extension there.
    return ACCEPTED.includes(file.type) || (!file.type && /\.(heic|heif)$/i.test(file.name));
  }

  function setFiles(files) {
    const seen = new Set();
    chosen = files.filter((file) => !seen.has(key(file)) && seen.add(key(file)));
    const transfer = new DataTransfer();
    chosen.forEach((file) => transfer.items.add(file));
    input.files = transfer.files;
    render();
  }

  function sizeLabel(bytes) {
    return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
  }

  function render() {
    objectUrls.forEach((url) => URL.revokeObjectURL(url));
    objectUrls = [];
    previews.replaceChildren(...chosen.map((file, index) => {
      const item = document.createElement("li");
      item.className = "preview";
      const problem = !accepted(file) ? "Not a JPEG, PNG, WebP or HEIC photo" : file.size > maxBytes ? "Too large" : "";
      if (problem) item.classList.add("has-problem");
      if (PREVIEWABLE.includes(file.type)) {
        const img = document.createElement("img");
        const url = URL.createObjectURL(file);
        objectUrls.push(url);
        img.src = url;
        img.alt = "";
        item.append(img);
      } else {
        const placeholder = document.createElement("span");
        placeholder.className = "preview-placeholder";
        placeholder.textContent = (file.name.split(".").pop() || "file").toUpperCase();
        item.append(placeholder);
      }
      const caption = document.createElement("span");
      caption.className = "preview-caption";
      const name = document.createElement("span");
      name.className = "preview-name";
      name.textContent = file.name;
      const meta = document.createElement("small");
      meta.textContent = problem || sizeLabel(file.size);
      caption.append(name, meta);
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "preview-remove";
      remove.setAttribute("aria-label", `Remove ${file.name}`);
      remove.textContent = "×";
      remove.addEventListener("click", () => {
        setFiles(chosen.filter((_, i) => i !== index));
        (previews.querySelector(".preview-remove") || input).focus();
      });
      item.append(caption, remove);
      return item;
    }));
    const count = chosen.length;
    summary.textContent = count === 0 ? "" : count === 1
      ? "1 photo chosen. It will be staged on its own."
      : `${count} photos chosen. They will be staged together as one batch.`;
    submit.textContent = count > 1 ? `Stage ${count} photos` : "Stage photo";
  }

  // Files chosen or dropped add to the photos already chosen instead of replacing them.
  attachDropzone(zone, { onFiles: (files) => setFiles([...chosen, ...files]) });

  form.addEventListener("submit", () => {
    submit.disabled = true;
    submit.textContent = chosen.length > 1 ? "Uploading photos…" : "Uploading…";
  });
  // Back/forward cache: a restored page must not keep a disabled button.
  window.addEventListener("pageshow", () => { submit.disabled = false; render(); });

  if (input.files.length) setFiles([...input.files]);
  else render();
}
