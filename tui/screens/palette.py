"""Command palette (ctrl+p): jump to a source, open screens, change the refresh, toggle theme."""

from __future__ import annotations

from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui import navigation as nav

REFRESH_CHOICES = (2.0, 5.0, 10.0, 30.0, 60.0)
MAX_SOURCE_HITS = 50


def _open(app: Any, destination: nav.Destination) -> None:
    app.open(destination)


class MigdashCommands(Provider):
    """Sources by name, IP or ID, plus the dashboard's own commands."""

    def _commands(self) -> list[tuple[str, Any, str]]:
        app: Any = self.app
        from tui.views import VIEWS

        out: list[tuple[str, Any, str]] = [
            (f"Go to {v.title}", partial(_open, app, nav.GoToView(v.mode)), f"view {v.key}")
            for v in VIEWS
        ]
        out += [
            ("Open failed servers", app.open_failed, "the /v3/errors view"),
            ("Open help", app.action_help, "every key of every screen"),
            ("Open task list", app.open_tasks, "every migration task (k)"),
            ("Open templates", partial(_open, app, nav.Templates()),
             "target-server templates (V)"),
            ("Open migration projects", partial(_open, app, nav.Projects()),
             "switch, create, set default (P)"),
            ("Refresh now", app.action_refresh, "poll everything at once"),
            ("Toggle dark/light theme", app.toggle_theme, "switch the colour theme"),
        ]
        for seconds in REFRESH_CHOICES:
            out.append((f"Refresh every {seconds:g} s", partial(app.set_refresh, seconds),
                        "how often the fleet is polled"))
        return out

    async def discover(self) -> Hits:
        for text, action, help_text in self._commands():
            yield DiscoveryHit(text, action, help=help_text)

    async def search(self, query: str) -> Hits:
        app: Any = self.app
        matcher = self.matcher(query)
        for text, action, help_text in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), action, help=help_text)
        fleet = app.fleet
        if fleet is None or not query.strip():
            return
        needle = query.strip().lower()
        found = 0
        for source in fleet.snapshot.sources.values():
            name = source.name or ""
            if needle in name.lower() or needle in (source.ip or "") or needle in source.id:
                score = matcher.match(name) or 0.5
                yield Hit(score, f"Go to {name}  {source.ip or ''}",
                          partial(app.open_source, source.id),
                          help=f"{source.state or '?'} · {source.id}")
                found += 1
                if found >= MAX_SOURCE_HITS:
                    return
