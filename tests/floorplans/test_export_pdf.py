"""The PDF export: true scale on paper, title block, area sheet, SheetTooSmall.

The scale is checked the way a contractor would with a ruler: the sheet is
rasterised with poppler's pdftoppm at a known DPI and the 12 ft west wall
is measured in pixels.
"""

import datetime
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from floorplans.drawing import DISCLAIMER
from floorplans.export_pdf import export_pdf
from floorplans.sheets import SheetTooSmall, fit_sheet, scale_reference
from tests.conftest import require
from tests.floorplans.sample_drawing import MEASURED_WALL_FT, oversized_drawing, sample_drawing

DPI = 200
ADDRESS = "1234 Elm Street, Springfield, IL 62704"
DATE = datetime.date(2025, 3, 1)
# The shape floorplans.areas.AreaReport.table() and .summary() produce.
AREA_TABLE = [
    ["Room", "Dimensions", "Area (sq ft, interior)", "Counted (sq ft)", "In GLA", "Reason"],
    ["Living room", "13.3 x 11.0", "146.3", "146.3", "yes", ""],
    ["Bedroom", "13.3 x 11.0", "146.3", "146.3", "yes", ""],
    ["Garage", "20.0 x 20.0", "400.0", "0.0", "no", "Garages are not finished area <excluded>"],
]
AREA_TOTALS = [
    "Gross living area: 336 sq ft (finished, above grade, exterior)",
    "Below-grade finished area: 0 sq ft (exterior)",
]
DECLARATION = "Calculated in accordance with ANSI Z765-2021.\n\nMeasurements are approximate; verify before use."


def _require_poppler() -> None:
    require(shutil.which("pdftoppm") is not None, "poppler-utils is not installed")


def _raster(pdf: bytes, tmp_path: Path) -> np.ndarray:
    (tmp_path / "plan.pdf").write_bytes(pdf)
    cmd = ["pdftoppm", "-r", str(DPI), "-gray", "-png", "-f", "1", "-l", "1", "-singlefile"]
    subprocess.run([*cmd, str(tmp_path / "plan.pdf"), str(tmp_path / "page")], check=True, timeout=30)
    return np.asarray(Image.open(tmp_path / "page.png").convert("L"))


def _text(pdf: bytes, tmp_path: Path) -> str:
    (tmp_path / "plan.pdf").write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "plan.pdf"), "-"], check=True, capture_output=True, timeout=30
    )
    return out.stdout.decode("utf-8")


def _longest_thick_vertical_run(image: np.ndarray, *, min_thickness_px: int) -> int:
    """Longest vertical run of dark pixels that are dark across ``min_thickness_px`` columns.

    Lines, ticks and text are thinner than a wall, so only poché survives.
    """
    dark = image < 128
    thick = np.ones((dark.shape[0], dark.shape[1] - min_thickness_px + 1), dtype=bool)
    for shift in range(min_thickness_px):
        thick &= dark[:, shift : shift + thick.shape[1]]
    run = np.zeros(thick.shape[1], dtype=np.int32)
    best = np.zeros(thick.shape[1], dtype=np.int32)
    for row in thick:
        run = np.where(row, run + 1, 0)
        best = np.maximum(best, run)
    return int(best.max())


@pytest.mark.parametrize(
    ("scale", "paper", "expected_in"),
    [("quarter", "letter", 3.0), ("quarter", "tabloid", 3.0), ("eighth", "letter", 1.5), ("eighth", "tabloid", 1.5)],
)
def test_the_12_ft_wall_measures_true_scale_on_paper(tmp_path: Path, scale: str, paper: str, expected_in: float):
    _require_poppler()
    pdf = export_pdf(sample_drawing(), scale=scale, paper=paper, address=ADDRESS, date=DATE)
    image = _raster(pdf, tmp_path)
    length_in = _longest_thick_vertical_run(image, min_thickness_px=8) / DPI
    assert MEASURED_WALL_FT / (48 if scale == "quarter" else 96) * 12 == expected_in
    assert length_in == pytest.approx(expected_in, rel=0.01)


def test_the_sheet_is_letter_landscape_when_the_plan_is_wide(tmp_path: Path) -> None:
    _require_poppler()
    image = _raster(export_pdf(sample_drawing(), scale="quarter", paper="letter"), tmp_path)
    assert image.shape == (round(8.5 * DPI), round(11 * DPI))


