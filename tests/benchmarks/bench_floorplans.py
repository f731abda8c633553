"""Floor plan benchmark: read a 12-room RoomPlan scan, merge, calibrate and export (SVG, DXF, PDF, PNG, IFC).

Run: ``.venv/bin/python tests/benchmarks/bench_floorplans.py [--repeat 5]``

Pure geometry and rendering (no database): twelve measured rooms in a 4 x 3
grid, merged one by one against their west or north neighbour, calibrated to
a footprint, then drawn and exported; and the same grid as a RoomPlan
``CapturedStructure`` (a door per room) read and squared into plan rooms.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.setup import in_process, machine_line


def room(width: float, depth: float) -> dict:
    return {"dimensions": {"width": width, "height": depth, "confidence": 1.0}, "ceilingHeight": 8.0,
            "walls": {"north": [{"type": "window", "position": 2.0, "width": 3.0}],
                      "east": [{"type": "door", "position": 2.0, "width": 2.67}],
                      "south": [], "west": [{"type": "door", "position": 2.0, "width": 2.67}]},
            "shape": "rectangle"}


def build(columns: int = 4, rows: int = 3):
    from floorplans import geometry

    plan = None
    for r in range(rows):
        for c in range(columns):
            new = geometry.make_room(f"r{r}c{c}", room(12.0, 10.0 + r), label=f"Room#{r * columns + c + 1}")
            if plan is None:
                plan = geometry.Plan((new,))
            elif c:
                plan = geometry.merge(plan, new, f"r{r}c{c - 1}", "east").plan
            else:
                plan = geometry.merge(plan, new, f"r{r - 1}c0", "south", "opening").plan
    return plan


def scanned_structure(columns: int = 4, rows: int = 3) -> dict:
    """The grid as a RoomPlan CapturedStructure: 3.6 x 3 m rooms, 15 cm walls, one door each."""
    from tests.floorplans.roomplan_scans import captured_room, surface, walls_around

    rooms = []
    for r in range(rows):
        for c in range(columns):
            x, z = c * 3.75, r * 3.15
            walls = walls_around([(x, z), (x + 3.6, z), (x + 3.6, z + 3.0), (x, z + 3.0)])
            door = surface("door", length=0.9, height=2.0, centre=(x + 1.0, z), y=1.0, yaw_deg=0.0,
                           parent=walls[0]["identifier"])
            rooms.append(captured_room(walls, doors=[door]))
    return {"rooms": rooms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    in_process("floorplans", database=False)  # pure geometry and rendering: no database
    from floorplans import areas, geometry, layout, scans
    from floorplans.export_dxf import export_dxf
    from floorplans.export_ifc import export_ifc
    from floorplans.export_pdf import export_pdf
    from floorplans.render_png import render_png
    from floorplans.render_svg import render_svg

    structure = scanned_structure()
    timings: dict[str, list[float]] = {name: [] for name in ("read 12-room scan", "merge 12 rooms", "calibrate",
                                                             "draw", "svg", "dxf", "pdf (eighth, tabloid)",
                                                             "png (150 dpi)", "ifc")}
    for _ in range(args.repeat):
        started = time.perf_counter()
        scans.read_scan(structure, max_surfaces=200)
        timings["read 12-room scan"].append(time.perf_counter() - started)
        started = time.perf_counter()
        plan = build()
        timings["merge 12 rooms"].append(time.perf_counter() - started)
        x0, y0, x1, y1 = plan.bounds
        started = time.perf_counter()
        calibration = geometry.calibrate(plan, {"width": x1 - x0 + 3, "height": y1 - y0 + 3, "shape": "rectangle",
                                                "roofOverhangEstimate": 1.0})
        timings["calibrate"].append(time.perf_counter() - started)
        started = time.perf_counter()
        report = areas.calculate_areas([areas.AreaRoom.from_room(r, type="bedroom") for r in calibration.plan.rooms])
        drawing = layout.build_drawing(calibration.plan, title="Benchmark", areas=report)
        timings["draw"].append(time.perf_counter() - started)
        pdf_options = {"scale": "eighth", "paper": "tabloid", "address": "1 Bench St", "area_table": report.table(),
                       "area_totals": report.summary()[:2], "declaration": report.declaration}
        for name, render, options in (("svg", render_svg, {}), ("dxf", export_dxf, {}),
                                      ("pdf (eighth, tabloid)", export_pdf, pdf_options),
                                      ("png (150 dpi)", render_png, {"dpi": 150, "max_pixels": 40_000_000})):
            started = time.perf_counter()
            render(drawing, **options)
            timings[name].append(time.perf_counter() - started)
        started = time.perf_counter()
        export_ifc(calibration.plan, report.rows, name="1 Bench St")
        timings["ifc"].append(time.perf_counter() - started)
    print(f"machine: {machine_line()}; 12-room plan, {args.repeat} runs")
    for name, values in timings.items():
        print(f"{name:>24}: median {statistics.median(values) * 1000:7.1f} ms   max {max(values) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
