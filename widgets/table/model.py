"""The table's rows, in display order, kept up to date by key without Textual.

The order is a sorted list of *entries* ``(sort_value, seq, key)``. ``seq`` is a per-key
sequence number given when the key first arrives, so entries never tie and the key is never
compared; with no sort column every ``sort_value`` is ``0`` and rows keep arrival order.
Two lists share that ordering: every row, and the rows that pass the filter and predicate
(the same list object while nothing filters). Reversing the sort does not re-sort: the view
reads the ascending list from the end.

A poll that changes a few rows moves only those entries (bisect out, bisect in); a poll that
changes many rebuilds from the unchanged run plus the sorted changes, which ``list.sort``
merges in roughly linear time. Filtering never sorts: it selects from the ordered list.

A sort may also be made over several event-loop turns (a 10k table's sort values are tens of
milliseconds): :meth:`RowModel.track_changes`, then :meth:`RowModel.sort_entries` a batch at a
time, then :meth:`RowModel.sort_by` with those sorted runs, which remakes only the entries of
rows that changed meanwhile and merges the runs.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from widgets.table.cells import Column, Row, SortValue, natural_key, plain

Predicate = Callable[[str, Row], bool]
"""Keeps a row when it returns true: ``(key, row) -> bool``."""

Entry = tuple[SortValue, int, str]

# Below this many moved rows, bisecting each one is cheaper than a merge of the whole list.
_BISECT_LIMIT = 48


class RowModel:
    """Rows by key, their versions, sort entries and search haystacks, in view order."""

    def __init__(self, columns: Sequence[Column]) -> None:
        self.columns: tuple[Column, ...] = tuple(columns)
        self._by_key = {column.key: column for column in self.columns}
        self._searchable = tuple(c.key for c in self.columns
                                 if c.searchable and not c.prefix_search)
        self._prefixed = tuple(c.key for c in self.columns if c.searchable and c.prefix_search)
        self.rows: dict[str, Row] = {}
        self.versions: dict[str, int] = {}
        """A row's version: a new number each time its row changes, never one the model gave
        before (a row that leaves and comes back must not match a line drawn for its old self)."""
        self._next_version = 0
        self._seq: dict[str, int] = {}
        self._next_seq = 0
        self._entry: dict[str, Entry] = {}
        self._hay: dict[str, str] = {}
        self._all: list[Entry] = []
        self._visible: list[Entry] = self._all
        self._shown: set[str] | None = None  # None while nothing filters
        self.needle = ""
        self.predicate: Predicate | None = None
        self.sort_column: str | None = None
        self.reverse = False
        self._since: set[str] | None = None  # keys changed since track_changes()

    # -- reading -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._visible)

    @property
    def total(self) -> int:
        """Rows held, filtered or not."""
        return len(self.rows)

    @property
    def filtering(self) -> bool:
        """Whether a filter text or predicate hides rows."""
        return self._shown is not None

    def key_at(self, index: int) -> str:
        """The key shown at view ``index`` (0 is the top row)."""
        visible = self._visible
        return visible[len(visible) - 1 - index if self.reverse else index][2]

    def keys(self) -> list[str]:
        """Visible keys in view order."""
        keys = [entry[2] for entry in self._visible]
        if self.reverse:
            keys.reverse()
        return keys

    def entry(self, key: str) -> Entry | None:
        """The ordering entry of ``key``, kept so a vanished row's place can be found."""
        return self._entry.get(key)

    def is_visible(self, key: str) -> bool:
        """Whether ``key`` is held and passes the filter and predicate."""
        if key not in self.rows:
            return False
        return self._shown is None or key in self._shown

    def index_of(self, key: str) -> int | None:
        """View index of a visible key, in O(log n)."""
        if not self.is_visible(key):
            return None
        ascending = bisect_left(self._visible, self._entry[key])
        return len(self._visible) - 1 - ascending if self.reverse else ascending

    def nearest_index(self, entry: Entry) -> int | None:
        """View index of the row that now stands where ``entry`` would be, or ``None``."""
        count = len(self._visible)
        if not count:
            return None
        ascending = bisect_left(self._visible, entry)
        # The row that follows in view order took its place: the next larger ascending,
        # the next smaller when reversed.
        index = ascending if not self.reverse else count - ascending
        return min(max(index, 0), count - 1)

    # -- writing -------------------------------------------------------------------------

    def replace(self, rows: Mapping[str, Row]) -> None:
        """Take a full snapshot; keys seen before keep their arrival order."""
        old_rows, old_versions = self.rows, self.versions
        if self._since is not None:
            self._since.update(old_rows, rows)
        self.rows = dict(rows)
        self.versions = {}
        for key, row in self.rows.items():
            before = old_rows.get(key)
            version = old_versions.get(key, -1)
            # An unchanged row keeps its version, so its cached line survives the snapshot.
            self.versions[key] = (version if before is not None and before == row
                                  else self._new_version())
            if key not in self._seq:
                self._seq[key] = self._next_seq
                self._next_seq += 1
        for key in [k for k in self._seq if k not in self.rows]:
            del self._seq[key]
        self._hay = {key: self._haystack(row) for key, row in self.rows.items()}
        self._reorder()

    def _new_version(self) -> int:
        self._next_version += 1
        return self._next_version

    def apply(self, changed: Mapping[str, Row], removed: Iterable[str]) -> set[str]:
        """Apply one poll's changes; returns the keys whose version moved or that left."""
        touched: set[str] = set()
        moved: list[tuple[Entry | None, Entry, str]] = []  # (old, new, key)
        gone: list[Entry] = []
        shown = self._shown
        value, seq = self._sort_value(), self._seq
        for key in removed:
            if key in self.rows:
                del self.rows[key], self.versions[key], self._seq[key], self._hay[key]
                gone.append(self._entry.pop(key))
                if shown is not None:
                    shown.discard(key)
                touched.add(key)
        for key, row in changed.items():
            old_row = self.rows.get(key)
            if old_row is not None and (old_row is row or old_row == row):
                continue  # the poll said "changed" but nothing visible did
            self.rows[key] = row
            self.versions[key] = self._new_version()
            if key not in self._seq:
                self._seq[key] = self._next_seq
                self._next_seq += 1
            if old_row is None or self._search_cells_differ(old_row, row):
                self._hay[key] = self._haystack(row)  # names and addresses seldom change
            touched.add(key)
            old = self._entry.get(key)
            new = (0 if value is None else value(row), seq[key], key)
            was_shown = old is not None and (shown is None or key in shown)
            now_shown = shown is None or self._passes(key, row)
            if shown is not None:
                if now_shown:
                    shown.add(key)
                else:
                    shown.discard(key)
            if old != new or was_shown != now_shown:
                self._entry[key] = new
                moved.append((old, new, key))
        if self._since is not None:
            self._since.update(touched)
        if len(moved) + len(gone) <= _BISECT_LIMIT:
            self._bisect_moves(gone, moved)
        else:
            self._merge_moves(gone, moved)
        return touched

    def set_needle(self, text: str) -> None:
        """Filter by a case-insensitive substring of the searchable columns."""
        needle = text.strip().casefold()
        if needle == self.needle:
            return
        narrowing = bool(self.needle) and self.needle in needle
        self.needle = needle
        if narrowing and self._shown is not None:
            # Typing one more character can only hide rows: look at the shown ones only.
            matches = self._matches
            self._visible = [e for e in self._visible if matches(e[2], needle)]
            self._shown = {e[2] for e in self._visible}
        else:
            self._refilter()

    def set_predicate(self, predicate: Predicate | None) -> None:
        """Keep only rows for which ``predicate(key, row)`` is true; ``None`` keeps all."""
        self.predicate = predicate
        self._refilter()

    def sort_by(self, column_key: str | None, reverse: bool = False,
                made: Sequence[list[Entry]] | None = None) -> None:
        """Order by a column (``None``: arrival order); reversing alone costs nothing.

        ``made``: sorted runs of entries from :meth:`sort_entries` for this column, made since
        :meth:`track_changes`; rows that changed, came or left since are put right here."""
        if column_key is not None and column_key not in self._by_key:
            raise KeyError(f"no column {column_key!r}")
        self.reverse = reverse
        if column_key != self.sort_column:
            self.sort_column = column_key
            self._reorder(made)
        self._since = None

    def track_changes(self) -> None:
        """Note from now on which keys change (a sort made over several turns fixes up only
        those when it is installed)."""
        self._since = set()

    def sort_entries(self, column_key: str | None, keys: Iterable[str]) -> list[Entry]:
        """The ordering entries ``keys`` would have sorted by ``column_key``, sorted, changing
        nothing (a sort spread over several turns makes them a batch at a time; keys no
        longer held are left out)."""
        value = self._sort_value(column_key)
        rows, seq = self.rows, self._seq
        if value is None:
            entries = [(0, seq[key], key) for key in keys if key in rows]
        else:
            entries = [(value(rows[key]), seq[key], key) for key in keys if key in rows]
        entries.sort()
        return entries

    # -- internals -----------------------------------------------------------------------

    def _haystack(self, row: Row) -> str:
        hay = "\x00".join(plain(row.get(key)) for key in self._searchable).casefold()
        if self._prefixed:
            # Prefix columns follow a \x01 each: "\x01" + needle finds them from their start.
            hay += "".join("\x01" + plain(row.get(key)).casefold() for key in self._prefixed)
        return hay

    def _matches(self, key: str, needle: str) -> bool:
        hay = self._hay[key]
        if needle not in hay or not self._prefixed:
            return needle in hay  # most rows end here: no copy, one scan
        cut = hay.find("\x01")
        return needle in hay[:cut] or "\x01" + needle in hay[cut:]

    def _search_cells_differ(self, old: Row, new: Row) -> bool:
        for column in (*self._searchable, *self._prefixed):
            if old.get(column) != new.get(column):
                return True
        return False

    def _sort_value(self, column_key: str | None = "") -> Callable[[Row], SortValue] | None:
        """A column's sort value of a row (default: the current column's); ``None`` for
        arrival order."""
        column = self._by_key.get((self.sort_column if column_key == "" else column_key) or "")
        if column is None:
            return None
        if column.sort_key is not None:
            return column.sort_key
        cell_key = column.key
        return lambda row: natural_key(row.get(cell_key))

    def _passes(self, key: str, row: Row) -> bool:
        if self.needle and not self._matches(key, self.needle):
            return False
        return self.predicate is None or self.predicate(key, row)

    def _reorder(self, made: Sequence[list[Entry]] | None = None) -> None:
        since = self._since
        if made is not None and since is not None:
            self._install(made, since)
            return
        # One pass with the column looked up once: this is the whole of a sort's cost at
        # 10,000 rows, on the event loop.
        column, seq = self._by_key.get(self.sort_column or ""), self._seq
        if column is None:
            self._entry = {key: (0, seq[key], key) for key in self.rows}
        elif column.sort_key is not None:
            value = column.sort_key
            self._entry = {key: (value(row), seq[key], key) for key, row in self.rows.items()}
        else:
            cell = column.key
            self._entry = {key: (natural_key(row.get(cell)), seq[key], key)
                           for key, row in self.rows.items()}
        self._all = sorted(self._entry.values())
        self._refilter()

    def _install(self, made: Sequence[list[Entry]], since: set[str]) -> None:
        # Entries of keys that changed, came or left since the runs were made are dropped
        # and made again; the sorted runs are merged by one sort (Timsort finds the runs).
        entries = [entry for run in made for entry in run if entry[2] not in since]
        entries.extend(self.sort_entries(self.sort_column, since))
        entries.sort()
        self._all = entries
        self._entry = {entry[2]: entry for entry in entries}
        self._refilter()

    def _refilter(self) -> None:
        if not self.needle and self.predicate is None:
            self._visible = self._all
            self._shown = None
            return
        rows, passes = self.rows, self._passes
        self._visible = [e for e in self._all if passes(e[2], rows[e[2]])]
        self._shown = {e[2] for e in self._visible}

    def _bisect_moves(
        self, gone: list[Entry], moved: list[tuple[Entry | None, Entry, str]]
    ) -> None:
        lists = [self._all] if self._visible is self._all else [self._all, self._visible]
        for entry in gone:
            for entries in lists:
                _discard(entries, entry)
        shown = self._shown
        for old, new, key in moved:
            if old is not None:
                for entries in lists:
                    _discard(entries, old)
            insort(self._all, new)
            if shown is not None and key in shown:
                insort(self._visible, new)

    def _merge_moves(self, gone: list[Entry], moved: list[tuple[Entry | None, Entry, str]]) -> None:
        # By identity: the old entries are alive in ``gone``/``moved``, so ids are unique, and
        # testing id(e) does not read each of 10,000 tuples scattered over the heap.
        stale = {id(entry) for entry in gone} | {id(old) for old, _, _ in moved if old is not None}
        kept = [e for e in self._all if id(e) not in stale]
        # Two sorted runs: Timsort finds both and merges them.
        kept.extend(sorted(new for _, new, _ in moved))
        kept.sort()
        self._all = kept
        shown = self._shown
        self._visible = kept if shown is None else [e for e in kept if e[2] in shown]


def _discard(entries: list[Entry], entry: Entry) -> None:
    index = bisect_left(entries, entry)
    if index < len(entries) and entries[index] == entry:
        del entries[index]