def test_the_title_block_names_the_address_date_scale_and_sheet(tmp_path: Path) -> None:
    _require_poppler()
    text = _text(export_pdf(sample_drawing(), scale="quarter", paper="letter", address=ADDRESS, date=DATE), tmp_path)
    assert ADDRESS in text
    assert "DATE: 2025-03-01" in text
    assert 'SCALE: 1/4" = 1\'-0"' in text
    assert 'LETTER 8.5" x 11" LANDSCAPE' in text
    assert DISCLAIMER in text
    assert "LIVING ROOM" in text and "28'-0\"" in text
    assert text.count("\f") == 1  # one sheet without an area table


def test_eighth_scale_on_tabloid_says_so(tmp_path: Path) -> None:
    _require_poppler()
    text = _text(export_pdf(sample_drawing(), scale="eighth", paper="tabloid", address=ADDRESS, date=DATE), tmp_path)
    assert 'SCALE: 1/8" = 1\'-0"' in text
    assert 'TABLOID 11" x 17"' in text


def test_the_area_table_totals_and_declaration_follow_on_a_second_sheet(tmp_path: Path) -> None:
    _require_poppler()
    pdf = export_pdf(
        sample_drawing(),
        address=ADDRESS,
        date=DATE,
        area_table=AREA_TABLE,
        area_totals=AREA_TOTALS,
        declaration=DECLARATION,
    )
    first, second = _text(pdf, tmp_path).split("\f")[:2]
    assert "SHEET 1 OF 2" in first
    assert "SHEET 2 OF 2" in second and ADDRESS in second and DISCLAIMER in second
    assert "AREA CALCULATION (ANSI Z765-2021)" in second
    for cell in ("Living room", "Garage", "146.3", "400.0", "Garages are not finished area <excluded>"):
        assert cell in second
    for line in [*AREA_TOTALS, "Calculated in accordance with ANSI Z765-2021.", "verify before use."]:
        assert line in second


def test_a_long_area_table_continues_on_more_sheets(tmp_path: Path) -> None:
    _require_poppler()
    rows = [[f"Room {n}", "10.0 x 10.0", "100.0", "100.0", "yes", ""] for n in range(1, 121)]
    pdf = export_pdf(sample_drawing(), area_table=[AREA_TABLE[0], *rows], area_totals=AREA_TOTALS)
    pages = _text(pdf, tmp_path).split("\f")[:-1]
    assert len(pages) >= 3
    assert all(f"OF {len(pages)}" in page for page in pages)
    assert "Room 120" in pages[-1] and AREA_TOTALS[0] in pages[-1]
    assert all("Counted (sq ft)" in page for page in pages[1:])  # the header repeats


def test_a_plan_too_big_for_the_sheet_raises_sheet_too_small() -> None:
    with pytest.raises(SheetTooSmall, match="scale=eighth or paper=tabloid"):
        export_pdf(oversized_drawing(), scale="quarter", paper="letter")
    with pytest.raises(SheetTooSmall):
        export_pdf(oversized_drawing(), scale="eighth", paper="tabloid")
    assert issubclass(SheetTooSmall, ValueError)
    assert SheetTooSmall("x").code == "EXPORT_FAILED"  # the API's one handler answers EXPORT_FAILED


def test_unknown_scale_or_paper_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="Unknown scale"):
        export_pdf(sample_drawing(), scale="half")
    with pytest.raises(ValueError, match="Unknown paper"):
        export_pdf(sample_drawing(), paper="a4")


def test_scale_reference_reads_like_a_drawing() -> None:
    assert scale_reference("quarter") == '1/4" = 1\'-0"'
    assert scale_reference("eighth") == '1/8" = 1\'-0"'


def test_fit_sheet_turns_the_paper_to_suit_the_plan() -> None:
    assert fit_sheet("letter", "quarter", 30.0, 12.0).orientation == "landscape"
    assert fit_sheet("letter", "quarter", 12.0, 30.0).orientation == "portrait"
    exact = fit_sheet("letter", "quarter", 12.0, 30.0)
    assert exact.plan_area.width <= 8.5 - 1.0 and exact.plan_area.height < 11 - 1.0
