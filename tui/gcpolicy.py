"""When Python's cycle collector may run: a full pass over a 10,000-source dashboard froze
the event loop for 150–370 ms after every poll.

A full (generation 2) collection walks every container object alive: the modules, Textual's
widgets and the fleet snapshot, ~230,000 objects at 10k sources (260 ms on the 2-core test
machine). A poll replaces most of the snapshot, so one ran at almost every poll, and it was
the longest event-loop stall the dashboard had (``make bench-poll``).

So after each applied poll everything alive is moved to the permanent generation
(:func:`gc.freeze`): a later collection walks only what was made since, at most one poll's
objects. Frozen objects are still freed as usual when nothing refers to them (reference
counting; the models and rows hold no cycles). Only *cyclic* garbage among them waits: ~1,200
objects a poll at 10k sources (seen with ``DEBUG_SAVEALL``: Textual's drawn lines, ``Strip``
objects with their caches, that left a cache), and a closed screen's widgets.
:meth:`GcPolicy.after_poll` unfreezes and collects everything every ``full_every`` polls
(2 minutes at ``--refresh 5``): one full pause then, not one per poll, and that garbage
bounded by what two minutes leave behind.

That waiting garbage once held every page of every poll: httpx's client makes each response
and its body stream refer to each other, and the response keeps its body (~0.2 MB a page,
~11 MB a 10k poll), so RSS sawed between full passes and the heap's live bytes rose from 20 to
42-50 MB (found with ``mallinfo2`` and tracemalloc; a fixed ``M_MMAP_THRESHOLD``, ``M_ARENA_MAX``
1 and ``malloc_trim`` after every poll changed nothing: the memory was not free, it was
garbage). :meth:`tui.api.transport.Caller._send` now breaks that cycle, and a page is freed
when dropped. What still waits is ~100 small objects a poll (~15 KB: closures, futures, timer
handles); collecting them at every poll cost 7-10 ms of CPU, so they wait for the full pass.

At launch the collector is off (:func:`tui.cli.main` pauses it while the modules, the app and
its first screen load: everything made then stays alive, so its passes found nothing and cost
70-90 ms of the first frame). :meth:`GcPolicy.started` freezes all of it; the collector
resumes once the first poll is on the table (:meth:`GcPolicy.after_poll`), or when the app
calls :meth:`GcPolicy.resume` a few seconds after mount if no poll has landed by then.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable


class GcPolicy:
    """Freezes what a poll left alive; a full collection only every ``full_every`` polls."""

    def __init__(self, full_every: int = 24) -> None:
        self.full_every = full_every
        self.polls = 0
        self._paused = False
        """True from :meth:`started` (when the launch had paused the collector) to resume."""

    def after_poll(self, *, count: bool = True) -> None:
        """Call once the poll's rows are on the table (the snapshot is what stays alive);
        ``count=False`` freezes without counting a poll (at start: the modules and widgets,
        so the first poll's collections do not walk them)."""
        self.polls += count
        if count and self.polls % self.full_every == 0:
            gc.unfreeze()
            gc.collect()
            release_free_memory()
        gc.freeze()
        if count:
            self.resume()

    def started(self) -> None:
        """Call once the app is mounted: freeze what loading made (modules, the app, its
        widgets); a collector the launch paused stays paused until :meth:`resume`."""
        self._paused = self._paused or not gc.isenabled()
        self.after_poll(count=False)

    def resume(self) -> None:
        """Let the collector run again if :meth:`started` found it paused (idempotent)."""
        if self._paused:
            self._paused = False
            gc.enable()


@functools.cache
def _malloc_trim() -> Callable[[int], object] | None:
    """glibc's ``malloc_trim``, looked up once; None where the C library has none."""
    try:  # glibc by its soname (find_library would run ldconfig: ~30 ms on the loop)
        import ctypes

        trim: Callable[[int], object] | None = getattr(ctypes.CDLL("libc.so.6"),
                                                       "malloc_trim", None)
    except OSError:  # not glibc (musl, macOS): nothing to trim
        trim = None
    return trim


def release_free_memory() -> bool:
    """Hand the C heap's free pages back to the OS; False where the C library cannot.

    A poll at 10k sources allocates and frees ~20 MB (pages, records, rows). Python frees them,
    but glibc keeps the freed heap mapped; ``malloc_trim(0)`` returns the free pages. It
    costs 0.3-14 ms (loaded 2-core machine), once per full collection. Trimming after every
    poll as well was measured (15 min at 10k sources, same run): 2-4 MiB less RSS, no
    difference in growth, so it stays here."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
