"""A spec's objects as a binary glTF 2.0 (GLB) scene, for previews and download.

One unit cube mesh per material look; one node per object, named by the
object's id, placed at the box's centre (y + height/2) and scaled by its
dimensions. glTF is metres and y up, the same as specs, so nothing is
converted except units other than meters.
"""

import struct

import pygltflib
from PIL import ImageColor

from designs.vocabulary import EXTRA_COLORS, MATERIAL_COLORS, UNIT_FACTORS

LIGHT_GREY = (0.8, 0.8, 0.8)
METALS = frozenset({"steel", "stainless_steel", "aluminum", "iron", "copper", "brass", "bronze", "titanium", "chrome",
                    "metal"})
CLEAR = frozenset({"glass", "acrylic"})

# A unit cube centred on the origin: 4 vertices per face so each face has its own normal.
_FACES = (
    ((1, 0, 0), [(0.5, -0.5, -0.5), (0.5, 0.5, -0.5), (0.5, 0.5, 0.5), (0.5, -0.5, 0.5)]),
    ((-1, 0, 0), [(-0.5, -0.5, 0.5), (-0.5, 0.5, 0.5), (-0.5, 0.5, -0.5), (-0.5, -0.5, -0.5)]),
    ((0, 1, 0), [(-0.5, 0.5, -0.5), (-0.5, 0.5, 0.5), (0.5, 0.5, 0.5), (0.5, 0.5, -0.5)]),
    ((0, -1, 0), [(-0.5, -0.5, 0.5), (-0.5, -0.5, -0.5), (0.5, -0.5, -0.5), (0.5, -0.5, 0.5)]),
    ((0, 0, 1), [(-0.5, -0.5, 0.5), (0.5, -0.5, 0.5), (0.5, 0.5, 0.5), (-0.5, 0.5, 0.5)]),
    ((0, 0, -1), [(0.5, -0.5, -0.5), (-0.5, -0.5, -0.5), (-0.5, 0.5, -0.5), (0.5, 0.5, -0.5)]),
)


def spec_to_glb(spec_json: dict) -> bytes:
    """The GLB bytes of ``spec_json``'s objects (a seeds/002 EnhancedDesignSpec)."""
    gltf = pygltflib.GLTF2(asset=pygltflib.Asset(version="2.0", generator="StageCraft designs"))
    gltf.scene = 0
    gltf.scenes = [pygltflib.Scene(name=str((spec_json.get("scene") or {}).get("name") or "design"), nodes=[])]
    _add_cube(gltf)
    looks: dict[tuple, int] = {}
    for obj in spec_json.get("objects") or []:
        look = _look(obj)
        if look not in looks:
            looks[look] = _add_mesh(gltf, look)
        dimensions, position = obj["dimensions"], obj["position"]
        factor = UNIT_FACTORS.get(str(dimensions.get("units", "meters")).lower(), 1.0)
        size = [float(dimensions[field]) * factor for field in ("width", "height", "depth")]
        centre = [float(position["x"]) * factor, float(position["y"]) * factor + size[1] / 2,
                  float(position["z"]) * factor]
        gltf.nodes.append(pygltflib.Node(name=str(obj.get("id")), mesh=looks[look], translation=centre, scale=size,
                                         extras={"type": obj.get("type"), "material": obj.get("material")}))
        gltf.scenes[0].nodes.append(len(gltf.nodes) - 1)
    return b"".join(gltf.save_to_bytes())


def base_color(obj: dict) -> tuple[float, float, float]:
    """An object's RGB (0..1): its ``properties.color``, else its material's colour, else light grey."""
    for name in ((obj.get("properties") or {}).get("color"), MATERIAL_COLORS.get(str(obj.get("material")))):
        if not name:
            continue
        try:
            red, green, blue = ImageColor.getrgb(EXTRA_COLORS.get(str(name).lower(), str(name)))[:3]
        except ValueError:
            continue
        return red / 255, green / 255, blue / 255
    return LIGHT_GREY


def _look(obj: dict) -> tuple:
    material = str(obj.get("material"))
    return (*(round(value, 4) for value in base_color(obj)), material in METALS, material in CLEAR)


def _add_mesh(gltf: pygltflib.GLTF2, look: tuple) -> int:
    red, green, blue, metal, clear = look
    gltf.materials.append(pygltflib.Material(
        name=f"look_{len(gltf.materials)}",
        pbrMetallicRoughness=pygltflib.PbrMetallicRoughness(
            baseColorFactor=[red, green, blue, 0.35 if clear else 1.0],
            metallicFactor=0.8 if metal else 0.0,
            roughnessFactor=0.35 if metal or clear else 0.7,
        ),
        alphaMode=pygltflib.BLEND if clear else pygltflib.OPAQUE,
        doubleSided=False,
    ))
    gltf.meshes.append(pygltflib.Mesh(primitives=[pygltflib.Primitive(
        attributes=pygltflib.Attributes(POSITION=0, NORMAL=1), indices=2, material=len(gltf.materials) - 1)]))
    return len(gltf.meshes) - 1


def _add_cube(gltf: pygltflib.GLTF2) -> None:
    """Accessors 0 (positions), 1 (normals) and 2 (indices) of the shared unit cube, in one buffer."""
    positions = [corner for _, corners in _FACES for corner in corners]
    normals = [normal for normal, corners in _FACES for _ in corners]
    indices = [base + offset for base in range(0, 24, 4) for offset in (0, 1, 2, 0, 2, 3)]
    vertex_bytes = b"".join(struct.pack("<3f", *point) for point in positions)
    normal_bytes = b"".join(struct.pack("<3f", *normal) for normal in normals)
    index_bytes = struct.pack(f"<{len(indices)}H", *indices)
    blob = vertex_bytes + normal_bytes + index_bytes
    gltf.buffers = [pygltflib.Buffer(byteLength=len(blob))]
    gltf.bufferViews = [
        pygltflib.BufferView(buffer=0, byteOffset=0, byteLength=len(vertex_bytes), target=pygltflib.ARRAY_BUFFER),
        pygltflib.BufferView(buffer=0, byteOffset=len(vertex_bytes), byteLength=len(normal_bytes),
                             target=pygltflib.ARRAY_BUFFER),
        pygltflib.BufferView(buffer=0, byteOffset=len(vertex_bytes) + len(normal_bytes), byteLength=len(index_bytes),
                             target=pygltflib.ELEMENT_ARRAY_BUFFER),
    ]
    gltf.accessors = [
        pygltflib.Accessor(bufferView=0, componentType=pygltflib.FLOAT, count=24, type=pygltflib.VEC3,
                           min=[-0.5, -0.5, -0.5], max=[0.5, 0.5, 0.5]),
        pygltflib.Accessor(bufferView=1, componentType=pygltflib.FLOAT, count=24, type=pygltflib.VEC3,
                           min=[-1.0, -1.0, -1.0], max=[1.0, 1.0, 1.0]),
        pygltflib.Accessor(bufferView=2, componentType=pygltflib.UNSIGNED_SHORT, count=len(indices),
                           type=pygltflib.SCALAR, min=[0], max=[23]),
    ]
    gltf.set_binary_blob(blob)
