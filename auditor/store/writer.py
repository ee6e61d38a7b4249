"""The write transaction of one ingested table, inline or in a forked writer process.

An ingest stores each table in one transaction that holds the database write lock (see
``ingest.pipeline``). Storing is mostly the driver's ``executemany`` (SQLite) or COPY
(PostgreSQL): CPU work that does not release the GIL for long, so a thread cannot overlap it
with the normalisation of the next chunk. On a multi-core machine ``table_writer`` therefore
forks a writer process that owns the transaction: the ingest sends it each chunk's rows (a
pickled Arrow-backed frame, about 0.1 s per 100 MB) and goes on with the next chunk while the
writer stores them. At most one chunk waits in the pipe, so memory stays bounded.

Nothing about the transaction changes: the writer takes the same lock, reads the same stored
hashes, archives the same revisions and commits only when the ingest says so. If the ingest
fails or is killed, the writer's pipe ends and it rolls back; an error in the writer is raised
in the ingest at the latest when it commits. The commit itself runs while the ingest prepares the
next table's first chunk (``wait`` collects it before that table reads the stored rows). ``AUDITOR_WRITER=0`` (or a process that may not
fork, or an in-memory SQLite database) keeps everything inline.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from auditor import forking, ledger
from auditor.ingest.normalise import arrow_text
from auditor.ingest.schema import TABLES
from auditor.store import db, models

log = logging.getLogger("auditor.ingest")  # a revision is the ingest's news


class InlineWriter:
    """The table's transaction on this process's connection."""

    def __init__(self, engine: Engine, table: str) -> None:
        self.engine, self.table = engine, table
        self._begin: Any = None
        self.conn: sa.Connection | None = None
        # the stored rows' hashes as this transaction read them, and what it changed since: the
        # table's hash snapshot is written from them before the commit (``keep_snapshot``)
        self._hashes: pa.Table | None = None
        self._added: list[pa.Table] = []
        self._gone: list[pa.Array] = []
        self._rehashed: list[tuple[pa.Array, pa.Array]] = []

    def __enter__(self) -> InlineWriter:
        self._begin = self.engine.begin()
        self.conn = self._begin.__enter__()
        db.begin_write(self.conn)
        self._cache = db.bulk_cache(self.conn)  # the table's indexes stay in memory while it writes
        self._cache.__enter__()
        return self

    def __exit__(self, *exc: Any) -> bool | None:
        try:
            if exc[0] is None:
                self.keep_snapshot()
        finally:
            self._cache.__exit__(None, None, None)
        return self._begin.__exit__(*exc)

    def wait(self) -> None:
        """The commit is done when the ``with`` block ends."""

    def discard(self) -> None:
        """Nothing began yet (the transaction begins when the ``with`` block is entered)."""

    def stored_hashes(self) -> pa.Table:
        """id, row_hash and raw_hash of the table's stored rows (``db.stored_hash_table``)."""
        hashes = db.stored_hash_table(self.conn, self.table)
        # what the transaction changes is followed only where a snapshot is kept (SQLite)
        self._hashes = hashes if db.snapshots_kept(self.conn) else None
        self._added, self._gone, self._rehashed = [], [], []  # what they already hold
        return hashes

    def set_raw_hashes(self, ids: pd.Series, raw_hashes: pd.Series) -> None:
        db.set_raw_hashes(self.conn, self.table, ids, raw_hashes)
        if self._hashes is not None:
            self._rehashed.append((arrow_text(ids), arrow_text(raw_hashes)))

    def insert(self, target: str, frame: pd.DataFrame) -> None:
        db.insert_frame(self.conn, _table(target), frame)
        if target == self.table and self._hashes is not None:
            self._added.append(pa.table({"id": arrow_text(frame[TABLES[target].id_column]),
                                         "row_hash": arrow_text(frame["row_hash"]), "raw_hash": arrow_text(frame["raw_hash"])}))

    def insert_quarantine(self, frame: pd.DataFrame) -> None:
        db.insert_quarantine(self.conn, frame)

    def archive(self, *args: Any) -> None:
        archive_revisions(self.conn, self.table, *args)
        if self._hashes is not None:
            self._gone.append(arrow_text(args[0]))

    def keep_snapshot(self) -> bool:
        """Write the table's hash snapshot (``db.save_hash_snapshot``) from the hashes this
        transaction read and what it changed; not when it read none. Never fails the ingest: a
        snapshot that cannot be made is dropped, and the next ingest fetches the hashes."""
        if self._hashes is None:
            return False
        try:
            after = hashes_after(self._hashes, self._added, self._gone, self._rehashed)
            return db.save_hash_snapshot(self.conn, self.table, after)
        except Exception:  # noqa: BLE001 - a cache: the ingest's rows are what counts
            log.debug("%s: hash snapshot not kept", self.table, exc_info=True)
            with contextlib.suppress(Exception):
                s = models.HashSnapshot.__table__
                self.conn.execute(sa.delete(s).where(s.c.table_name == self.table))
            return False


