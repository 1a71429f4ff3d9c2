"""``tune_gc``: what a service process has loaded is frozen out of the collector's walks, young
passes come every ``gen0_threshold`` allocations, and cyclic garbage made afterwards is still
collected."""

from __future__ import annotations

import gc
import weakref

import pytest

from core.runtime import tune_gc


@pytest.fixture()
def restored_gc():
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_tuning_freezes_what_is_loaded_and_spaces_young_passes(restored_gc):
    loaded = _Node()
    tune_gc(20000)
    assert gc.get_threshold()[0] == 20000
    assert gc.get_freeze_count() > 0
    assert not any(o is loaded for o in gc.get_objects())  # frozen: outside every generation


def test_zero_keeps_pythons_threshold(restored_gc):
    before = gc.get_threshold()
    tune_gc(0)
    assert gc.get_threshold() == before


def test_cycles_made_after_tuning_are_still_collected(restored_gc):
    tune_gc(20000)
    garbage = _Node()
    gone = weakref.ref(garbage)
    del garbage
    gc.collect()
    assert gone() is None


def test_the_heap_is_trimmed_once_every_so_many_tasks(monkeypatch):
    from core import runtime

    trims: list[int] = []
    monkeypatch.setattr(runtime, "_malloc_trim", trims.append)
    monkeypatch.setattr(runtime, "_tasks", 0)
    for _ in range(250):
        runtime.trim_heap_every(100)
    assert trims == [0, 0]  # after the 100th and the 200th task, malloc_trim(0)


def test_trimming_is_real_on_this_platform():
    from core import runtime

    assert runtime._malloc_trim is not None  # glibc: the worker's trim is not a silent no-op here
    assert runtime._malloc_trim(0) in (0, 1)
