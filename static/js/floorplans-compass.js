// Room photos: the phone's compass heading goes with each photo, the photo is
// previewed, and a large one is shrunk before upload (seed 004: at most 1200 px
// on the long edge, JPEG 80 %). Everything is optional: without a compass or
// JavaScript the agent types the heading, or leaves it empty.

const MAX_EDGE = 1200;
const JPEG_QUALITY = 0.8;
const NAMES = ["north", "east", "south", "west"];
const READING_INTERVAL_MS = 250;
const NO_COMPASS_AFTER_MS = 3000;

const compass = document.querySelector("[data-compass]");
const reading = compass?.querySelector("[data-compass-reading]");
const start = compass?.querySelector("[data-compass-start]");
let heading = null;
let shownAt = 0;

const normalise = (degrees) => ((degrees % 360) + 360) % 360;
const nearest = (degrees) => NAMES[Math.round(normalise(degrees) / 90) % 4];
const apart = (a, b) => Math.abs(((a - b + 540) % 360) - 180);

// The direction the back of the phone (its camera) faces, from an absolute
// orientation. Held upright this is 360 - alpha; the tilt terms keep it right
// when the phone leans (W3C DeviceOrientation spec, "compass heading" example).
// Lying flat, the camera faces the floor, so the top edge's 360 - alpha is used.
function cameraHeading({ alpha, beta, gamma }) {
  if (beta === null || gamma === null || Math.abs(beta) < 25) return normalise(360 - alpha);
  const rad = Math.PI / 180;
  const [x, y, z] = [beta * rad, gamma * rad, alpha * rad];
  const vx = -Math.cos(z) * Math.sin(y) - Math.sin(z) * Math.sin(x) * Math.cos(y);
  const vy = -Math.sin(z) * Math.sin(y) + Math.cos(z) * Math.sin(x) * Math.cos(y);
  return normalise(Math.atan2(vx, vy) / rad);
}

function onOrientation(event) {
  if (typeof event.webkitCompassHeading === "number" && event.webkitCompassHeading >= 0) {
    heading = event.webkitCompassHeading; // iOS: degrees clockwise from north
  } else if (event.absolute && typeof event.alpha === "number") {
    heading = cameraHeading(event);
  } else {
    return; // relative orientation says nothing about north
  }
  compass.classList.add("is-on");
  const now = performance.now();
  if (now - shownAt > READING_INTERVAL_MS) {
    shownAt = now;
    reading.textContent = `Compass: ${Math.round(heading)}° (${nearest(heading)}). It is saved with each photo you take.`;
  }
}

function listen({ asked }) {
  const type = "ondeviceorientationabsolute" in window ? "deviceorientationabsolute" : "deviceorientation";
  window.addEventListener(type, onOrientation);
  setTimeout(() => {
    if (heading === null && asked) {
      reading.textContent = "No compass reading on this device. Type the headings if you know them; they are optional.";
    }
  }, NO_COMPASS_AFTER_MS);
}

if (compass) {
  compass.hidden = false;
  if (!window.DeviceOrientationEvent) {
    start.hidden = true;
    reading.textContent = "This browser gives no compass readings. Type the headings if you know them; they are optional.";
  } else if (typeof window.DeviceOrientationEvent.requestPermission === "function") {
    // iOS (and some others) ask once, and only from a tap. Where readings
    // flow without asking, the first one hides the button (.is-on).
    listen({ asked: false });
    reading.textContent = "Tap to let this page read the compass; the heading is saved with each photo.";
    start.addEventListener("click", async () => {
      try {
        const answer = await window.DeviceOrientationEvent.requestPermission();
        if (answer === "granted") {
          reading.textContent = "Looking for the compass…";
          listen({ asked: true });
        } else {
          reading.textContent = "Compass access was declined. Type the headings if you know them.";
        }
      } catch {
        reading.textContent = "The compass could not be started. Type the headings if you know them.";
      }
    });
  } else {
    start.hidden = true;
    reading.textContent = "Looking for the compass…";
    listen({ asked: true });
  }
}

async function shrink(file) {
  // Only photos too big for the long-edge limit; orientation is applied, EXIF dropped.
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const scale = MAX_EDGE / Math.max(bitmap.width, bitmap.height);
  if (scale >= 1) {
    bitmap.close();
    return null;
  }
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", JPEG_QUALITY));
  if (!blob) return null;
  return new File([blob], file.name.replace(/\.[^.]+$/, "") + ".jpg", { type: "image/jpeg", lastModified: Date.now() });
}

for (const card of document.querySelectorAll("[data-photo-card]")) {
  const input = card.querySelector("[data-photo-input]");
  const headingInput = card.querySelector("[data-heading-input]");
  const note = card.querySelector("[data-heading-note]");
  const frame = card.querySelector("[data-photo-frame]");
  const submit = card.querySelector("button[type=submit]");
  const facing = Number(card.dataset.heading);
  const direction = card.dataset.direction;
  let previewUrl = null;

  // A heading typed by hand is never overwritten by the compass.
  headingInput.addEventListener("input", () => { headingInput.dataset.typed = "true"; });

  input.addEventListener("change", async () => {
    const file = input.files[0];
    if (!file) return;
    const messages = [];
    let mismatch = false;
    if (heading !== null && !headingInput.dataset.typed) {
      headingInput.value = heading.toFixed(1);
      messages.push(`Heading ${Math.round(heading)}° recorded.`);
      mismatch = apart(heading, facing) > 45;
      if (mismatch) {
        messages.push(`That faces ${nearest(heading)}, not ${direction}: check you photographed the ${direction} wall.`);
      }
    }
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = URL.createObjectURL(file);
    const img = document.createElement("img");
    img.src = previewUrl;
    img.alt = `New ${direction} photo, not saved yet`;
    frame.replaceChildren(img);

    submit.disabled = true;
    try {
      const smaller = await shrink(file);
      if (smaller) {
        const transfer = new DataTransfer();
        transfer.items.add(smaller);
        input.files = transfer.files;
        messages.push(`Resized to ${MAX_EDGE} px for a faster upload.`);
      }
    } catch {
      // Not decodable here (e.g. HEIC on some browsers): upload it as it is; the server checks it.
    } finally {
      submit.disabled = false;
    }
    note.classList.toggle("is-warning", mismatch);
    note.textContent = messages.join(" ");
  });
}
