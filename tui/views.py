"""The app's three views and the one router from a destination to the screen that shows it.

Each view is a Textual mode (its own screen stack): ``1`` Migrations (SMS), ``2`` Dedicated
hosts (ECS/DeH), ``3`` ZStack. This is the only module besides the app that imports screen
modules, and it does so lazily inside the route functions, so screens never import each
other to push one (``tests/test_screen_imports.py`` holds that line).

A new view plugs in with three things here: a :class:`View` in :data:`VIEWS` (its mode, key,
title, how to configure it and its root screen), its destinations' routes in :data:`ROUTES`
and its help sections in :func:`help_sections`; plus, in the app, its backend (a poller on
:class:`tui.service.backend.BackendPoller` and a ``…_connection`` reactive).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
from textual.binding import Binding, BindingType
from textual.screen import Screen

from tui import navigation as nav


class Setup(msgspec.Struct, frozen=True):
    """How an operator configures a view's backend (shown instead of the view until then)."""

    system: str
    flags: tuple[str, ...]
    profile_keys: tuple[str, ...]
    environment: tuple[str, ...]
    note: str = ""


class View(msgspec.Struct, frozen=True):
    """One view of the app: a Textual mode with its own screen stack."""

    mode: str
    key: str
    title: str
    short: str
    """The name in the header when another view is shown."""
    setup: Setup
    root: Callable[[], Screen[Any]]
    """The view's first screen when its backend is configured (imports lazily)."""


def _sources_root() -> Screen[Any]:
    from tui.screens.sources import SourceListScreen

    return SourceListScreen()


def _hosts_root() -> Screen[Any]:
    from tui.screens.hosts.hosts import HostsScreen

    return HostsScreen()


def _zstack_root() -> Screen[Any]:
    from tui.screens.zstack.view import ZStackScreen

    return ZStackScreen()


