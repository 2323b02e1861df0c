"""CSV files that are safe to open in a spreadsheet. Every CSV Waymark writes goes through
`SafeCsvWriter`: a cell that starts with = + - @, a tab or a carriage return would be read by
Excel, LibreOffice or Google Sheets as a formula (=HYPERLINK(…), +cmd|…), so it is written
with a leading single quote, which spreadsheets show as text (OWASP's advice)."""

from __future__ import annotations

import csv
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """`value`, prefixed with a single quote if it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeCsvWriter:
    """csv.writer's `writerow`/`writerows`, with every cell neutralised."""

    def __init__(self, out):
        self._writer = csv.writer(out)

    def writerow(self, row) -> None:
        self._writer.writerow([neutralise(value) for value in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)

