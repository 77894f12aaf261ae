"""Speed history per task, in bounded memory.

Fleet polls record a point for every running task (so the task screen opens with a past), the
task poll records the open task every second. Each task keeps at most ``per_task`` points (fewer
when the caller says so: the fleet keeps 60) in a
flat ``array('d')`` (16 bytes a point instead of a 100-byte tuple), and a task that stops
running is forgotten: at 5,000 running tasks this is ~5 MB, flat, where a list of tuples capped
at 3,600 points grew by ~1.5 MiB a minute towards a gigabyte.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator


class SpeedHistory:
    """``(time, MB/s)`` points per task id, the newest ``per_task`` of them."""

    def __init__(self, per_task: int = 300) -> None:
        self.per_task = max(1, per_task)
        self._points: dict[str, array[float]] = {}

    def record(self, task_id: str, now: float, speed: float, *, keep: int | None = None) -> None:
        """Append one point; the oldest falls off past ``keep`` (default ``per_task``)."""
        self.record_many(((task_id, speed),), now, keep=keep)

    def record_many(self, points: Iterable[tuple[str, float]], now: float, *,
                    keep: int | None = None) -> None:
        """:meth:`record` for many tasks at once: a fleet poll records thousands (one call
        per task was ~40 % of that bookkeeping at 10k sources)."""
        limit = 2 * min(self.per_task, keep or self.per_task)
        table = self._points
        for task_id, speed in points:
            series = table.get(task_id)
            if series is None:
                series = table[task_id] = array("d")
            series.extend((now, speed))
            if len(series) > limit:
                del series[: len(series) - limit]

    def points(self, task_id: str) -> tuple[tuple[float, float], ...]:
        """The task's points, oldest first."""
        flat = self._points.get(task_id)
        if flat is None:
            return ()
        return tuple(zip(flat[0::2], flat[1::2], strict=True))

    def keep_only(self, task_ids: Iterable[str]) -> None:
        """Forget every task not in ``task_ids`` (tasks that stopped running or went away)."""
        keep = set(task_ids)
        for gone in [t for t in self._points if t not in keep]:
            del self._points[gone]

    def __contains__(self, task_id: object) -> bool:
        return task_id in self._points

    def __getitem__(self, task_id: str) -> tuple[tuple[float, float], ...]:
        if task_id not in self._points:
            raise KeyError(task_id)
        return self.points(task_id)

    def __iter__(self) -> Iterator[str]:
        return iter(self._points)

    def __len__(self) -> int:
        return len(self._points)