VIEWS: tuple[View, ...] = (
    View("migrations", "1", "Migrations", "SMS",
         Setup("Huawei Cloud SMS", ("--endpoint URL", "--token", "--profile NAME"),
               ("sms_endpoint", "region", "auth"),
               ("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "MIGDASH_TOKEN")),
         _sources_root),
    View("hosts", "2", "Dedicated hosts", "DeH",
         Setup("Huawei Cloud ECS and DeH (dedicated hosts)",
               ("--ecs-endpoint URL", "--deh-endpoint URL"),
               ("ecs_endpoint", "deh_endpoint", "region"),
               ("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "MIGDASH_TOKEN"),
               "With only a region, migdash uses https://ecs.{region}.myhuaweicloud.com and "
               "https://deh.{region}.myhuaweicloud.com. The SMS credentials apply to both."),
         _hosts_root),
    View("zstack", "3", "ZStack", "ZStack",
         Setup("ZStack", ("--zstack-endpoint URL", "--zstack-account NAME"),
               ("zstack_endpoint", "zstack_account", "zstack_password"),
               ("MIGDASH_ZSTACK_PASSWORD",),
               "The password is never a command-line argument: use the environment or a "
               "chmod 600 profile."),
         _zstack_root),
)
"""The views in key order."""

VIEW_BY_MODE = {v.mode: v for v in VIEWS}


# -- routes ---------------------------------------------------------------------------------


def _source_detail(app: Any, d: nav.SourceDetail) -> None:
    from tui.screens.detail import SourceDetailScreen

    app.push_screen(SourceDetailScreen(d.source_id))


def _task(app: Any, d: nav.TaskProgress) -> None:
    from tui.screens.task import TaskScreen

    app.push_screen(TaskScreen(d.task_id, d.source_id))


def _limits(app: Any, d: nav.SpeedLimits) -> None:
    from tui.screens.limits import SpeedLimitScreen

    targets = list(d.targets) if d.targets is not None else None
    app.push_screen(SpeedLimitScreen(d.task_id, d.label, targets=targets))


def _failed(app: Any, d: nav.FailedServers) -> None:
    from tui.screens.failed import FailedServersScreen

    app.push_screen(FailedServersScreen())


def _tasks(app: Any, d: nav.TaskList) -> None:
    from tui.screens.tasks import TaskListScreen

    if not isinstance(app.screen, TaskListScreen):
        app.push_screen(TaskListScreen())


def _templates(app: Any, d: nav.Templates) -> None:
    from tui.screens.templates import TemplatesScreen

    app.push_screen(TemplatesScreen())


def _projects(app: Any, d: nav.Projects) -> None:
    from tui.screens.projects import ProjectsScreen

    app.push_screen(ProjectsScreen())


def _create_task(app: Any, d: nav.CreateTask) -> None:
    from tui.screens.create_task import open_create_task

    open_create_task(app, d.source)


def _move(app: Any, d: nav.MoveServers) -> None:
    from tui.screens.hosts.move import open_move

    open_move(app, d.server_ids, d.label)


def _drain(app: Any, d: nav.DrainHost) -> None:
    from tui.screens.hosts.drain import open_drain

    open_drain(app, d.host_id)


def _jobs(app: Any, d: nav.HostJobs) -> None:
    from tui.screens.hosts.jobs import JobsScreen

    if not isinstance(app.screen, JobsScreen):
        app.push_screen(JobsScreen())


class Route(msgspec.Struct, frozen=True):
    """How one kind of destination opens: in which view, and whether it switches there."""

    mode: str
    show: Callable[[Any, Any], None]
    in_place: bool = False
    """A dialog opens over whatever view is shown (e.g. moving an SMS target server onto a
    dedicated host from the task screen); a full screen switches to its own view first."""


ROUTES: dict[type[nav.Destination], Route] = {
    nav.SourceDetail: Route("migrations", _source_detail),
    nav.TaskProgress: Route("migrations", _task),
    nav.SpeedLimits: Route("migrations", _limits),
    nav.FailedServers: Route("migrations", _failed),
    nav.TaskList: Route("migrations", _tasks),
    nav.Templates: Route("migrations", _templates),
    nav.Projects: Route("migrations", _projects),
    nav.CreateTask: Route("migrations", _create_task, in_place=True),
    nav.MoveServers: Route("hosts", _move, in_place=True),
    nav.DrainHost: Route("hosts", _drain),
    nav.HostJobs: Route("hosts", _jobs),
}
"""Every destination a screen may ask for, and how it opens."""


# -- help -----------------------------------------------------------------------------------


def help_sections(app: Any) -> list[tuple[str, list[BindingType]]]:
    """(screen title, its bindings) for the current view's screens, then the keys everywhere."""
    from tui.screens.confirm import ConfirmScreen
    from widgets.form import FormScreen
    from widgets.source_table import SourceTable

    # The table's own keys that do something beyond moving the cursor.
    table_keys: list[BindingType] = [
        b for b in SourceTable.BINDINGS
        if isinstance(b, Binding) and b.action in (
            "activate", "toggle_mark", "mark_all", "clear_marks", "columns_left", "columns_right")]
    mode = app.current_mode
    if mode == "hosts":
        from tui.screens.hosts import help_sections as hosts_help

        sections = hosts_help()
    elif mode == "migrations":
        sections = _sms_help(table_keys)
    elif mode == "zstack":
        from tui.screens.zstack import help_sections as zstack_help

        sections = zstack_help()
    else:
        sections = []
    return [
        *sections,
        ("Forms", list(FormScreen.BINDINGS)),
        ("Confirmations", list(ConfirmScreen.BINDINGS)),
        ("Everywhere", [*type(app).BINDINGS, ("ctrl+p", "command_palette", "Command palette")]),
    ]


def _sms_help(table_keys: list[BindingType]) -> list[tuple[str, list[BindingType]]]:
    from tui.screens.detail import SourceDetailScreen
    from tui.screens.failed import FailedServersScreen
    from tui.screens.limits import SpeedLimitScreen
    from tui.screens.projects import ProjectsScreen
    from tui.screens.sources import SourceListScreen
    from tui.screens.task import TaskScreen
    from tui.screens.tasks import TaskListScreen
    from tui.screens.templates import TemplatesScreen

    return [
        ("Source list", [*table_keys, *SourceListScreen.BINDINGS]),
        ("Source detail", list(SourceDetailScreen.BINDINGS)),
        ("Task progress", list(TaskScreen.BINDINGS)),
        ("Speed limits", list(SpeedLimitScreen.BINDINGS)),
        ("Task list", list(TaskListScreen.BINDINGS)),
        ("Failed servers", list(FailedServersScreen.BINDINGS)),
        ("Templates", list(TemplatesScreen.BINDINGS)),
        ("Projects", list(ProjectsScreen.BINDINGS)),
    ]
