// Before/after comparison: a native range input moves the divider (so the
// keyboard and screen readers work as they do with any slider), and pointer
// drags on the photo move the same input.

for (const figure of document.querySelectorAll("[data-compare]")) {
  const frame = figure.querySelector("[data-compare-frame]");
  const range = figure.querySelector("[data-compare-range]");

  function show(value) {
    const position = Math.min(100, Math.max(0, Number(value)));
    figure.style.setProperty("--pos", `${position}%`);
    range.setAttribute("aria-valuetext", `${Math.round(position)}% original, ${100 - Math.round(position)}% staged`);
  }

  function fromPointer(event) {
    const box = frame.getBoundingClientRect();
    range.value = String(Math.round(((event.clientX - box.left) / box.width) * 100));
    show(range.value);
  }

  range.addEventListener("input", () => show(range.value));
  frame.addEventListener("pointerdown", (event) => {
    frame.setPointerCapture(event.pointerId);
    frame.classList.add("is-dragging");
    fromPointer(event);
  });
  frame.addEventListener("pointermove", (event) => {
    if (frame.hasPointerCapture(event.pointerId)) fromPointer(event);
  });
  frame.addEventListener("pointerup", () => frame.classList.remove("is-dragging"));
  show(range.value);
}
