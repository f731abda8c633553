// Drag and drop onto a file input's drop zone, for every upload page (staging
// photos, catalog product photos). The input covers the zone, so without
// JavaScript choosing or dropping files still works; with it, files dropped
// or chosen go to `onFiles`, which decides what to do with them (add them to
// a selection, upload them at once).

export function attachDropzone(zone, { onFiles }) {
  const input = zone.querySelector("input[type=file]");
  const enabled = () => !input.matches(":disabled");

  input.addEventListener("change", () => onFiles([...input.files]));
  // A drop lands on the input; handling it here hands the page every dropped
  // file instead of letting the browser replace the input's selection.
  for (const type of ["dragenter", "dragover"]) {
    zone.addEventListener(type, (event) => {
      event.preventDefault();
      if (enabled()) zone.classList.add("is-dragging");
    });
  }
  for (const type of ["dragleave", "dragend"]) {
    zone.addEventListener(type, (event) => {
      if (!zone.contains(event.relatedTarget)) zone.classList.remove("is-dragging");
    });
  }
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("is-dragging");
    if (!enabled()) return;
    const dropped = [...(event.dataTransfer?.files || [])];
    if (dropped.length) onFiles(dropped);
  });
  return input;
}
