"""Extract the SMS error catalogue (table "5.1 Error Codes") from the v3 API reference.

Usage: python scripts/extract_errors.py REFERENCE [--output JSON]

REFERENCE is the v3 API reference as text (004_ea6b1df4e62ff69c.txt among the project's
seeds) or the excerpt of its table kept in the repository,
``tests/api/data/reference-5.1-error-codes.txt``; both give the same catalogue.

Writes ``tui/api/data/error_codes.json``: one object per table row, in document order,
with keys status, code, message, description and handling. Codes listed twice (SMS.6542)
keep both rows; :func:`tui.api.errors.lookup` uses the first one.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = REPO_ROOT / "tui" / "api" / "data" / "error_codes.json"

COLUMNS = ("status", "code", "message", "description", "handling")
HEADER = ("status code", "error code", "error message", "description", "handling measure")
SECTION_TITLE = "5.1 Error Codes"
# Any numbered heading ("5.2 Status Codes") ends the table.
NEXT_SECTION_RE = re.compile(r"^\d+(\.\d+)+\s+\S")
ROW_START_RE = re.compile(r"^\s*(\d{3})\s*\t\s*(SMS\.\w+)\s*(\t|$)")
CODE_RE = re.compile(r"^SMS\.\d{4}$")
TAG_RE = re.compile(r"<[^>]+>")


@dataclass
class Row:
    """One catalogue row as found in the reference."""

    status: int
    code: str
    message: str
    description: str
    handling: str


def section_lines(text: str) -> list[str]:
    """Return the lines of table 5.1, from its title up to the next numbered heading."""
    lines = text.splitlines()
    # The table of contents also names the section ("5.1 Error Codes.....\t313"), so
    # only a line that is exactly the title counts as the start.
    starts = [i for i, line in enumerate(lines) if line.strip() == SECTION_TITLE]
    if not starts:
        raise SystemExit(f"section {SECTION_TITLE!r} not found")
    body: list[str] = []
    for line in lines[starts[-1] + 1 :]:
        if NEXT_SECTION_RE.match(line.strip()):
            break
        body.append(line)
    return body


def is_header(line: str) -> bool:
    """True for the column header that repeats after every page break."""
    cells = tuple(cell.strip().lower() for cell in line.split("\t"))
    return cells == HEADER


def clean(cell: str) -> str:
    """Turn a cell into plain text: drop HTML markup, unescape entities, squeeze spaces."""
    had_markup = bool(TAG_RE.search(cell))
    text = html.unescape(TAG_RE.sub(" ", cell))
    text = " ".join(text.split())
    if had_markup:
        # Removing inline tags leaves "<i>SMS FAQs</i> ." as "SMS FAQs ."
        text = re.sub(r"\s+([.,;:])", r"\1", text)
    return text


def parse_rows(lines: list[str]) -> list[Row]:
    """Parse table lines into rows, merging wrapped and page-split continuation lines."""
    raw: list[list[str]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or is_header(line):
            continue
        cells = line.split("\t")
        if ROW_START_RE.match(line):
            if len(cells) > len(COLUMNS):
                # A stray tab inside the last cell: it is still the handling measure.
                cells = [*cells[: len(COLUMNS) - 1], " ".join(cells[len(COLUMNS) - 1 :])]
            raw.append(cells)
            continue
        if not raw:
            print(f"warning: text before the first row ignored: {line!r}", file=sys.stderr)
            continue
        _merge_continuation(raw[-1], cells, number)
    rows = []
    for cells in raw:
        cells = cells + [""] * (len(COLUMNS) - len(cells))
        status, code, message, description, handling = (clean(c) for c in cells)
        rows.append(Row(int(status), code, message, description, handling))
    return rows


def _merge_continuation(row: list[str], cells: list[str], number: int) -> None:
    """Append a line that does not start a row to the row before it."""
    if len(row) == len(COLUMNS) and len(cells) == len(COLUMNS):
        # A row split by a page break keeps its columns: "\t\t\t\trest of handling".
        for index, cell in enumerate(cells):
            if cell.strip():
                row[index] = f"{row[index]} {cell}"
        return
    # A cell wrapped onto the next line: its first piece continues the last cell,
    # any further pieces are the cells that follow.
    first, *rest = cells
    row[-1] = f"{row[-1]} {first}"
    for cell in rest:
        if len(row) < len(COLUMNS):
            row.append(cell)
        else:
            row[-1] = f"{row[-1]} {cell}"
            print(f"warning: extra cell merged into handling (line {number})", file=sys.stderr)


def check(rows: list[Row]) -> None:
    """Warn about rows that look damaged, so a bad extraction is noticed."""
    for row in rows:
        if not CODE_RE.match(row.code):
            print(f"warning: unusual error code {row.code!r}", file=sys.stderr)
        if not (row.message and row.handling):
            print(f"warning: {row.code} has an empty message or handling", file=sys.stderr)
    for code, times in Counter(row.code for row in rows).items():
        if times > 1:
            print(f"note: {code} is listed {times} times; lookup() uses the first", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Extract the catalogue and write it as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference", type=Path, help="the API reference as text, or the excerpt")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)

    text = args.reference.read_text(encoding="utf-8")
    rows = parse_rows(section_lines(text))
    if not rows:
        raise SystemExit("no rows found in table 5.1")
    check(rows)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps([asdict(row) for row in rows], indent=2, ensure_ascii=False)
    args.output.write_text(payload + "\n", encoding="utf-8")
    print(f"{len(rows)} error codes written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
