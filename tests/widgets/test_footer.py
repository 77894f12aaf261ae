"""KeyFooter: the same keys as Textual's Footer, rebuilt only when they change (issue 14)."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from widgets.footer import KeyFooter


class KeysApp(App[None]):
    """Four keys: one hidden, one that applies only while ``armed``."""

    BINDINGS = [
        Binding("s", "start", "Start"),
        Binding("x", "stop", "Stop"),
        Binding("h", "hidden", "Hidden", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
    ]

    def __init__(self, footer: type[Footer], **footer_kw: Any) -> None:
        super().__init__()
        self.footer_type = footer
        self.footer_kw = footer_kw
        self.armed = True

    def compose(self) -> ComposeResult:
        yield self.footer_type(**self.footer_kw)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return True if self.armed else None  # None: shown, but disabled
        return True


def _keys(app: App[None]) -> list[tuple[str, str, str, bool, frozenset[str]]]:
    return [(k.key, k.key_display, k.description, k.compact, frozenset(k.classes))
            for k in app.screen.query(FooterKey)]


async def _settled(pilot: Any) -> None:
    """Two pauses: a rebuild is queued after a refresh, and the new keys mount after that."""
    await pilot.pause()
    await pilot.pause()


async def test_the_keys_are_textuals_footer_keys() -> None:
    for compact in (False, True):
        shown = []
        for footer in (Footer, KeyFooter):
            app = KeysApp(footer, compact=compact)
            async with app.run_test() as pilot:
                await _settled(pilot)
                shown.append(_keys(app))
        assert shown[0] == shown[1]  # keys, labels, compact style and classes
        assert [k[0] for k in shown[1]] == ["s", "x", "question_mark", "ctrl+p"]
        assert shown[1][2][1] == "?"


async def test_a_refresh_with_the_same_keys_keeps_them() -> None:
    app = KeysApp(KeyFooter)
    async with app.run_test() as pilot:
        await _settled(pilot)
        before = list(app.screen.query(FooterKey))
        for _ in range(3):
            app.screen.refresh_bindings()
        await _settled(pilot)
        assert list(app.screen.query(FooterKey)) == before  # the very same widgets


async def test_a_key_that_changes_is_redrawn() -> None:
    app = KeysApp(KeyFooter)
    async with app.run_test() as pilot:
        await _settled(pilot)
        assert not app.screen.query(".-disabled")
        app.armed = False
        app.screen.refresh_bindings()
        await _settled(pilot)
        assert [k.key for k in app.screen.query(FooterKey) if k.has_class("-disabled")] == ["x"]


async def test_keys_take_the_footers_compact_style() -> None:
    for compact in (False, True):
        app = KeysApp(KeyFooter, compact=compact)
        async with app.run_test() as pilot:
            await _settled(pilot)
            # The palette key is not bound to the footer's style (in Textual's footer neither).
            keys = [k for k in app.screen.query(FooterKey) if not k.has_class("-command-palette")]
            assert len(keys) == 3 and all(k.compact is compact for k in keys)
            assert all(k.has_class("-compact") is compact for k in keys)
            app.screen.query_one(KeyFooter).compact = not compact  # still bound to the footer
            await _settled(pilot)
            assert all(k.has_class("-compact") is not compact for k in keys)
