"""Python's cyclic garbage collector around work that makes millions of objects.

Reading a million findings makes millions of tuples and dicts, none of them in a reference
cycle: reference counting frees each when it goes. The cyclic collector still walks the young
ones every 700 allocations and, now and then, every object alive; at a million findings that
walking cost 2-3 s of the report stage and 2 s of the ledger's digest of a run's outputs.
:func:`paused` turns it off for such a block (it comes back on after; nested blocks leave it to
the outermost). A forked helper freezes what it inherited (:func:`inherited`), so its own
collections never touch, and so never copy, the parent's pages.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection within the block (reference counting still frees what it can)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def inherited() -> None:
    """In a forked helper: the objects inherited from the parent are left out of this process's
    collections (``gc.freeze``; its collector on), as the Python documentation advises for a
    fork without exec: a collection writes to each object it walks, copying the page it is on."""
    gc.freeze()
    gc.enable()


#: rows (of a partition, of findings) below which ``release_memory`` is not worth its collection
#: (a full collection in a process holding many objects takes tens of milliseconds)
RELEASE_ROWS = 50_000


def release_memory() -> None:
    """Hand memory this process no longer uses back to the system between two stages of a run:
    a collection (objects in cycles), Arrow's unused pool memory, and glibc's free lists
    (``malloc_trim``: freed small blocks stay with the process otherwise, and a helper forked
    later would share those pages, copied as soon as either side reuses them). Costs a fraction
    of a second; nothing where glibc or its ``malloc_trim`` is absent."""
    import ctypes  # noqa: PLC0415

    gc.collect()
    with contextlib.suppress(ImportError):
        import pyarrow as pa  # noqa: PLC0415

        pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # the symbols already loaded: glibc's, if it is glibc
        ctypes.CDLL(None).malloc_trim(0)
