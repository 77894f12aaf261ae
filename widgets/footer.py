"""Textual's key footer, without the work that made the first data frame wait ~100 ms.

Textual's ``Footer`` rebuilds every key each time the screen's bindings are refreshed (focus
moves, a screen resumes, a poll changes which actions apply): four full rebuilds of ~25 keys
before the source list's first data frame, 25–30 ms each. And each new ``FooterKey`` starts
with ``compact = True`` and is then bound to the footer's ``False``: two restyles of the key
(one CSS match over the whole sheet each) for a class it never keeps.

:class:`KeyFooter` draws the same keys, but rebuilds only when what it shows would change, and
gives each new key the footer's ``compact`` before it is mounted.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeyFooter(Footer):
    """The footer of every screen: Textual's ``Footer``, rebuilt only when its keys change."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[Any, ...] | None = None
        """What the last build showed (see :meth:`_keys_shown`); None before the first."""

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = self._keys_shown()
        compact = self.compact
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                # Set before mount, so the key is styled once, as it ends up: a key bound to
                # the footer's ``compact`` (``data_bind``) takes it; the palette key is not
                # bound and keeps FooterKey's default, True (tests compare with Textual's footer).
                own = compact if widget._reactive_connect else True
                widget.set_reactive(FooterKey.compact, own)
                widget.set_class(own, "-compact", update=False)
            yield widget

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        """Rebuild the keys unless they would come out as they are (the usual case: several
        refreshes of the same bindings land in one frame, each queuing a rebuild)."""
        if not self.is_attached:
            return
        if self._keys_shown() != self._shown:
            await self.recompose()

    def _keys_shown(self) -> tuple[Any, ...]:
        """Everything :meth:`Footer.compose` reads, so equal values draw the same keys."""
        app = self.app
        active = self.screen.active_bindings
        keys = tuple((binding.key, binding.action, binding.description, binding.group,
                      app.get_key_display(binding), enabled, tooltip)
                     for (_, binding, enabled, tooltip) in active.values() if binding.show)
        palette: tuple[Any, ...] = ()
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            entry = active.get(app.COMMAND_PALETTE_BINDING)
            if entry is not None:
                _, binding, enabled, tooltip = entry
                palette = (binding.key, binding.action, binding.description,
                           app.get_key_display(binding), enabled, tooltip, binding.tooltip)
        return keys, palette