def hashes_after(before: pa.Table, added: list[pa.Table], gone: list[pa.Array],
                 rehashed: list[tuple[pa.Array, pa.Array]]) -> pa.Table:
    """The stored rows' hashes (``db.HASH_COLUMNS``) after a transaction that read ``before``,
    deleted (archived) the rows with ids ``gone``, set the raw hash of stored rows
    (``rehashed``: ids and their new raw hashes) and inserted ``added``. No id repeats in the
    result: those of ``before`` and ``added`` are the table's primary keys (an insert of a stored
    id fails the transaction), and a rehashed id must be stored, once, and not archived."""
    cols = db.HASH_COLUMNS
    before = pa.table({c: before[c].combine_chunks().cast(pa.large_string()) for c in cols})
    parts = []
    drop = [*gone, *(ids for ids, _ in rehashed)]
    if rehashed:
        ids = pa.concat_arrays([i for i, _ in rehashed])
        pos = pc.index_in(ids, value_set=before["id"])
        if pos.null_count:
            raise ValueError("a raw hash was set on a row that was not stored")
        if pc.count_distinct(ids).as_py() != len(ids) or (gone and pc.any(pc.is_in(
                ids, value_set=pa.concat_arrays(gone))).as_py()):
            raise ValueError("a raw hash was set twice on a row, or on a row archived")
        parts.append(pa.table({"id": ids, "row_hash": before["row_hash"].take(pos),
                               "raw_hash": pa.concat_arrays([r for _, r in rehashed])}))
    if drop:
        before = before.filter(pc.invert(pc.is_in(before["id"], value_set=pa.concat_arrays(drop))))
    return pa.concat_tables([before, *parts, *(a.select(list(cols)) for a in added)])


def archive_revisions(conn, table: str, ids: pd.Series, old_hashes: pd.Series, new_hashes: pd.Series,
                       ingest_id: str) -> None:
    """Move the current versions of ``ids`` to ``input_revisions`` and delete them from the table."""
    id_list = [str(i) for i in ids]
    old = ledger.row_contents(conn, table, id_list).set_index("id")
    new_hash = pd.Series(new_hashes.to_numpy(), index=id_list)
    old_hash = pd.Series(old_hashes.to_numpy(), index=id_list)
    rev = pd.DataFrame({
        "table_name": table,
        "record_id": old.index.astype(str),
        "old_ingest_id": old["ingest_id"].to_numpy(),
        "new_ingest_id": ingest_id,
        "old_row_hash": old_hash.reindex(old.index).astype(str).to_numpy(),
        "new_row_hash": new_hash.reindex(old.index).astype(str).to_numpy(),
        "old_content": old["content"].to_numpy(),
        "revised_at": datetime.now(UTC),
    })
    db.insert_frame(conn, models.InputRevision.__table__, rev)
    t = models.INPUT_MODELS[table].__table__
    col = t.c[TABLES[table].id_column]
    for start in range(0, len(id_list), 500):
        conn.execute(sa.delete(t).where(col.in_(id_list[start : start + 500])))
    log.warning("%s: %d stored row(s) revised; earlier versions kept in input_revisions", table, len(id_list),
                extra={"table": table, "revised": len(id_list)})


def _table(name: str) -> sa.Table:
    return SQLModel.metadata.tables[name]


