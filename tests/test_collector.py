"""auditor.collector: the cyclic collector paused around million-object work, back after it
(nested blocks included), and a forked helper's collections leave the parent's objects alone."""

from __future__ import annotations

import gc

from auditor import collector, forking


def test_paused_restores_the_collector_after_the_block_and_after_an_error():
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():  # nested: the outer block turns it back on
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
    try:
        with collector.paused():
            raise ValueError("boom")
    except ValueError:
        pass
    assert gc.isenabled()


def _helper_state() -> tuple[bool, int]:
    return gc.isenabled(), gc.get_freeze_count()


def test_a_forked_helper_collects_its_own_objects_only(monkeypatch):
    monkeypatch.delenv("AUDITOR_HELPERS", raising=False)
    with collector.paused():  # forked while the parent's collector is off
        helper = forking.Beside(_helper_state)
        forked = helper.proc is not None
        enabled, frozen = helper.result()
    if forked:  # the helper: its collector on, the inherited objects frozen
        assert enabled and frozen > 1000
    else:  # no helper could be forked here: run inline, in this process
        assert not enabled
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_release_memory_collects_cycles_and_leaves_the_collector_as_it_was():
    import weakref

    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a  # a cycle: reference counting alone never frees it
    gone = weakref.ref(a)
    del a, b
    gc.disable()  # no automatic collection may free it before the call
    try:
        assert gone() is not None
        collector.release_memory()
        assert gone() is None
        assert not gc.isenabled()
    finally:
        gc.enable()
    collector.release_memory()  # again, with the collector on: nothing to free, no error
    assert gc.isenabled()
