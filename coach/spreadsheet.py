"""CSV cells a spreadsheet will not run: every CSV the app writes goes through here, and every one it reads.

A cell that begins with "=", "+", "-", "@", a tab or a carriage return is a formula to Excel, LibreOffice
and Google Sheets (OWASP "CSV injection"): `=HYPERLINK("http://example.com/x","Click me")` typed as an
answer would open as a live link. Such a cell is written with a leading apostrophe, which spreadsheets
show as text, and read back without it, so a file the app wrote imports as it was typed. A cell that
already began with apostrophes before a dangerous character gets one more, so the round trip is exact.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

_NEEDS_GUARD = re.compile(r"'*[=+\-@\t\r]")
_GUARDED = re.compile(r"'+[=+\-@\t\r]")


def neutralise(value: object) -> object:
    """The cell as written: text that a spreadsheet would evaluate gets a leading apostrophe."""
    if isinstance(value, str) and _NEEDS_GUARD.match(value):
        return "'" + value
    return value


def restore(cell: str) -> str:
    """The cell as it was typed, from a cell `neutralise` wrote."""
    return cell[1:] if _GUARDED.match(cell) else cell


def write_rows(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text with a header line and CRLF line ends, every cell neutralised."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return out.getvalue()
