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


def test_started_freezes_the_launch_and_resumes_the_collector() -> None:
    gc.unfreeze()
    gc.disable()  # as tui.cli.main leaves it for the dashboard's start
    try:
        GcPolicy().started()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
    finally:
        gc.enable()
