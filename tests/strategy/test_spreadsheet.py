"""CSV cells a spreadsheet would run as formulas are written as text."""

import io
from pathlib import Path

import pytest

from strategy.spreadsheet import SafeCsvWriter, neutralise

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://evil.test","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
                                  "\tTab", "\rCR"])
def test_cells_a_spreadsheet_would_run_start_with_a_quote(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Offline mode", "a=b", "", 42, None, "MOB-12"])
def test_other_cells_are_written_as_they_are(cell):
    assert neutralise(cell) == cell


def test_the_writer_neutralises_every_cell_of_every_row():
    out = io.StringIO()
    SafeCsvWriter(out).writerows([["key", "=1+1"], ["@x", 3]])

    assert out.getvalue().splitlines() == ["key,'=1+1", "'@x,3"]


def test_every_csv_waymark_writes_goes_through_the_safe_writer():
    writers = [path.relative_to(ROOT).as_posix() for app in ("strategy", "releases", "feedback", "roadmap")
               for path in (ROOT / app).rglob("*.py") if "csv.writer(" in path.read_text()
               or "csv.DictWriter(" in path.read_text()]

    # roadmap/services/usage.py writes CSV only as the stream PostgreSQL's COPY reads: nobody
    # ever opens it in a spreadsheet.
    assert sorted(writers) == ["roadmap/services/usage.py", "strategy/spreadsheet.py"]
