// The character form's trait sliders: the number in each label follows its slider while it moves.
for (const output of document.querySelectorAll("output[data-trait-value]")) {
  const input = document.getElementById(output.getAttribute("for"));
  if (!input) continue;
  const show = () => { output.value = Number(input.value).toFixed(1); };
  input.addEventListener("input", show);
  show();
}
