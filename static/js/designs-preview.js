// The 3D preview of a design spec: every object is a box (position = centre of its base, y up, metres)
// on a ground grid, with orbit controls. The page's json_script tags hold the spec ("design-spec") and
// each object's colour by the glTF export's rule ("design-colours"), so the preview matches the download.
// three.js comes from node_modules through the page's importmap.
import * as THREE from "three";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";

const GREY = 0x9aa0a6;
const BACKGROUND = 0xf3f4f7;
// Never draw a box thinner than a millimetre: a zero dimension would vanish.
const MIN_SIZE = 0.001;

const root = document.querySelector("[data-design-preview]");
const canvas = root?.querySelector("[data-preview-canvas]");
const note = root?.querySelector("[data-preview-note]");

function colourOf(object, colours) {
  if (colours[object.id]) return new THREE.Color(colours[object.id]);
  // Otherwise properties.color: a CSS colour name ("light grey" reads as lightgrey) or #rrggbb.
  const raw = String(object.properties?.color ?? "").trim().toLowerCase();
  const name = raw.replace(/[\s_-]/g, "");
  if (name in THREE.Color.NAMES) return new THREE.Color(THREE.Color.NAMES[name]);
  if (/^#([0-9a-f]{3}|[0-9a-f]{6})$/.test(raw)) return new THREE.Color(raw);
  return new THREE.Color(GREY);
}

function size(value) {
  const number = Number(value);
  return Number.isFinite(number) && number > MIN_SIZE ? number : MIN_SIZE;
}

function boxFor(object, colours) {
  const d = object.dimensions ?? {};
  const p = object.position ?? {};
  const [width, height, depth] = [size(d.width), size(d.height), size(d.depth)];
  const colour = colourOf(object, colours);
  const mesh = new THREE.Mesh(
    new THREE.BoxGeometry(width, height, depth),
    new THREE.MeshStandardMaterial({ color: colour, roughness: 0.8 }),
  );
  mesh.position.set(Number(p.x) || 0, (Number(p.y) || 0) + height / 2, Number(p.z) || 0);
  // Dark edges keep a white box readable against the light background, light edges a black one.
  const edgeColour = colour.getHSL({}).l > 0.5 ? 0x1c2230 : 0xd5d9e2;
  mesh.add(new THREE.LineSegments(new THREE.EdgesGeometry(mesh.geometry),
    new THREE.LineBasicMaterial({ color: edgeColour })));
  mesh.name = String(object.id ?? "");
  return mesh;
}

function extentOf(group, spec) {
  const box = new THREE.Box3().setFromObject(group);
  if (!box.isEmpty()) return box;
  // No objects: frame the scene's bounding box, standing on the ground at the origin.
  const b = spec.scene?.bounding_box ?? {};
  const [w, h, d] = [size(b.width || 1), size(b.height || 1), size(b.depth || 1)];
  return new THREE.Box3(new THREE.Vector3(-w / 2, 0, -d / 2), new THREE.Vector3(w / 2, h, d / 2));
}

function start(spec, colours) {
  const renderer = new THREE.WebGLRenderer({ canvas, antialias: true });
  renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(BACKGROUND);
  scene.add(new THREE.HemisphereLight(0xffffff, 0x8a8f99, 2));
  const sun = new THREE.DirectionalLight(0xffffff, 1.5);
  sun.position.set(3, 5, 4);
  scene.add(sun);

  const group = new THREE.Group();
  for (const object of spec.objects ?? []) group.add(boxFor(object, colours));
  scene.add(group);

  const extent = extentOf(group, spec);
  const centre = extent.getCenter(new THREE.Vector3());
  const dims = extent.getSize(new THREE.Vector3());
  const radius = Math.max(dims.length() / 2, 0.1);
  // A grid of 1 m squares, wide enough to sit the design in the middle of it.
  const span = Math.max(2, Math.ceil(Math.max(dims.x, dims.z) * 2));
  const grid = new THREE.GridHelper(span, span, 0x8a92a3, 0xc8ccd5);
  grid.position.set(centre.x, Math.min(0, extent.min.y), centre.z);
  scene.add(grid);

  const camera = new THREE.PerspectiveCamera(45, 1, radius / 100, radius * 100);
  const distance = radius / Math.sin(THREE.MathUtils.degToRad(camera.fov / 2));
  camera.position.copy(centre).add(new THREE.Vector3(1, 0.75, 1.3).normalize().multiplyScalar(distance));
  const controls = new OrbitControls(camera, canvas);
  controls.target.copy(centre);
  controls.listenToKeyEvents(canvas);
  controls.update();
  controls.saveState();

  const render = () => renderer.render(scene, camera);
  const resize = () => {
    const { clientWidth: width, clientHeight: height } = canvas;
    if (!width || !height) return;
    renderer.setSize(width, height, false);
    camera.aspect = width / height;
    camera.updateProjectionMatrix();
    render();
  };
  // Render on demand (no damping, no animation loop): an idle preview costs nothing.
  controls.addEventListener("change", render);
  new ResizeObserver(resize).observe(canvas);
  root.querySelector("[data-preview-reset]")?.addEventListener("click", () => controls.reset());
  resize();
}

if (canvas) {
  try {
    const read = (id) => JSON.parse(document.getElementById(id)?.textContent ?? "{}");
    start(read("design-spec"), read("design-colours"));
    root.dataset.previewState = "ready";
    note.textContent = "";
  } catch (error) {
    // Usually no WebGL (an old device, or a browser with hardware acceleration off).
    root.dataset.previewState = "error";
    note.textContent = `The 3D preview could not start: ${error.message}`;
  }
}
