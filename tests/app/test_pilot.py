"""Every key of the list and the detail, and the app's behaviour under faults (pilot tests)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from textual.widgets import Input

from tests.app.conftest import loaded, tick_and_apply, wait_for
from tui.app import MigdashApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.detail import SourceDetailScreen
from tui.screens.failed import FailedServersScreen
from tui.screens.forms import InputScreen
from tui.screens.help import HelpScreen
from tui.screens.pickers import StateFilterScreen
from tui.screens.sources import SourceListScreen
from tui.screens.task import TaskScreen
from tui.service.state import Link
from widgets.disk_tree import DiskTree
from widgets.source_table import SourceTable

SIZE = (160, 48)


def table(app: Any) -> SourceTable:
    return app.screen.query_one(SourceTable)


def sim(app: Any) -> Any:
    return app.client.simulator


async def test_list_shows_the_whole_fleet(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert isinstance(app.screen, SourceListScreen)
        t = table(app)
        assert t.total_count == 40 == len(sim(app).engine.sources)
        assert t.visible_count == 40


async def test_slash_filters_as_you_type_and_escape_clears(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        engine = sim(app).engine
        name = next(s.name for s in engine.sources.values())
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*list(name.upper()[:6]))
        t = table(app)
        expected = {s.id for s in engine.sources.values() if name[:6].lower() in s.name.lower()
                    or name[:6].lower() in s.ip or name[:6].lower() in s.id}
        assert set(t.visible_keys()) == expected
        await pilot.press("escape")
        assert t.filter_text == "" and t.visible_count == 40


async def test_keys_typed_in_one_burst_with_slash_land_in_the_filter(
        make_app: Callable[..., MigdashApp]) -> None:
    # Over SSH a pasted "/web" arrives at once: every key is queued before the box has focus.
    from textual import events

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        for key, char in [("slash", "/"), ("w", "w"), ("e", "e"), ("space", " "), ("b", "b")]:
            app.post_message(events.Key(key, char))
        await wait_for(pilot, lambda: table(app).filter_text == "we b", "the burst in the box")
        assert app.screen.query_one("#filter", Input).value == "we b"
        assert isinstance(app.screen, SourceListScreen)  # "e" did not open failed servers
        assert not table(app).marked  # space did not mark a row


async def test_filter_by_ip_and_id(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        src = list(sim(app).engine.sources.values())[5]
        t = table(app)
        t.set_filter(src.id[:13])
        assert t.visible_keys() == [src.id]
        t.set_filter(src.ip)
        assert src.id in t.visible_keys()


async def test_f_picks_several_states(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("f")
        assert isinstance(app.screen, StateFilterScreen)
        await tick_and_apply(pilot, ("error", "finished"))
        await wait_for(pilot, lambda: isinstance(app.screen, SourceListScreen), "the list")
        engine = sim(app).engine
        expected = {s.id for s in engine.sources.values() if s.state in ("error", "finished")}
        assert expected and set(table(app).visible_keys()) == expected


async def test_p_shows_only_problems(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("p")
        engine = sim(app).engine
        shown = set(table(app).visible_keys())
        for s in engine.sources.values():
            problem = (s.state in ("error", "unavailable") or not s.connected
                       or any(r in ("WARN", "ERROR") for _, r, _, _ in s.check_plan))
            assert (s.id in shown) == problem, (s.name, s.state)


async def test_enter_opens_detail_and_escape_comes_back(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        key = table(app).cursor_key
        await pilot.press("enter")
        assert isinstance(app.screen, SourceDetailScreen) and app.screen.source_id == key
        await wait_for(pilot, lambda: app.screen.detail is not None, "the source detail")
        tree = app.screen.query_one(DiskTree)
        assert tree.volumes, "the disk tree is filled"
        await pilot.press("escape")
        assert isinstance(app.screen, SourceListScreen)
        assert table(app).cursor_key == key


async def test_t_opens_the_task_and_bars_move(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        engine = sim(app).engine
        running = next(s for s in engine.sources.values()
                       if s.task_id and engine.tasks[s.task_id].state == "RUNNING" and s.connected)
        table(app).set_filter(running.id)
        await pilot.pause()
        assert table(app).cursor_key == running.id
        await pilot.press("t")
        assert isinstance(app.screen, TaskScreen)
        await wait_for(pilot, lambda: app.screen.detail is not None, "the task detail")
        before = app.screen.detail.replicatesize
        sim(app).clock.advance(120)
        app.service.refresh_now()
        await wait_for(pilot, lambda: app.screen.detail.replicatesize > before, "progress")


async def test_t_on_a_source_without_task_says_so(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        engine = sim(app).engine
        idle = next(s for s in engine.sources.values() if not s.task_id)
        table(app).set_filter(idle.id)
        await pilot.pause()
        await pilot.press("t")
        assert isinstance(app.screen, SourceListScreen)
        assert any("no migration task" in str(n.message) for n in app._notifications)


async def test_e_lists_failed_servers_with_decoded_errors(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("e")
        assert isinstance(app.screen, FailedServersScreen)
        await pilot.pause()
        errors = sim(app).engine.errors({})
        assert errors
        assert len(app.fleet.snapshot.errors) == len(errors)
        await pilot.press("escape")
        assert isinstance(app.screen, SourceListScreen)


async def test_question_mark_lists_every_screen(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, SourceListScreen)


async def test_r_refreshes_now(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        version = app.fleet.snapshot.version
        await pilot.press("r")
        await wait_for(pilot, lambda: app.fleet.snapshot.version > version, "a refresh")


async def test_ctrl_p_opens_the_palette(make_app: Callable[..., MigdashApp]) -> None:
    from textual.command import CommandPalette

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)


async def test_q_quits(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert app.return_code is None
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0


async def open_detail(pilot: Any, app: Any, pick: Callable[[Any], bool]) -> Any:
    engine = sim(app).engine
    src = next(s for s in engine.sources.values() if pick(s))
    app.push_screen(SourceDetailScreen(src.id))
    await wait_for(pilot, lambda: getattr(app.screen, "detail", None) is not None, "detail")
    return src


async def test_detail_n_renames_through_a_validated_form(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        src = await open_detail(pilot, app, lambda s: True)
        await pilot.press("n")
        assert isinstance(app.screen, InputScreen)
        form = app.screen
        form.query_one(Input).value = "x" * 256
        await pilot.press("enter")
        assert isinstance(app.screen, InputScreen), "an invalid name is not sent"
        assert "255" in str(form.query_one("#error").render())
        form.query_one(Input).value = "renamed-by-test"
        await pilot.press("enter")
        await wait_for(pilot, lambda: src.name == "renamed-by-test", "the rename")
        lines = (app.commands.audit.path.read_text().splitlines())
        assert json.loads(lines[-1])["operation"] == "source.update"


async def test_detail_resize_below_used_is_refused_in_the_form(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        src = await open_detail(pilot, app, lambda s: s.os_type == "LINUX")
        screen = app.screen
        tree = screen.query_one(DiskTree)
        disk_node = next(n for n in DiskTree._walk(tree.root) if n.data and n.data.kind == "disk")
        tree.move_cursor(disk_node)
        await pilot.press("z")
        assert isinstance(app.screen, InputScreen)
        assert app.screen.field == "New size on the target"  # words, not the API's adjust_size
        app.screen.query_one(Input).value = "1G"
        await pilot.press("enter")
        assert isinstance(app.screen, InputScreen)
        assert "below" in str(app.screen.query_one("#error").render())
        app.screen.query_one(Input).value = "400G"
        await pilot.press("enter")
        assert tree.edits[disk_node.data.ident][1] == 400 * 1024**3
        await pilot.press("ctrl+s")
        from tui.sim.fleet import layout

        disk = next(d for d in layout(src)["disks"] if d["id"] == disk_node.data.ident)
        await wait_for(pilot, lambda: disk["adjust_size"] == 400 * 1024**3, "the resize")


async def test_detail_ctrl_d_deletes_after_confirmation(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        src = await open_detail(pilot, app, lambda s: not s.task_id)
        requests_before = sim(app).requests
        await pilot.press("ctrl+d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert isinstance(app.screen, SourceDetailScreen)
        assert src.id in sim(app).engine.sources
        await pilot.press("ctrl+d")
        await pilot.press("y")
        await wait_for(pilot, lambda: src.id not in sim(app).engine.sources, "the delete")
        assert sim(app).requests > requests_before


async def test_detail_t_and_escape(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        src = await open_detail(pilot, app, lambda s: bool(s.task_id))
        await pilot.press("t")
        assert isinstance(app.screen, TaskScreen) and app.screen.task_id == src.task_id
        await pilot.press("escape")
        assert isinstance(app.screen, SourceDetailScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, SourceListScreen)


async def test_read_only_hides_edits_and_sends_nothing(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        src = await open_detail(pilot, app, lambda s: bool(s.task_id))
        names_before = src.name
        for key in ("n", "ctrl+d", "m", "z", "ctrl+s"):
            await pilot.press(key)
            assert isinstance(app.screen, SourceDetailScreen), key
        await pilot.press("t")
        for key in ("s", "x", "ctrl+r", "T", "c", "n", "ctrl+d"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, TaskScreen), key
        assert src.name == names_before
        assert not app.commands.audit.path.exists()


# -- faults ------------------------------------------------------------------------------


async def test_faults_keep_the_app_up_show_stale_data_and_recover(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app(faults="latency=0ms")
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        t = table(app)
        good = app.fleet.snapshot.version
        for spec in ("500=1", "429=1:retry=2", "reset=1", "malformed=1", "truncate=1", "502=1"):
            sim(app).faults.set(spec)
            failures = app.service.status.failures
            app.service.refresh_now()
            await wait_for(pilot, lambda: app.service.status.failures > failures, f"a failed poll ({spec})")
            assert app.connection.link is Link.RECONNECTING, spec
            assert app.fleet.snapshot.version == good, "the last good data stays"
            assert t.total_count == 40
            assert app.is_running
        assert t.stale, "two missed polls mark the data stale"
        sim(app).faults.set(None)
        app.service.refresh_now()
        await wait_for(pilot, lambda: app.connection.link is Link.ONLINE, "recovery")
        await wait_for(pilot, lambda: not t.stale, "fresh data")
        assert app.fleet.snapshot.version > good


async def test_palette_jumps_to_a_source_and_changes_refresh(make_app: Callable[..., MigdashApp]) -> None:
    from tui.screens.palette import MigdashCommands

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        src = list(sim(app).engine.sources.values())[3]
        provider = MigdashCommands(app.screen)
        hits = [h async for h in provider.search(src.ip)]
        jump = next(h for h in hits if "Go to" in str(h.text) and src.name in str(h.text))
        jump.command()
        await pilot.pause()
        assert isinstance(app.screen, SourceDetailScreen) and app.screen.source_id == src.id
        hits = [h async for h in provider.search("refresh every 30")]
        next(h for h in hits if "30" in str(h.text)).command()
        assert app.service.intervals.fleet == 30.0 and app.settings.refresh == 30.0
        dark = app.current_theme.dark
        [h async for h in provider.search("theme")][0].command()
        assert app.current_theme.dark != dark
