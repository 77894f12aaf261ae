"""Rough edges of the first hour: a failed server says why, "no task" is a filter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import SelectionList, Static

from tests.app.conftest import loaded, wait_for
from tui.app import MigdashApp
from tui.screens.detail import SourceDetailScreen
from widgets.source_table import SourceTable

SIZE = (120, 40)


async def test_failed_source_detail_shows_the_decoded_error_and_what_to_do(
    make_app: Callable[..., MigdashApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        errors = app.fleet.snapshot.errors  # type: ignore[union-attr]
        assert errors, "the simulator has failed servers"
        app.push_screen(SourceDetailScreen(errors[0].source_id))
        await wait_for(pilot, lambda: getattr(app.screen, "detail", None) is not None, "detail")
        await pilot.pause()
        note = str(app.screen.query_one("#failure", Static).render())
        assert note.startswith("✖ Failed: SMS.") and "What to do:" in note, note


async def test_healthy_source_detail_has_no_failure_note(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        failed = {e.source_id for e in app.fleet.snapshot.errors}  # type: ignore[union-attr]
        key = next(k for k, s in app.fleet.snapshot.sources.items()  # type: ignore[union-attr]
                   if k not in failed and s.state == "finished")
        app.push_screen(SourceDetailScreen(key))
        await wait_for(pilot, lambda: getattr(app.screen, "detail", None) is not None, "detail")
        assert not app.screen.query_one("#failure", Static).display


async def test_state_picker_offers_no_task(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("f")
        picker = app.screen.query_one(SelectionList)
        labels = {str(picker.get_option_at_index(i).prompt): picker.get_option_at_index(i).value
                  for i in range(picker.option_count)}
        label = next(k for k in labels if "no task" in k)
        assert labels[label] == "unconfigured"
        order = [picker.get_option_at_index(i).value for i in range(picker.option_count)]
        await pilot.press(*["down"] * order.index("unconfigured"), "space", "enter")
        await pilot.pause()
        table = app.screen.query_one(SourceTable)
        sources: Any = app.fleet.snapshot.sources  # type: ignore[union-attr]
        bare = {k for k, s in sources.items() if s.current_task is None}
        assert bare and set(table.visible_keys()) == bare
        assert "states: no task" in str(app.screen.query_one("#info", Static).render())


def test_disk_tree_label_puts_size_bar_and_percent_before_the_details() -> None:
    from widgets.disk_tree import DiskTree, Volume

    tree = DiskTree()
    label = tree._label(Volume("lv", "lv-1", "/dev/mapper/vg_data-lv_data", 85 << 30, 65 << 30,
                               True, None), ["xfs", "/data"]).plain
    assert label.index("%") < label.index("xfs") < label.index("used")
    assert "▇" in label[: label.index("xfs")]


def test_mac_keeps_its_width() -> None:
    from types import SimpleNamespace as NS

    from rich.console import Console

    from tui.screens.detail_view import networks_table

    nic = NS(name="eth0", ip="10.0.0.3", ipv6="fe80::1ff:fe23:4567:890a", netmask="255.255.255.0",
             gateway="10.0.0.1", mtu=1500, mac="23:95:05:30:4e:2b")
    console = Console(width=70, record=True, color_system=None)
    console.print(networks_table(NS(networks=[nic])))
    assert "23:95:05:30:4e:2b" in console.export_text()


async def test_create_task_form_template_error_clears_when_picked_and_linux_hint(
    make_app: Callable[..., MigdashApp],
) -> None:
    from tests.app.test_create_task import engine, press_C_on
    from tests.app.test_templates import fill
    from widgets.form import FormScreen

    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        src = next(s for s in engine(app).sources.values()
                   if not s.task_id and s.state != "unavailable" and s.os_type == "LINUX")
        tpl = next(iter(engine(app).templates.values()))
        await press_C_on(pilot, src.id)
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen), "the task form")
        form = app.screen
        assert "Windows" not in str(form.query_one("#msg-type", Static).render())
        fill(app, name="task-x")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "template" in form.errors  # type: ignore[attr-defined]
        fill(app, template=tpl.id)
        await pilot.pause()
        assert "template" not in form.errors  # type: ignore[attr-defined]
        assert "✖" not in str(form.query_one("#msg-template", Static).render())


def test_bulk_summary_reasons_hang_under_their_column_at_any_width() -> None:
    from tui.screens.bulk import summary_lines
    from tui.service.commands import BulkSummary, Outcome

    reason = ("SMS.7703 The task does not exist. Check whether the task was deleted by "
              "another operator and refresh the list before trying again.")
    summary = BulkSummary("task.start", (Outcome("t1", "web-prod-003", "failed", reason),
                                         Outcome("t2", "db-dr-020", "ok")))
    for width in (60, 68, 100, 126):
        lines = [line.plain for line in summary_lines(summary, width)]
        assert all(len(line) <= width for line in lines), (width, lines)
        column = lines[0].index("Reason")
        failed = next(i for i, line in enumerate(lines) if "web-prod-003" in line)
        assert lines[failed][column:].startswith("SMS.7703")
        more = lines[failed + 1]
        assert more[:column].strip() == "" and more[column] != " ", (width, lines)
