"""Where a screen can ask the app to go: one frozen dataclass per destination.

A screen never imports the screen it opens. It builds a destination and calls
``self.app.open(destination)``; the app (through :mod:`tui.views`) decides which screen shows
it, on which view's stack, and whether that view's backend is configured at all. So the import
graph shows screens side by side, each pointing at this module, instead of a web of screens
importing screens.

This module imports nothing from the UI: destinations are plain data any layer may build.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class Destination:
    """Base of every place a screen can ask to open."""


# -- the three views -----------------------------------------------------------------------


@dataclass(frozen=True)
class GoToView(Destination):
    """Switch to one of the app's views (``migrations``, ``hosts``, ``zstack``)."""

    mode: str


# -- Migrations (SMS) ----------------------------------------------------------------------


@dataclass(frozen=True)
class SourceDetail(Destination):
    """One SMS source server's detail."""

    source_id: str


@dataclass(frozen=True)
class TaskProgress(Destination):
    """One migration task's live progress."""

    task_id: str
    source_id: str | None = None


@dataclass(frozen=True)
class SpeedLimits(Destination):
    """A task's speed-limit schedule, or one schedule for several tasks (``targets``)."""

    task_id: str | None
    label: str
    targets: Sequence[tuple[str | None, str]] | None = None


@dataclass(frozen=True)
class FailedServers(Destination):
    """The failed servers (``/v3/errors``)."""


@dataclass(frozen=True)
class TaskList(Destination):
    """Every migration task."""


@dataclass(frozen=True)
class Templates(Destination):
    """Target-server templates."""


@dataclass(frozen=True)
class Projects(Destination):
    """Migration projects."""


@dataclass(frozen=True)
class CreateTask(Destination):
    """The form for a new migration task of ``source`` (a source list item or detail)."""

    source: Any


# -- Dedicated hosts (ECS/DeH) -------------------------------------------------------------


@dataclass(frozen=True)
class MoveServers(Destination):
    """The move dialog for ECS servers (one, or every marked one), by server id.

    ``label`` names them for the dialog when the hosts view has not polled them yet (e.g. an
    SMS task's target server)."""

    server_ids: tuple[str, ...]
    label: str = ""


@dataclass(frozen=True)
class DrainHost(Destination):
    """The drain plan for one dedicated host."""

    host_id: str


@dataclass(frozen=True)
class HostJobs(Destination):
    """Every ECS job this dashboard started or saw."""


class Navigator(Protocol):
    """What screens may call on the app to move around (the app implements it)."""

    def open(self, destination: Destination) -> None:
        """Show ``destination``; the app decides how."""
