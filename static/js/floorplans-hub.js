// Session hub: the room name field only matters for rooms of type "Other";
// other rooms are numbered (Bedroom#1). Without JavaScript it stays visible.

const form = document.querySelector("[data-room-form]");
if (form) {
  const type = form.querySelector("select[name=type]");
  const field = form.querySelector("[data-custom-label]");
  const input = field.querySelector("input");
  const sync = () => {
    const other = type.value === "other";
    field.hidden = !other;
    input.required = other;
  };
  type.addEventListener("change", () => {
    sync();
    if (type.value === "other") input.focus();
  });
  sync();
}

// On a narrow screen the steps scroll sideways; bring the current one into view.
const stepper = document.querySelector("[data-stepper]");
const current = stepper?.querySelector("[aria-current]")?.closest("li");
if (stepper && current && stepper.scrollWidth > stepper.clientWidth) {
  stepper.scrollLeft = current.offsetLeft - (stepper.clientWidth - current.offsetWidth) / 2;
}
