// Every page: the phone menu and table labels. Without JavaScript the menu is
// simply open and tables scroll inside their card; nothing is lost.
document.documentElement.classList.add("js");

// Phones: the main navigation collapses behind a Menu button (CSS hides it below 720 px).
const toggle = document.querySelector("[data-menu-toggle]");
if (toggle) {
  const topbar = toggle.closest(".topbar");
  toggle.hidden = false;
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    topbar.classList.toggle("menu-open", open);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && topbar.classList.contains("menu-open")) {
      toggle.setAttribute("aria-expanded", "false");
      topbar.classList.remove("menu-open");
      toggle.focus();
    }
  });
}

// Below 600 px tables become stacked cards: each cell says which column it is (CSS shows data-label).
for (const table of document.querySelectorAll("main table")) {
  const headers = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
  if (!headers.length) continue;
  table.classList.add("stackable");
  for (const row of table.querySelectorAll("tbody tr")) {
    [...row.children].forEach((cell, index) => {
      // A cell spanning the row ("No jobs yet") is a message, not one column's value.
      if (cell.colSpan > 1 || !headers[index] || cell.hasAttribute("data-label")) return;
      cell.setAttribute("data-label", headers[index]);
    });
  }
}
