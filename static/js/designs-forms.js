// Designs pages: generating takes a moment (longer with a language model), so the form says so and
// cannot be sent twice; a field the server found invalid gets focus so it is seen and read out.

for (const form of document.querySelectorAll("form[data-design-form]")) {
  form.addEventListener("submit", () => {
    const button = form.querySelector("button[data-busy-text]");
    if (!button) return;
    button.dataset.label ??= button.textContent;
    // Disabled after the browser has collected the fields, so the request is unchanged.
    setTimeout(() => {
      button.disabled = true;
      button.textContent = button.dataset.busyText;
      form.setAttribute("aria-busy", "true");
    });
  });
}

// Back/forward cache: a restored page must not keep a disabled button.
window.addEventListener("pageshow", () => {
  for (const button of document.querySelectorAll("form[data-design-form] button[data-label]")) {
    button.disabled = false;
    button.textContent = button.dataset.label;
    button.closest("form").removeAttribute("aria-busy");
  }
});

const invalid = document.querySelector("form[data-design-form] [aria-invalid=true]");
invalid?.focus();
