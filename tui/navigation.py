"""Where a screen can ask the app to go: one frozen record per destination.

A screen never imports the screen it opens. It builds a destination and calls
``self.app.open(destination)``; the app (through :mod:`tui.views`) decides which screen shows
it, on which view's stack, and whether that view's backend is configured at all. So the import
graph shows screens side by side, each pointing at this module, instead of a web of screens
importing screens.

This module imports nothing from the UI: destinations are plain data any layer may build.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import msgspec


class Destination(msgspec.Struct, frozen=True):
    """Base of every place a screen can ask to open."""


# -- the three views -----------------------------------------------------------------------


class GoToView(Destination, frozen=True):
    """Switch to one of the app's views (``migrations``, ``hosts``, ``zstack``)."""

    mode: str


# -- Migrations (SMS) ----------------------------------------------------------------------


class SourceDetail(Destination, frozen=True):
    """One SMS source server's detail."""

    source_id: str


class TaskProgress(Destination, frozen=True):
    """One migration task's live progress."""

    task_id: str
    source_id: str | None = None


class SpeedLimits(Destination, frozen=True):
    """A task's speed-limit schedule, or one schedule for several tasks (``targets``)."""

    task_id: str | None
    label: str
    targets: Sequence[tuple[str | None, str]] | None = None


class FailedServers(Destination, frozen=True):
    """The failed servers (``/v3/errors``)."""


class TaskList(Destination, frozen=True):
    """Every migration task."""


class Templates(Destination, frozen=True):
    """Target-server templates."""


class Projects(Destination, frozen=True):
    """Migration projects."""


class CreateTask(Destination, frozen=True):
    """The form for a new migration task of ``source`` (a source list item or detail)."""

    source: Any


# -- Dedicated hosts (ECS/DeH) -------------------------------------------------------------


class MoveServers(Destination, frozen=True):
    """The move dialog for ECS servers (one, or every marked one), by server id.

    ``label`` names them for the dialog when the hosts view has not polled them yet (e.g. an
    SMS task's target server)."""

    server_ids: tuple[str, ...]
    label: str = ""


class DrainHost(Destination, frozen=True):
    """The drain plan for one dedicated host."""

    host_id: str


class HostJobs(Destination, frozen=True):
    """Every ECS job this dashboard started or saw."""


class Navigator(Protocol):
    """What screens may call on the app to move around (the app implements it)."""

    def open(self, destination: Destination) -> None:
        """Show ``destination``; the app decides how."""
