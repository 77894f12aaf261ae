"""``migdash audit``: print the audit log of every write the dashboard sent.

A readable table by default, the raw JSON lines with ``--json``; ``--tail N`` keeps the last N
records and ``--failed`` only the writes that did not end ``ok`` (refused, or with an unknown
outcome). Secret-looking keys are scrubbed again on
the way out, so a hand-edited or older log cannot leak one to the terminal.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from tui.service.audit import AuditLog, default_path, scrub

REQUEST_WIDTH = 60
"""The request summary is cut to this many characters in the table (``--json`` has it all)."""
HEADERS = ("TIME", "PROFILE", "ENDPOINT", "OPERATION", "TARGETS", "OUTCOME", "REQUEST")


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Register ``audit`` on the ``migdash`` subcommands."""
    p: argparse.ArgumentParser = sub.add_parser(
        "audit", help="print the log of every write migdash sent",
        description="Print the audit log: one record per write the dashboard sent (time, "
        "profile and endpoint, operation, target ids, request summary, outcome and SMS error "
        f"code). The log is {default_path()}.",
    )
    p.add_argument("--json", action="store_true", help="the raw JSON lines")
    p.add_argument("--tail", metavar="N", type=int, help="only the last N records")
    p.add_argument("--failed", action="store_true",
                   help="only writes that did not end ok (refused, or outcome unknown)")
    p.add_argument("--file", metavar="PATH", type=Path, help="read this log instead")
    return p


def select(records: Iterable[dict[str, Any]], *, tail: int | None = None,
           failed: bool = False) -> list[dict[str, Any]]:
    """The records to print, oldest first, secrets scrubbed."""
    rows = [scrub(r) for r in records if not failed or r.get("outcome") != "ok"]
    if tail is not None:
        rows = rows[-tail:] if tail > 0 else []
    return rows


def _targets(ids: Any) -> str:
    ids = [str(i) for i in ids or []]
    if len(ids) <= 1:
        return ids[0] if ids else "—"
    return f"{ids[0]} +{len(ids) - 1}"


def _outcome(r: dict[str, Any]) -> str:
    outcome = str(r.get("outcome") or "?")
    checked = " (re-read)" if r.get("verified") else ""
    if outcome in ("ok", "unknown"):
        return outcome + checked
    return f"{outcome} {r.get('error_code') or ''}".rstrip() + checked


def _request(r: dict[str, Any]) -> str:
    req = r.get("request")
    if req is None:
        return "—"
    text = json.dumps(req, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= REQUEST_WIDTH else text[: REQUEST_WIDTH - 1] + "…"


def table(records: Sequence[dict[str, Any]]) -> str:
    """Aligned columns, one line per record, with a header."""
    lines = [HEADERS] + [
        (str(r.get("time", "")), str(r.get("profile") or "—"), str(r.get("endpoint") or "—"),
         str(r.get("operation", "")), _targets(r.get("targets")), _outcome(r), _request(r))
        for r in records
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADERS) - 1)]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=False)) + "  " + line[-1]
        for line in lines
    )


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Print the log; 0 (also for an empty or missing log, which is said on stderr), 2 on a
    bad ``--tail``."""
    out = out or sys.stdout
    err = err or sys.stderr
    if args.tail is not None and args.tail < 0:
        print("migdash audit: --tail must be 0 or more", file=err)
        return 2
    log = AuditLog(args.file) if args.file else AuditLog()
    if not log.path.exists():
        print(f"migdash audit: no writes recorded yet ({log.path} does not exist)", file=err)
        return 0
    rows = select(log.read(), tail=args.tail, failed=args.failed)
    if args.json:
        for r in rows:
            print(json.dumps(r, ensure_ascii=False), file=out)
        return 0
    if not rows:
        print("migdash audit: no matching records", file=err)
        return 0
    print(table(rows), file=out)
    return 0