class ForkedWriter:
    """The table's transaction in a forked writer process (same calls as ``InlineWriter``)."""

    def __init__(self, proc, conn) -> None:
        self.proc, self.conn = proc, conn
        # the writer sends the stored rows' hashes unasked, as soon as its transaction has begun:
        # they are read and sent while the ingest reads the file's ids and first chunk
        self._ahead = True

    def _call(self, *msg: Any) -> Any:
        self.conn.send(msg)
        status, value = self.conn.recv()
        if status == "error":
            raise value
        return value

    def stored_hashes(self) -> pa.Table:
        if not self._ahead:
            return self._call("hashes")
        self._ahead = False
        status, value = self.conn.recv()
        if status == "error":
            raise value
        return value

    def discard(self) -> None:
        """End the writer before its transaction was used (its process rolls back and ends)."""
        self._close()

    def set_raw_hashes(self, ids: pd.Series, raw_hashes: pd.Series) -> None:
        self.conn.send(("raw_hashes", ids, raw_hashes))

    def insert(self, target: str, frame: pd.DataFrame) -> None:
        self.conn.send(("insert", target, frame))  # no reply: the next chunk is prepared meanwhile

    def insert_quarantine(self, frame: pd.DataFrame) -> None:
        self.conn.send(("quarantine", frame))

    def archive(self, *args: Any) -> None:
        self.conn.send(("archive", *args))

    def __enter__(self) -> ForkedWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.conn.send(("commit",))  # the caller goes on; ``wait`` collects the outcome
            self.committing = True
            return
        self._close()

    def wait(self) -> None:
        """Wait until the commit is done; raise the writer's error if it failed."""
        if not getattr(self, "committing", False):
            return
        self.committing = False
        try:
            if self._ahead:  # the hashes sent unasked were never asked for
                self._ahead = False
                self.conn.recv()
            status, value = self.conn.recv()
        except (EOFError, OSError):
            status, value = "error", RuntimeError("the database writer process ended before committing")
        finally:
            self._close()
        if status == "error":
            raise value

    def _close(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.close()  # without a commit the writer rolls back
        self.proc.join()


def table_writer(engine: Engine, table: str) -> InlineWriter | ForkedWriter:
    """The writer of ``table``'s ingest transaction (see the module docstring)."""
    url = engine.url
    if (not forking.disabled("AUDITOR_WRITER")
            and not (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"))):
        started = forking.spawn(_serve, url.render_as_string(hide_password=False), table,
                                name=f"writer-{table}", duplex=True)
        if started is not None:
            return ForkedWriter(*started)
    return InlineWriter(engine, table)


def _serve(conn, url: str, table: str) -> None:  # pragma: no cover - forked helper (tested via subprocess)
    try:
        engine = db.get_engine(url)  # its own connections: never the parent's pooled ones
    except Exception as exc:  # noqa: BLE001 - raised in the ingest at its first call
        _send_error(conn, exc)
        return
    failed: BaseException | None = None
    try:
        with InlineWriter(engine, table) as w:
            try:  # unasked (``ForkedWriter._ahead``): the ingest needs them before anything else
                conn.send(("ok", w.stored_hashes()))
            except Exception as exc:  # noqa: BLE001 - raised in the ingest
                failed = exc
                _send_error(conn, exc)
            while True:
                op, *args = conn.recv()  # EOF (the ingest failed or died): roll back
                if op == "commit":
                    if failed is not None:
                        raise failed
                    break
                if failed is not None:
                    continue  # the error is reported at the commit; the transaction rolls back
                try:
                    if op == "hashes":
                        conn.send(("ok", w.stored_hashes(*args)))
                    elif op == "insert":
                        w.insert(*args)
                    elif op == "quarantine":
                        w.insert_quarantine(*args)
                    elif op == "archive":
                        w.archive(*args)
                    elif op == "raw_hashes":
                        w.set_raw_hashes(*args)
                except Exception as exc:  # noqa: BLE001 - raised in the ingest
                    failed = exc
                    if op == "hashes":
                        _send_error(conn, exc)
                del args
    except (EOFError, OSError):
        return
    except Exception as exc:  # noqa: BLE001 - raised in the ingest
        _send_error(conn, exc)
        return
    finally:
        engine.dispose()
    conn.send(("ok", None))


def _send_error(conn, exc: BaseException) -> None:  # pragma: no cover - forked helper
    try:
        conn.send(("error", exc))
    except Exception:  # noqa: BLE001 - an error that does not pickle: its text
        with contextlib.suppress(Exception):
            conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
