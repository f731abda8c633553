"""Calibrating the plan against the house footprint, and the print scale it is drawn at."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from floorplans import sheets
from floorplans.choices import ExportScale, Paper
from floorplans.geometry.measures import EXTERIOR_WALL_FT, GeometryError, check_number, round_half_up
from floorplans.geometry.plan import Plan

SCALE_LIMITS = (0.5, 1.5)
# Room kept around the plan on the sheet for dimension strings and labels.
ANNOTATION_ALLOWANCE_FT = 6.0


@dataclass(frozen=True)
class HouseBounds:
    """The document's ``houseBounds``: the footprint seen from above (roof edges), in feet."""

    width: float
    height: float
    roof_overhang: float = 0.0
    data_source: str = "satellite"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "HouseBounds":
        if not isinstance(data, Mapping):
            raise GeometryError("houseBounds must be an object with width and height")
        overhang = data.get("roofOverhangEstimate")
        return cls(check_number(data.get("width"), "houseBounds.width", positive=True),
                   check_number(data.get("height"), "houseBounds.height", positive=True),
                   0.0 if overhang is None else check_number(overhang, "roofOverhangEstimate"),
                   str(data.get("dataSource") or "satellite"))


@dataclass(frozen=True)
class Calibration:
    plan: Plan  # the scaled plan
    scale_factor: float  # applied, rounded to 0.01
    width_ratio: float
    height_ratio: float
    adjustments: tuple[str, ...]
    overall_width: float  # exterior faces, after scaling, rounded to 0.1
    overall_height: float
    print_scale: str  # an ExportScale
    scale_reference: str  # "1 inch = 8 feet"

    def to_dict(self) -> dict[str, Any]:
        """The document's ``calibration`` object."""
        return {"scaleFactor": self.scale_factor, "adjustments": list(self.adjustments),
                "overallDimensions": {"width": self.overall_width, "height": self.overall_height},
                "scaleReference": self.scale_reference}


def calibrate(plan: Plan, house_bounds: HouseBounds | Mapping[str, Any], *, exterior_wall: float = EXTERIOR_WALL_FT,
              print_scale: str | None = None) -> Calibration:
    """Scale the plan uniformly so its exterior footprint matches the house's walls.

    The satellite sees the roof, so the walls are ``roofOverhangEstimate`` in
    from each side. The plan's footprint is its rooms' interior bounding box
    plus an exterior wall on each side; the width and depth ratios are averaged
    (both are reported) and the factor rounded to 0.01 before it is applied.
    A factor outside ``SCALE_LIMITS`` means the bounds or the rooms are wrong,
    and raises ``GeometryError``. Without ``print_scale`` the scale is the one
    ``sheets.preferred_scale`` would pick (quarter if it fits tabloid).
    """
    bounds = house_bounds if isinstance(house_bounds, HouseBounds) else HouseBounds.from_dict(house_bounds)
    if not plan.rooms:
        raise GeometryError("There are no rooms on the plan to calibrate")
    x0, y0, x1, y1 = plan.bounds
    walls_w = bounds.width - 2 * bounds.roof_overhang
    walls_h = bounds.height - 2 * bounds.roof_overhang
    if min(walls_w, walls_h) <= 2 * exterior_wall:
        raise GeometryError(f"A {bounds.roof_overhang:g} ft roof overhang leaves no house inside the "
                            f"{bounds.width:g} x {bounds.height:g} ft footprint")
    width_ratio = (walls_w - 2 * exterior_wall) / (x1 - x0)
    height_ratio = (walls_h - 2 * exterior_wall) / (y1 - y0)
    factor = round_half_up((width_ratio + height_ratio) / 2, 2)
    low, high = SCALE_LIMITS
    if not low <= factor <= high:
        raise GeometryError(f"Matching the {bounds.width:g} x {bounds.height:g} ft footprint would scale the rooms by "
                            f"{factor:.2f}x (width {width_ratio:.2f}, depth {height_ratio:.2f}), outside "
                            f"{low:g}-{high:g}x; check the house bounds and the room measurements")
    scaled = plan.scaled(factor)
    sx0, sy0, sx1, sy1 = scaled.bounds
    overall_w, overall_h = sx1 - sx0 + 2 * exterior_wall, sy1 - sy0 + 2 * exterior_wall
    source = "satellite footprint" if bounds.data_source == "satellite" else "measured house footprint"
    adjustments = [f"Scaled all rooms by {factor:.2f}x to match {source}" if factor != 1.0
                   else f"Rooms already match the {source}; no scaling applied",
                   f"Width ratio {width_ratio:.2f} and depth ratio {height_ratio:.2f}; used their mean"]
    if bounds.roof_overhang:
        adjustments.append(f"Applied {bounds.roof_overhang:.1f} ft roof overhang offset")
    if exterior_wall:
        adjustments.append(f"Added {exterior_wall:g} ft exterior walls around the interior room measurements")
    name = print_scale or preferred_print_scale(overall_w, overall_h)
    return Calibration(scaled, factor, round_half_up(width_ratio, 2), round_half_up(height_ratio, 2),
                       tuple(adjustments), round_half_up(overall_w, 1), round_half_up(overall_h, 1), name,
                       scale_reference(name))


def preferred_print_scale(width_ft: float, height_ft: float) -> str:
    """Quarter inch if the plan and its dimension strings fit a tabloid sheet, else eighth (as the SVG does)."""
    margin = 2 * ANNOTATION_ALLOWANCE_FT
    for name in (ExportScale.QUARTER, ExportScale.EIGHTH):
        try:
            sheets.fit_sheet(Paper.TABLOID, name, width_ft + margin, height_ft + margin)
        except sheets.SheetTooSmall:
            continue
        return name
    return ExportScale.EIGHTH


def scale_reference(print_scale: str) -> str:
    """The scale as the document words it: "1 inch = 8 feet" for 1/8" = 1'-0"."""
    return f"1 inch = {sheets.get_scale(print_scale).feet_per_inch:g} feet"
