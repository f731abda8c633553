// Floor plan pages: a form that takes a while says so, and an error the server
// sent back gets focus so it is seen on a phone and read by screen readers.

const announcer = document.createElement("p");
announcer.className = "visually-hidden";
announcer.setAttribute("aria-live", "polite");
document.body.append(announcer);

for (const form of document.querySelectorAll("form[data-busy]")) {
  form.addEventListener("submit", (event) => {
    const button = event.submitter || form.querySelector("button[type=submit]");
    if (!button) return;
    button.dataset.label ??= button.textContent;
    // Disabled after the browser has collected the form's fields, so the
    // button's own name and value still go with the request.
    setTimeout(() => {
      button.disabled = true;
      button.textContent = form.dataset.busy;
      form.setAttribute("aria-busy", "true");
      announcer.textContent = form.dataset.busy;
    });
  });
}

// Back/forward cache: a restored page must not keep a disabled button.
window.addEventListener("pageshow", () => {
  for (const button of document.querySelectorAll("form[data-busy] button[data-label]")) {
    button.disabled = false;
    button.textContent = button.dataset.label;
    button.closest("form").removeAttribute("aria-busy");
  }
});

// A banner the server marked, else the first field it found invalid.
const problem = document.querySelector("[data-focus]") || document.querySelector("main [aria-invalid=true]");
if (problem) {
  problem.focus({ preventScroll: true });
  problem.scrollIntoView({ block: "center" });
}

// Opening rows: the rows in use and one blank row show; "Add another opening"
// shows the next. Without JavaScript every row shows.
const rows = document.querySelector("[data-opening-rows]");
const addRow = document.querySelector("[data-add-opening]");
if (rows && addRow) {
  const blank = (row) => !row.querySelector(".has-error")
    && [...row.querySelectorAll("input, select")].every((field) => field.value === "");
  let firstBlankSeen = false;
  for (const row of rows.children) {
    if (!blank(row)) continue;
    row.hidden = firstBlankSeen;
    firstBlankSeen = true;
  }
  const sync = () => { addRow.hidden = !rows.querySelector(":scope > li[hidden]"); };
  addRow.addEventListener("click", () => {
    const next = rows.querySelector(":scope > li[hidden]");
    if (!next) return;
    next.hidden = false;
    next.querySelector("select, input")?.focus();
    sync();
  });
  sync();
}
