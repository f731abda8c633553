// Room drawing: sketch corrections with a finger or mouse on a canvas over the
// plan, then send the sketch (a PNG of the plan with the marks) and the text
// feedback for re-analysis. The text alone works too, from any input device.

const STROKE = "#c4161c";
const STROKE_CSS_PX = 3;

const sketch = document.querySelector("[data-sketch]");
const form = document.querySelector("[data-revise-form]");

if (sketch && form) {
  const canvas = sketch.querySelector("[data-sketch-canvas]");
  const plan = sketch.querySelector("[data-room-plan]");
  const tools = document.querySelector("[data-sketch-tools]");
  const toggle = tools.querySelector("[data-sketch-toggle]");
  const undo = tools.querySelector("[data-sketch-undo]");
  const clear = tools.querySelector("[data-sketch-clear]");
  const status = document.querySelector("[data-sketch-status]");
  const annotation = form.querySelector("input[name=annotationImage]");
  const ctx = canvas.getContext("2d");
  // Points are kept as fractions of the canvas, so a rotated phone redraws them in place.
  const strokes = [];
  let current = null;

  tools.hidden = false;

  function resize() {
    const box = canvas.getBoundingClientRect();
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.max(1, Math.round(box.width * ratio));
    canvas.height = Math.max(1, Math.round(box.height * ratio));
    redraw();
  }

  function path(target, stroke, width, height) {
    target.beginPath();
    stroke.forEach(([x, y], i) => (i ? target.lineTo(x * width, y * height) : target.moveTo(x * width, y * height)));
    if (stroke.length === 1) target.lineTo(stroke[0][0] * width + 0.1, stroke[0][1] * height);
    target.stroke();
  }

  function paint(target, width, height) {
    target.lineWidth = STROKE_CSS_PX * (width / canvas.getBoundingClientRect().width || 1);
    target.lineCap = "round";
    target.lineJoin = "round";
    target.strokeStyle = STROKE;
    for (const stroke of strokes) path(target, stroke, width, height);
  }

  function redraw() {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    paint(ctx, canvas.width, canvas.height);
  }

  function update() {
    undo.disabled = clear.disabled = strokes.length === 0;
    status.textContent = strokes.length
      ? `${strokes.length} mark${strokes.length === 1 ? "" : "s"} drawn. They are sent with your corrections.`
      : "";
  }

  function point(event) {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height];
  }

  function setDrawing(on) {
    sketch.classList.toggle("is-drawing", on);
    toggle.setAttribute("aria-pressed", String(on));
    toggle.textContent = on ? "Stop drawing" : "Draw on plan";
    status.textContent = on
      ? "Drawing: circle or draw what is wrong. The page does not scroll over the plan until you stop."
      : "";
    if (!on) update();
  }

  canvas.addEventListener("pointerdown", (event) => {
    if (!sketch.classList.contains("is-drawing")) return;
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    current = [point(event)];
    strokes.push(current);
    redraw();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!current) return;
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
    for (const each of events.length ? events : [event]) current.push(point(each));
    redraw();
  });
  for (const type of ["pointerup", "pointercancel"]) {
    canvas.addEventListener(type, () => {
      current = null;
      update();
    });
  }

  toggle.addEventListener("click", () => setDrawing(!sketch.classList.contains("is-drawing")));
  undo.addEventListener("click", () => { strokes.pop(); redraw(); update(); });
  clear.addEventListener("click", () => { strokes.length = 0; redraw(); update(); toggle.focus(); });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && sketch.classList.contains("is-drawing")) setDrawing(false);
  });
  new ResizeObserver(resize).observe(canvas);

  // The plan as drawn on screen with the marks on top, as a PNG data URL.
  async function snapshot() {
    const out = document.createElement("canvas");
    out.width = canvas.width;
    out.height = canvas.height;
    const octx = out.getContext("2d");
    octx.fillStyle = "#fff";
    octx.fillRect(0, 0, out.width, out.height);
    const svg = plan.querySelector("svg");
    if (svg) {
      const frame = canvas.getBoundingClientRect();
      const box = svg.getBoundingClientRect();
      const scale = out.width / frame.width;
      const copy = svg.cloneNode(true);
      copy.setAttribute("width", String(box.width * scale));
      copy.setAttribute("height", String(box.height * scale));
      const url = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(copy)], { type: "image/svg+xml" }));
      try {
        const img = new Image();
        img.src = url;
        await img.decode();
        octx.drawImage(img, (box.left - frame.left) * scale, (box.top - frame.top) * scale);
      } finally {
        URL.revokeObjectURL(url);
      }
    }
    paint(octx, out.width, out.height);
    return out.toDataURL("image/png");
  }

  form.addEventListener("submit", async (event) => {
    annotation.value = "";
    if (strokes.length === 0) return;
    event.preventDefault();
    try {
      annotation.value = await snapshot();
    } catch {
      // The plan could not be drawn into the image: send the marks on white.
      const out = document.createElement("canvas");
      out.width = canvas.width;
      out.height = canvas.height;
      const octx = out.getContext("2d");
      octx.fillStyle = "#fff";
      octx.fillRect(0, 0, out.width, out.height);
      paint(octx, out.width, out.height);
      annotation.value = out.toDataURL("image/png");
    }
    form.submit(); // no second submit event: the sketch is attached now
  });
}
