"""The collector policy: what a poll leaves alive is frozen; cyclic garbage is collected at
the full pass every ``full_every`` polls."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from tui.gcpolicy import GcPolicy


@pytest.fixture(autouse=True)
def _thaw() -> Iterator[None]:
    yield
    gc.unfreeze()


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


def test_a_poll_freezes_what_is_alive() -> None:
    gc.unfreeze()
    GcPolicy().after_poll()
    assert gc.get_freeze_count() > 0
    assert gc.get_count()[0] < 50  # the young generation starts empty after the freeze


def test_cyclic_garbage_waits_for_the_full_pass() -> None:
    gc.unfreeze()
    policy = GcPolicy(full_every=3)
    node = Node()
    ref = weakref.ref(node)
    policy.after_poll()  # frozen while alive
    del node
    gc.collect()
    assert ref() is not None  # frozen: an ordinary collection does not see it
    policy.after_poll()
    assert ref() is not None
    policy.after_poll()  # the third: unfreeze, collect everything
    assert ref() is None


def test_the_start_freezes_without_counting_a_poll() -> None:
    gc.unfreeze()
    policy = GcPolicy(full_every=1)
    node = Node()
    ref = weakref.ref(node)
    policy.after_poll(count=False)
    del node
    assert policy.polls == 0 and gc.get_freeze_count() > 0
    policy.after_poll()  # the first poll with full_every=1: the full pass
    assert ref() is None


def test_the_collector_paused_at_launch_resumes_with_the_first_poll() -> None:
    gc.unfreeze()
    gc.disable()  # as tui.cli.main leaves it for the dashboard's start
    try:
        policy = GcPolicy()
        policy.started()
        assert gc.get_freeze_count() > 0  # what loading made is frozen
        assert not gc.isenabled()  # and the collector still paused until the first poll
        policy.after_poll(count=False)  # the snapshot frozen before its rows are made
        assert not gc.isenabled()
        policy.after_poll()  # the first poll is on the table
        assert gc.isenabled()
    finally:
        gc.enable()


def test_resume_without_a_poll_and_a_running_collector_is_left_alone() -> None:
    gc.disable()
    try:
        policy = GcPolicy()
        policy.started()
        policy.resume()  # the app's timer: no poll has landed (the server is unreachable)
        assert gc.isenabled()
        gc.disable()
        policy.resume()  # once only: a later call changes nothing
        assert not gc.isenabled()
    finally:
        gc.enable()
    policy = GcPolicy()
    policy.started()  # the collector was running (tests, an embedding program)
    policy.after_poll()
    assert gc.isenabled()


def test_a_full_collection_hands_free_heap_memory_back(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every full_every polls: collect, then malloc_trim, so RSS can come down after a poll's
    # ~20 MB of churn (glibc keeps freed heap mapped otherwise).
    import tui.gcpolicy as gp

    calls: list[int] = []
    monkeypatch.setattr(gp, "_malloc_trim", lambda: calls.append)
    policy = gp.GcPolicy(full_every=3)
    try:
        for _ in range(6):
            policy.after_poll()
    finally:
        gc.unfreeze()
    assert calls == [0, 0]
