"""Keys waiting to become rows: a big snapshot is shown over several event-loop turns.

Building 10,000 rows and ordering them in one go held the event loop for 150–220 ms on the
first poll of a 10k fleet (keys and redraws waited). The table takes the first few hundred
at once (more than a screen shows) and the rest a batch per turn, in the snapshot's order,
so the rows end in the same order a single :meth:`~widgets.table.view.TableView.set_rows`
gives them. Rows are made when their batch comes, by a callback that reads the owner's
latest data: a poll that lands meanwhile needs no row for a key still waiting. A poll that
changed thousands of rows off screen remakes them the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from widgets.table.cells import Row

Build = Callable[[str], Row | None]
"""Makes the row of a key when its batch comes; ``None``: the key is gone, skip it."""


class RowFeed:
    """Keys waiting for their row, in arrival order, and the callback that makes each."""

    def __init__(self) -> None:
        self._waiting: dict[str, None] = {}  # an ordered set
        self._build: Build | None = None

    def __len__(self) -> int:
        return len(self._waiting)

    def __contains__(self, key: object) -> bool:
        return key in self._waiting

    def __iter__(self) -> Iterator[str]:
        return iter(self._waiting)

    @property
    def build(self) -> Build | None:
        """What makes a waiting key's row (``None`` once none waits)."""
        return self._build

    def start(self, keys: Iterable[str], build: Build) -> None:
        """Wait for ``keys`` (in this order) instead of whatever waited before."""
        self._waiting = dict.fromkeys(keys)
        self._build = build

    def clear(self) -> None:
        """Forget every waiting key."""
        self._waiting.clear()
        self._build = None

    def extend(self, keys: Iterable[str], build: Build) -> None:
        """Wait for ``keys`` too, made by ``build`` from now on (for every waiting key)."""
        self.add(keys)
        self._build = build

    def add(self, keys: Iterable[str]) -> None:
        """Wait for ``keys`` too, after those already waiting (a waiting key keeps its place)."""
        for key in keys:
            self._waiting.setdefault(key, None)

    def discard(self, keys: Iterable[str]) -> None:
        """Stop waiting for ``keys`` (they went away)."""
        for key in keys:
            self._waiting.pop(key, None)

    def take(self, count: int) -> dict[str, Row]:
        """The rows of the next ``count`` waiting keys, in order (gone keys left out)."""
        return self.take_keys(list(islice(self._waiting, max(count, 0))))

    def take_keys(self, keys: Iterable[str]) -> dict[str, Row]:
        """The rows of those of ``keys`` that wait (gone keys left out)."""
        keys = [key for key in keys if key in self._waiting]
        for key in keys:
            del self._waiting[key]
        build = self._build
        if build is None:
            return {}
        rows: dict[str, Row] = {}
        for key in keys:
            row = build(key)
            if row is not None:
                rows[key] = row
        if not self._waiting:
            self._build = None  # holds the owner's data: let it go with the last batch
        return rows
