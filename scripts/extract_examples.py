"""Extract every JSON example of the SMS v3 API reference into test fixtures.

Usage: python scripts/extract_examples.py REFERENCE [--output DIR]

REFERENCE is the v3 API reference as text (004_ea6b1df4e62ff69c.txt among the project's
seeds). Only regeneration reads it: the tests read the fixtures this writes.

Writes one file per fenced example block (``L<line>_<endpoint>_<kind>[_<status>].json``,
``<line>`` being the reference line where the JSON starts) into
``tests/api/fixtures/examples/`` and an ``index.json`` mapping each file to
``{line, endpoint, kind, status, model}`` where ``model`` is the dotted name of the pydantic
class it must parse into. ``tests/api/test_models.py`` is parametrized over that index.

The reference was converted from a paginated document and its examples carry the damage:
blocks split at page breaks (re-joined here), strings wrapped across lines, trailing commas,
and brackets lost or duplicated at the breaks. Two generic fix-ups are applied when a block
does not parse (``FIX_TRAILING_COMMAS``, ``FIX_WRAPPED_STRINGS``); structural damage is
repaired by the explicit, per-line ``PATCHES`` below. Every fix applied is recorded in the
index as ``"fixed"``. Blocks that are not JSON, or are JSON of another service (IAM), are
recorded with ``"skip"`` and written as-is (``.txt`` when not JSON). Request examples that a
strict write body rightly refuses (placeholders, drift from the field tables) are listed in
``EXPECT_REFUSED`` and recorded as ``"expect_refused": {fields, reason}``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = REPO_ROOT / "tests" / "api" / "fixtures" / "examples"

M = "tui.api.models."
ERROR_MODEL = M + "common.ErrorBody"

# (reference line where the section starts, method, path, slug), from docs/api-index.md.
ENDPOINTS: list[tuple[int, str, str, str]] = [
    (1, "", "(calling conventions)", "conventions"),
    (442, "GET", "/v3/errors", "list_errors"),
    (588, "POST", "/v3/sources", "register_source"),
    (1150, "GET", "/v3/sources", "list_sources"),
    (2389, "POST", "/v3/sources/delete", "delete_sources"),
    (2482, "PUT", "/v3/sources/{source_id}", "update_source"),
    (2614, "PUT", "/v3/sources/{source_id}/changestate", "change_source_state"),
    (2717, "DELETE", "/v3/sources/{source_id}", "delete_source"),
    (2807, "GET", "/v3/sources/{source_id}", "show_source"),
    (3346, "GET", "/v3/sources/overview", "sources_overview"),
    (3469, "PUT", "/v3/sources/{source_id}/diskinfo", "update_disk_info"),
    (3941, "POST", "/v3/tasks", "create_task"),
    (4210, "GET", "/v3/tasks", "list_tasks"),
    (4529, "POST", "/v3/tasks/delete", "delete_tasks"),
    (4625, "DELETE", "/v3/tasks/{task_id}", "delete_task"),
    (4722, "GET", "/v3/tasks/{task_id}", "show_task"),
    (5138, "PUT", "/v3/tasks/{task_id}", "update_task"),
    (5654, "POST", "/v3/tasks/{task_id}/action", "task_action"),
    (5804, "PUT", "/v3/tasks/{task_id}/progress", "task_progress"),
    (5932, "GET", "/v3/tasks/{task_id}/speed-limit", "show_speed_limit"),
    (6050, "POST", "/v3/tasks/{task_id}/speed-limit", "set_speed_limit"),
    (6194, "GET", "/v3/sources/{server_id}/command", "show_command"),
    (6347, "POST", "/v3/sources/{server_id}/command_result", "command_result"),
    (6494, "POST", "/v3/vm/templates", "create_template"),
    (6758, "GET", "/v3/vm/templates", "list_templates"),
    (7124, "POST", "/v3/vm/templates/delete", "delete_templates"),
    (7219, "DELETE", "/v3/vm/templates/{id}", "delete_template"),
    (7310, "GET", "/v3/vm/templates/{id}", "show_template"),
    (7514, "PUT", "/v3/vm/templates/{id}", "update_template"),
    (7716, "POST", "/v3/migprojects", "create_migproject"),
    (7846, "GET", "/v3/migprojects", "list_migprojects"),
    (8048, "GET", "/v3/migprojects/{mig_project_id}", "show_migproject"),
    (8167, "DELETE", "/v3/migprojects/{mig_project_id}", "delete_migproject"),
    (8261, "PUT", "/v3/migprojects/{mig_project_id}", "update_migproject"),
    (8380, "PUT", "/v3/migprojects/{mig_project_id}/default", "default_migproject"),
    (8470, "", "(error codes and appendix)", "appendix"),
]

# (slug, kind) -> model; responses with a 4xx/5xx status always map to ErrorBody.
MODELS: dict[tuple[str, str], str] = {
    ("list_errors", "response"): M + "sources.ListErrorsResponse",
    ("register_source", "request"): M + "agent.RegisterSourceRequest",
    ("register_source", "response"): M + "common.CreatedResponse",
    ("list_sources", "response"): M + "sources.ListSourcesResponse",
    ("delete_sources", "request"): M + "requests.BatchDeleteRequest",
    ("update_source", "request"): M + "requests.UpdateSourceRequest",
    ("change_source_state", "request"): M + "requests.ChangeStateRequest",
    ("show_source", "response"): M + "sources.SourceDetail",
    ("sources_overview", "response"): M + "sources.SourcesOverview",
    ("update_disk_info", "request"): M + "agent.UpdateDiskInfoRequest",
    ("create_task", "request"): M + "requests.CreateTaskRequest",
    ("create_task", "response"): M + "common.CreatedResponse",
    ("list_tasks", "response"): M + "tasks.ListTasksResponse",
    ("delete_tasks", "request"): M + "requests.BatchDeleteRequest",
    ("show_task", "response"): M + "tasks.TaskDetail",
    ("update_task", "request"): M + "requests.UpdateTaskRequest",
    ("update_task", "response"): M + "common.CreatedResponse",
    ("task_action", "request"): M + "requests.TaskActionRequest",
    ("task_progress", "request"): M + "agent.TaskProgressReport",
    ("show_speed_limit", "response"): M + "tasks.SpeedLimitResponse",
    ("set_speed_limit", "request"): M + "requests.SpeedLimitRequest",
    ("show_command", "response"): M + "agent.SourceCommand",
    ("command_result", "request"): M + "agent.CommandResultRequest",
    ("create_template", "request"): M + "requests.TemplateBody",
    ("create_template", "response"): M + "common.CreatedResponse",
    ("list_templates", "response"): M + "catalog.ListTemplatesResponse",
    ("delete_templates", "request"): M + "requests.BatchDeleteRequest",
    ("show_template", "response"): M + "catalog.TemplateEnvelope",
    ("update_template", "request"): M + "requests.TemplateBody",
    ("create_migproject", "request"): M + "requests.MigProjectBody",
    ("create_migproject", "response"): M + "common.CreatedResponse",
    ("list_migprojects", "response"): M + "projects.ListMigProjectsResponse",
    ("show_migproject", "response"): M + "projects.MigProject",
    ("update_migproject", "request"): M + "requests.MigProjectBody",
}

# Blocks outside the endpoint sections: (line of the block's first line) -> (name, kind, model
# or None, skip reason or None).
OUTSIDE: dict[int, tuple[str, str, str | None, str | None]] = {
    186: ("iam_url", "request", None, "a bare IAM URL, not a body"),
    256: ("iam_create_user", "request", None, "IAM request (not an SMS API), no SMS model"),
    306: ("iam_token", "request", None, "IAM token request (not an SMS API), no SMS model"),
    358: ("response_headers", "response", None, "HTTP response headers, not a JSON body"),
    376: ("response_headers", "response", None, "HTTP response headers, not a JSON body"),
    402: ("iam_user", "response", None, "IAM user response (not an SMS API), no SMS model"),
    430: ("generic_error", "response", ERROR_MODEL, None),
    9006: ("apig_error", "response", ERROR_MODEL, None),
    9027: ("iam_projects", "response", None, "IAM projects response (not an SMS API), no model"),
}

# Structural damage at page breaks, repaired per reference line: line -> (old, new, why).
# ``old`` must occur on that line; a line patched to "" is dropped.
PATCHES: dict[int, tuple[str, str, str]] = {
    816: ("}", "", "dropped a stray '}' at a page break (object closed mid-way)"),
    1517: ("}],", "],", "dropped a stray '}' after the last check (closes checks)"),
    1565: ("},", ",", "dropped a stray '}' closing current_task before its last fields"),
    1661: ("}],", "],", "dropped a stray '}' after the last check (closes checks)"),
    1807: ("}],", "],", "dropped a stray '}' after the last check (closes checks)"),
    1891: ("} ]", "", "dropped '} ]' inserted at a page break inside a check"),
    1892: ("} ]", "", "dropped '} ]' inserted at a page break inside a check"),
    1962: ("}],", "],", "dropped a stray '}' after the last check (closes checks)"),
    2114: ("],", ", {", "'],' at a page break read as ', {' (the checks list goes on)"),
    2198: ("],", "] },", "closed init_target_server (its '}' was lost at a page break)"),
    2235: ("},", ",", "dropped a stray '}' closing current_task before its last fields"),
    3126: ("},", ",", "dropped a stray '}' closing current_task before its last fields"),
    3161: ("},", "} ],", "closed the disks list (its ']' was lost)"),
    3902: ("}", "]", "'}' closing the subvolumn list read as ']'"),
    3903: ("}", "} ]", "closed the btrfs_list list (its ']' was lost)"),
    4491: ("}", "] }", "closed the tasks list (its ']' was lost)"),
    5007: ("}", "", "dropped '}' inserted at a page break inside a subtask"),
    5008: ("]", "", "dropped ']' inserted at a page break inside a subtask"),
    6934: ("}", "", "dropped closers inserted at a page break inside a template (vpc)"),
    6935: ("}", "", "dropped closers inserted at a page break inside a template"),
    6936: ("}", "", "dropped closers inserted at a page break inside a template"),
    7488: ('have"', "have", "removed a quote closing error_msg before its wrapped remainder"),
    7658: ("},", "", "dropped a '}' closing template before nics/security_groups/publicip/disk"),
    7681: ("}", "} }", "closed template at the end instead"),
}

# Request examples a strict write body must refuse: line -> (offending fields, why). The
# test asserts the refusal names exactly these fields (prefixes of the error locations).
EXPECT_REFUSED: dict[int, tuple[list[str], str]] = {
    4129: (
        ["target_server.volume_groups", "is_need_consistency_result"],
        "the example drifts from its own table 4-97/4-99: volume_groups for volume_group_s, "
        "is_need_consistency_result for is_need_consistency_check",
    ),
    5500: (
        ["os_type", "state", "estimate_complete_time", "create_date", "start_date",
         "finish_date", "migrate_speed", "error_json", "total_time", "float_ip", "region_name",
         "region_id", "project_name", "project_id", "sub_tasks", "source_server",
         "target_server", "clone_server"],
        "the example echoes a whole task; UpdateTaskRequest only carries the editable subset "
        "(name, type, priority, speed_limit, start_target_server, migration_ip, vm_template_id)",
    ),
    6623: (
        ["template.name", "template.volumetype", "template.disk.0.disktype"],
        "empty name (the model wants 1-255 characters, the table says 0-255) and empty "
        "volumetype/disktype (not SAS, SSD or SATA)",
    ),
    7648: (["template.disk.0.disktype"], "disktype 'type' is a placeholder, not SAS/SSD/SATA"),
    8338: (["name"], "name is the number 225, not a 2-19 character string"),
}

FIX_TRAILING_COMMAS = "trailing commas removed"
FIX_WRAPPED_STRINGS = "strings wrapped across lines re-joined"
FIX_LIST_SEPARATOR = "'} ], {' between list items read as '}, {'"

FENCE_RE = re.compile(r"^\s*```")
METHOD_RE = re.compile(r"^(GET|POST|PUT|DELETE|PATCH)\s+https?://", re.IGNORECASE)
STATUS_RE = re.compile(r"^Status code:\s*(\d{3})\s*$")
TRAILING_COMMA_RE = re.compile(r",(\s*[}\]])")
LIST_SEPARATOR_RE = re.compile(r"\}\s*\],\s*\{")


@dataclass
class Block:
    """A code example: consecutive fenced blocks separated only by blank lines (page breaks)."""

    lines: list[tuple[int, str]] = field(default_factory=list)
    kind: str = ""
    status: int | None = None
    request_line: str = ""


def section_of(line: int) -> tuple[int, str, str, str]:
    return [e for e in ENDPOINTS if e[0] <= line][-1]


def code_blocks(lines: list[str]) -> list[Block]:
    """Fenced code, re-joined across page breaks and split at request lines."""
    blocks: list[Block] = []
    current: Block | None = None
    in_fence = False
    kind, status = "", None
    pending_request = ""
    for number, text in enumerate(lines, 1):
        stripped = text.strip()
        if FENCE_RE.match(text):
            in_fence = not in_fence
            continue
        if not in_fence:
            if not stripped:
                continue
            # Prose ends the current example and may set the context of the next one.
            current = None
            if METHOD_RE.match(stripped):
                pending_request = stripped  # the request line, given as prose
            elif stripped.startswith("Example Request"):
                kind, status = "request", None
            elif stripped.startswith("Example Response"):
                kind, status, pending_request = "response", None, ""
            elif m := STATUS_RE.match(stripped):
                status, pending_request = int(m.group(1)), ""
            elif stripped == "Status Codes" or re.match(r"^\d+(\.\d+)+\s", stripped):
                kind, status = "", None
            continue
        if METHOD_RE.match(stripped):
            current = Block(kind=kind, status=status, request_line=stripped)
            pending_request = ""
            blocks.append(current)
            continue
        if current is None:
            if not stripped:
                continue
            current = Block(kind=kind, status=status, request_line=pending_request)
            pending_request = ""
            blocks.append(current)
        current.lines.append((number, text))
    return blocks


def apply_patches(block: Block) -> tuple[list[tuple[int, str]], list[str]]:
    out: list[tuple[int, str]] = []
    fixes: list[str] = []
    for number, text in block.lines:
        if number in PATCHES:
            old, new, why = PATCHES[number]
            if old not in text:
                raise SystemExit(f"patch for line {number} does not match: {text!r}")
            text = text.replace(old, new, 1)
            fixes.append(f"L{number}: {why}")
            if not text.strip():
                continue
        out.append((number, text))
    return out, fixes


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    dupes = {k for k in keys if keys.count(k) > 1}
    if dupes:
        raise ValueError(f"duplicate keys {sorted(dupes)}")
    return dict(pairs)


def parse(text: str) -> tuple[Any, list[str]]:
    """Parse ``text``, applying the generic fix-ups only when needed; return (json, fixes)."""
    fixes: list[str] = []
    for _ in range(200):
        try:
            return json.loads(text, object_pairs_hook=_no_duplicates), fixes
        except json.JSONDecodeError as exc:
            if exc.msg.startswith("Invalid control character") and text[exc.pos] == "\n":
                # A string wrapped onto the next line: join with one space.
                text = text[: exc.pos].rstrip() + " " + text[exc.pos :].lstrip()
                if FIX_WRAPPED_STRINGS not in fixes:
                    fixes.append(FIX_WRAPPED_STRINGS)
                continue
            if TRAILING_COMMA_RE.search(text) and FIX_TRAILING_COMMAS not in fixes:
                text = TRAILING_COMMA_RE.sub(r"\1", text)
                fixes.append(FIX_TRAILING_COMMAS)
                continue
            if LIST_SEPARATOR_RE.search(text) and FIX_LIST_SEPARATOR not in fixes:
                text = LIST_SEPARATOR_RE.sub("}, {", text)
                fixes.append(FIX_LIST_SEPARATOR)
                continue
            raise
    raise ValueError("too many fix-ups")


def extract(reference: Path) -> list[tuple[str, dict[str, Any], str]]:
    """(file name, index entry, file content) for every example block."""
    lines = reference.read_text(encoding="utf-8").splitlines()
    results: list[tuple[str, dict[str, Any], str]] = []
    for block in code_blocks(lines):
        body = [(n, t) for n, t in block.lines if t.strip()]
        if block.request_line:
            # Header lines after a request line (the IAM example) are not part of the body.
            while body and not body[0][1].lstrip().startswith(("{", "[")):
                body.pop(0)
            block.lines = [(n, t) for n, t in block.lines if body and n >= body[0][0]]
        if not body:
            continue  # a request line with no body: nothing to parse
        first = body[0][0]
        start, method, path, slug = section_of(first)
        entry: dict[str, Any] = {"line": first, "endpoint": f"{method} {path}".strip()}
        if block.request_line:
            entry["request_line"] = block.request_line
        if first in OUTSIDE:
            name, kind, model, skip = OUTSIDE[first]
        else:
            name, kind = slug, block.kind
            model = None
            skip = None
            if kind == "response" and block.status and block.status >= 400:
                model = ERROR_MODEL
            elif kind:
                model = MODELS.get((slug, kind))
            if not kind:
                skip = "code block outside an example section (not a body)"
            elif model is None:
                skip = f"no model for {slug} {kind}"
        entry["kind"] = kind
        if block.status is not None and kind == "response":
            entry["status"] = block.status
        entry["model"] = model
        raw = "\n".join(t for _, t in block.lines).strip("\n") + "\n"
        error_status = kind == "response" and block.status not in (None, 200)
        suffix = f"_{block.status}" if error_status else ""
        fname = f"L{first}_{name}_{kind or 'block'}{suffix}"
        patched, fixes = apply_patches(block)
        text = "\n".join(t for _, t in patched if t.strip())
        try:
            data, generic = parse(text)
        except ValueError as exc:
            entry["skip"] = skip or f"not JSON ({exc})"
            entry["model"] = None
            results.append((fname + ".txt", entry, raw))
            continue
        fixes += generic
        if fixes:
            entry["fixed"] = "; ".join(fixes)
        if skip:
            entry["skip"] = skip
            entry["model"] = None
        elif first in EXPECT_REFUSED:
            fields, why = EXPECT_REFUSED[first]
            entry["expect_refused"] = {"fields": fields, "reason": why}
        content = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        results.append((fname + ".json", entry, content))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference", type=Path, help="the API reference as text")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    results = extract(args.reference)
    args.output.mkdir(parents=True, exist_ok=True)
    for old in args.output.glob("L*_*.*"):
        old.unlink()
    index: dict[str, dict[str, Any]] = {}
    for fname, entry, content in results:
        if fname in index:
            raise SystemExit(f"duplicate fixture name {fname}")
        index[fname] = entry
        (args.output / fname).write_text(content, encoding="utf-8")
    (args.output / "index.json").write_text(
        json.dumps(index, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    skipped = [f for f, e in index.items() if "skip" in e]
    fixed = [f for f, e in index.items() if "fixed" in e]
    print(f"{len(index)} examples: {len(index) - len(skipped)} to parse, {len(skipped)} skipped, "
          f"{len(fixed)} fixed", file=sys.stderr)
    for f in skipped:
        print(f"  skip {f}: {index[f]['skip']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
