"""Specs as GLB scenes (designs/gltf.py), read back with pygltflib."""

import pygltflib
import pytest

from designs.gltf import base_color, spec_to_glb


def obj(object_id, *, x=0.0, y=0.0, z=0.0, w=1.0, h=1.0, d=1.0, material="oak", color=None, units="meters"):
    properties = {"design_type": "furniture", "features": []}
    if color:
        properties["color"] = color
    return {"id": object_id, "type": "block", "material": material, "position": {"x": x, "y": y, "z": z},
            "dimensions": {"width": w, "height": h, "depth": d, "units": units}, "editable": True,
            "properties": properties}


SPEC = {"scene": {"name": "Oak dining table"}, "objects": [
    obj("obj_001", y=0.71, w=1.8, h=0.04, d=0.9),
    obj("obj_002", x=-0.83, z=-0.38, w=0.06, h=0.71, d=0.06, color="white"),
    obj("obj_003", x=2.0, z=1.0, w=0.45, h=0.9, d=0.45, material="steel", color="#336699"),
    obj("obj_004", x=-2.0, w=0.5, h=0.5, d=0.5, material="unobtainium"),
]}


def load(data: bytes) -> pygltflib.GLTF2:
    return pygltflib.GLTF2.load_from_bytes(data)


def test_the_output_is_a_glb_with_one_named_node_per_object():
    data = spec_to_glb(SPEC)
    gltf = load(data)

    assert data[:4] == b"glTF"
    assert [node.name for node in gltf.nodes] == ["obj_001", "obj_002", "obj_003", "obj_004"]
    assert gltf.scenes[gltf.scene].nodes == [0, 1, 2, 3]


def test_accessor_bounds_scaled_and_translated_give_each_objects_box():
    gltf = load(spec_to_glb(SPEC))

    for node, source in zip(gltf.nodes, SPEC["objects"], strict=True):
        accessor = gltf.accessors[gltf.meshes[node.mesh].primitives[0].attributes.POSITION]
        low = [m * s + t for m, s, t in zip(accessor.min, node.scale, node.translation, strict=True)]
        high = [m * s + t for m, s, t in zip(accessor.max, node.scale, node.translation, strict=True)]
        p, d = source["position"], source["dimensions"]
        assert low == pytest.approx([p["x"] - d["width"] / 2, p["y"], p["z"] - d["depth"] / 2])
        assert high == pytest.approx([p["x"] + d["width"] / 2, p["y"] + d["height"], p["z"] + d["depth"] / 2])


def test_every_accessor_and_buffer_view_fits_the_binary_buffer():
    gltf = load(spec_to_glb(SPEC))
    blob = gltf.binary_blob()

    assert gltf.buffers[0].byteLength == len(blob)
    for accessor in gltf.accessors:
        view = gltf.bufferViews[accessor.bufferView]
        assert accessor.min is not None and accessor.max is not None
        assert view.byteOffset + view.byteLength <= len(blob)
    index = gltf.accessors[gltf.meshes[0].primitives[0].indices]
    assert (index.count, index.max) == (36, [23])


def test_materials_follow_the_colour_then_the_material_then_grey():
    gltf = load(spec_to_glb(SPEC))

    def color_of(node):
        material = gltf.materials[gltf.meshes[node.mesh].primitives[0].material]
        return material.pbrMetallicRoughness.baseColorFactor

    top, leg, chair, odd = gltf.nodes
    assert color_of(leg) == [1.0, 1.0, 1.0, 1.0]
    assert color_of(top)[:3] == pytest.approx([0xB0 / 255, 0x88 / 255, 0x50 / 255], abs=1e-4)
    assert color_of(chair)[:3] == pytest.approx([0x33 / 255, 0x66 / 255, 0x99 / 255], abs=1e-4)
    assert color_of(odd) == [0.8, 0.8, 0.8, 1.0]


def test_objects_with_the_same_look_share_a_mesh():
    spec = {"objects": [obj("obj_001"), obj("obj_002", x=2.0), obj("obj_003", x=4.0, color="red")]}
    gltf = load(spec_to_glb(spec))

    assert [node.mesh for node in gltf.nodes] == [0, 0, 1]
    assert len(gltf.materials) == 2


def test_glass_is_see_through_and_metal_is_metallic():
    gltf = load(spec_to_glb({"objects": [obj("obj_001", material="glass"), obj("obj_002", x=2, material="steel")]}))

    glass, steel = gltf.materials
    assert glass.alphaMode == "BLEND" and glass.pbrMetallicRoughness.baseColorFactor[3] < 1
    assert steel.pbrMetallicRoughness.metallicFactor > 0.5


def test_objects_in_other_units_are_placed_in_metres():
    gltf = load(spec_to_glb({"objects": [obj("obj_001", x=100, y=0, w=50, h=200, d=10, units="cm")]}))

    assert gltf.nodes[0].scale == pytest.approx([0.5, 2.0, 0.1])
    assert gltf.nodes[0].translation == pytest.approx([1.0, 1.0, 0.0])


def test_colour_names_outside_css_use_the_vocabulary():
    assert base_color(obj("obj_001", color="charcoal")) == pytest.approx((0x36 / 255, 0x45 / 255, 0x4F / 255))
    assert base_color(obj("obj_001", color="not-a-colour", material="brick")) == pytest.approx(
        (0x9C / 255, 0x4A / 255, 0x33 / 255))
