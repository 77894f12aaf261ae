"""A hostile fleet: the in-process simulator seeded as usual, then every string a server may send
(names, hostnames, IPs, OS versions, error messages and parameters, check parameters, disk and
NIC names, subtask traces, template and project names) overwritten with markup, terminal
control sequences, bidi overrides and CJK.
"""

from __future__ import annotations

import json
from typing import Any

from tests.app.screen_text import screen_lines, screen_output
from tui.sim.fleet import layout
from tui.untrusted import clean, has_terminal_controls

OSC8 = "\x1b]8;;file:///etc/passwd\x1b\\osc8\x1b]8;;\x1b\\"
HOSTILE = (
    "bad-close[/]tag",
    "[link=file:///etc/passwd]x[/link]",
    "[reverse]r[/]",
    "Invalid path [/v3/tasks/abc]",
    "\x1b]0;pwned\x07",
    "\x1b[2J",
    "a\x9bb",
    OSC8,
    "bell\x07",
    "evil\u202etxt",
    "数据库服务器[b]",
)
"""Every hostile string; the first ones are the names the source list shows first."""

ERROR_MSG = "Invalid path [/v3/tasks/abc]"


def h(i: int) -> str:
    return HOSTILE[i % len(HOSTILE)]


def make_hostile(app: Any) -> dict[str, Any]:
    """Overwrite the simulator's strings; returns handy picks (a source with a task, one
    without, a failed task...)."""
    engine = app.client.simulator.engine
    sources = sorted(engine.sources.values(), key=lambda s: s.id)
    for i, src in enumerate(sources):
        src.name = h(i)
        src.hostname = h(i + 1)
        src.os_version = h(i + 2)
        src.agent_version = h(i + 3)
        if i % 2:
            src.ip = f"10.0.{i}.1{h(i + 4)}"
        src.check_plan = tuple(
            (name if result == "OK" else h(i + k), result, code,
             (h(i + k + 5), h(i + k + 6)) if result != "OK" else params)
            for k, (name, result, code, params) in enumerate(src.check_plan))
        lay = layout(src)
        for k, disk in enumerate(lay["disks"]):
            disk["name"] = h(i + k)
            for j, part in enumerate(disk.get("physical_volumes") or []):
                part["mount_point"] = h(i + j + 1)
                part["name"] = h(i + j + 2)
        for k, vg in enumerate(lay["volume_groups"]):
            vg["name"] = h(i + k + 3)
            for j, lv in enumerate(vg.get("logical_volumes") or []):
                lv["name"] = h(i + j + 4)
                lv["mount_point"] = h(i + j + 5)
        for k, nic in enumerate(lay["networks"]):
            nic["name"] = h(i + k + 6)
            nic["mac"] = h(i + k + 7)
    for i, task in enumerate(sorted(engine.tasks.values(), key=lambda t: t.id)):
        task.name = h(i + 1)
        task.target_name = h(i + 2)
        for k, sub in enumerate(task.subtasks):
            if sub.process_trace:
                sub.process_trace = h(i + k)
        if task.state == "MIGRATE_FAIL" or task.error_json:
            if i % 2:  # a code the catalogue does not know: the server's message is shown
                task.error_json = json.dumps({"error_code": "SMS.X999", "error_msg": ERROR_MSG,
                                              "error_param": [h(i)]})
            else:
                code = task.fail_code or "SMS.1901"
                task.error_json = json.dumps({"error_code": code, "error_param": [h(i), h(i + 1)],
                                              "error_msg": h(i + 2)})
        if task.network_check_info is None:
            task.network_check_info = {"domain_connectivity": True, "destination_connectivity":
                                       True, "network_delay": 1.0, "migration_speed": 10.0,
                                       "loss_percentage": 0.0}
        task.network_check_info["evaluation_result"] = h(i + 3)
    for i, tpl in enumerate(engine.templates.values()):
        tpl.body["name"] = h(i)
        tpl.body["flavor"] = h(i + 1)
        tpl.body["availability_zone"] = h(i + 2)
        tpl.body["target_server_name"] = h(i + 3)
    for i, proj in enumerate(engine.projects.values()):
        proj.body["name"] = h(i + 4)
        proj.body["description"] = h(i + 5)
    with_task = [s for s in sources if s.task_id]
    return {
        "sources": sources,
        "no_task": next(s for s in sources if not s.task_id),
        "failed": next(engine.tasks[s.task_id] for s in with_task
                       if engine.tasks[s.task_id].state == "MIGRATE_FAIL"),
        "running": next(engine.tasks[s.task_id] for s in with_task
                        if engine.tasks[s.task_id].state == "RUNNING"
                        and engine.sources[engine.tasks[s.task_id].source_id].connected),
    }


def check_screen(app: Any, *expected: str) -> str:
    """The screen as a person reads it; fails when anything but SGR colour reaches the terminal
    or when an ``expected`` server string is not shown literally (cleaned)."""
    output = screen_output(app)
    bad = [line for line in output if has_terminal_controls(line)]
    assert not bad, f"terminal controls reach the screen: {bad[0]!r}"
    text = "\n".join(screen_lines(app))
    for value in expected:
        assert clean(value) in text, f"{clean(value)!r} is not on the screen:\n{text}"
    return text


def check_toasts(app: Any) -> list[str]:
    """Every toast so far was sent as plain text with its controls made visible."""
    said = []
    for n in app._notifications:
        assert not n.markup, f"toast sent as markup: {n.message!r}"
        assert n.message == clean(n.message), n.message
        assert n.title == clean(n.title)
        said.append(n.message)
    return said
