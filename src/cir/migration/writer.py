"""Writing the migration into the register: many rows, one transaction, while it is planned.

:class:`MigrationWriter` takes the persons as soon as the rules know them and then the dossiers
one by one, as they are built; the caller holds the transaction. PostgreSQL gets COPY (the
fastest way in) from a second thread, so it loads while Python is still building (decision
0007); SQLite gets batched inserts of the same rows. The rows, with the ids that let
them reference each other without a round trip, come from :mod:`.rows` as COPY text; the
sequences are reset afterwards.
"""

from __future__ import annotations

import queue
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import Any

from django.db import connection
from django.db.models import Max, Model
from django.utils import timezone

from cir.domain.migration.inputs import MigrationInputs
from cir.domain.migration.rules import PlannedDossier
from cir.migration import rows
from cir.migration.models import LegacyLandlord
from cir.reference.models import HousingCompany, Municipality
from cir.register.models import (
    ActionRecord,
    AuditEntry,
    Dossier,
    DossierShare,
    Event,
    Member,
    MunicipalityChoice,
    Person,
    StatusChange,
)

Progress = Callable[[str, int, int | None], None]


@dataclass
class WriteResult:
    persons_created: int
    dossiers: int
    rows: int
    municipalities_unknown: int
    per_table: dict[str, int] = field(default_factory=dict)


def _insert(
    table: rows.Table, made: Iterable[tuple[Any, ...]], run_values: list[tuple[str, rows.Constant]]
) -> int:
    """SQLite: ``made`` (in the order of the table's columns) in batches of 5 000, each row
    with the values its COPY text leaves out (column, value) added."""
    columns = [*table.columns, *(column for column, _value in run_values)]
    added = tuple(value for _column, value in run_values)
    cols = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f'INSERT INTO "{table.name}" ({cols}) VALUES ({marks})'
    count = 0
    iterator = iter(made)
    with connection.cursor() as cursor:
        while batch := list(islice(iterator, 5000)):
            cursor.executemany(sql, [row + added for row in batch])
            count += len(batch)
    return count


def _next_id(model: type[Model]) -> int:
    return int(model._default_manager.aggregate(m=Max("id"))["m"] or 0) + 1


def reset_sequences(models: Iterable[type[Model]]) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{table}"), 1))'
            )


@dataclass
class _Rebuild:
    """What :func:`_drop_for_bulk_load` dropped, to create again: per table, in creation order."""

    primary_keys: dict[str, list[str]] = field(default_factory=dict)
    indexes: dict[str, list[str]] = field(default_factory=dict)
    uniques: dict[str, list[str]] = field(default_factory=dict)
    foreign_keys: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    referencing: dict[str, list[str]] = field(default_factory=dict)
    """Foreign keys of other tables to a table of this load, by that table."""
    done: set[str] = field(default_factory=set)
    defaults: list[str] = field(default_factory=list)
    """Statements that put back the columns' defaults changed for the load."""

    def statements(self, table: str, loaded: set[str], tables: set[str]) -> list[str]:
        """The primary key, indexes, unique and foreign-key constraints of ``table``, once it
        is loaded, and the foreign keys of other tables to it; a foreign key to a table of this
        load waits until that table is loaded too."""
        statements: list[str] = []
        if table not in self.done:
            self.done.add(table)
            statements += self.primary_keys.get(table, [])
            statements += self.indexes.get(table, [])
            statements += self.uniques.get(table, [])
            statements += self.referencing.get(table, [])
        waiting = []
        for target, statement in self.foreign_keys.get(table, []):
            if target in tables and target not in loaded:
                waiting.append((target, statement))
            else:
                statements.append(statement)
        self.foreign_keys[table] = waiting
        return statements

    def remaining(self, tables: Iterable[str]) -> list[str]:
        everything = set(tables)
        statements: list[str] = []
        for table in tables:
            statements += self.statements(table, everything, everything)
        return statements


def _drop_for_bulk_load(tables: Sequence[str]) -> _Rebuild:
    """PostgreSQL, before many rows go into ``tables`` inside the caller's transaction.

    The foreign keys of ``tables`` and those of other tables to them, their primary keys, their
    unique constraints (unless a foreign key relies on them) and their other indexes (but
    those no migrated row enters, :func:`_no_loaded_row_enters`) are dropped, and created again
    by :meth:`_Rebuild.statements` once a table is loaded (and :func:`_finish_bulk_load` for
    what is left), in the same transaction: building an index from
    all rows at once and checking a foreign key with one join is several times faster than doing
    both row by row (and 2.5 million deferred foreign-key checks at commit). Even the primary
    key, kept up row by row, made the COPY of a narrow table three times slower than building
    it afterwards. Nothing is given up: every index, primary key, unique and foreign-key
    constraint is checked over all rows when it is created again, and an error rolls the whole
    run back. The tables stay locked (ACCESS EXCLUSIVE) until the transaction ends, which the
    migration, one all-or-nothing run, can afford.
    """
    rebuild = _Rebuild()
    with connection.cursor() as cursor:
        # Fire what is still pending in the transaction: ALTER TABLE refuses a table with
        # pending trigger events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        # Checking a foreign key again is one anti-join over the whole table. Every foreign-key
        # column has an index, built just before its key, and the COPY left the pages frozen
        # and all-visible: a merge anti-join of the two indexes, read in order without touching
        # the tables, checks the keys of the flanders profile in half the time of the hash
        # anti-join the planner otherwise picks (0.72-0.78 s against 1.56-1.57 s, all fifteen;
        # decision 0016). Nothing else in the load joins; _finish_bulk_load sets it back.
        cursor.execute("SET LOCAL enable_hashjoin = off")
        # Should a check still hash (a table loaded as usual), 4 MB would spill to disk.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL max_parallel_maintenance_workers = 2")
        # Compiling the big joins that check the foreign keys (JIT) took longer than it saved:
        # the keys of the flanders profile took 4.68 s without it, 4.77 s with (three runs each).
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), "
            "confrelid::regclass::text, conrelid = ANY(%s::regclass[]) "
            "FROM pg_constraint WHERE contype = 'f' "
            "AND (conrelid = ANY(%s::regclass[]) OR confrelid = ANY(%s::regclass[])) "
            "ORDER BY 1, 2",
            [list(tables)] * 3,
        )
        found = cursor.fetchall()
        # Those of the loaded tables, and those of other tables to them (which need their keys).
        foreign_keys = [row[:4] for row in found if row[4]]
        referencing = [row[:4] for row in found if not row[4]]
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'p' AND conrelid = ANY(%s::regclass[]) "
            "ORDER BY 1, 2",
            [list(tables)],
        )
        primary_keys = cursor.fetchall()
        cursor.execute(
            "SELECT k.conrelid::regclass::text, k.conname, pg_get_constraintdef(k.oid) "
            "FROM pg_constraint k WHERE k.contype = 'u' AND k.conrelid = ANY(%s::regclass[]) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' "
            "AND f.conindid = k.conindid AND f.confrelid = k.conrelid) ORDER BY 1, 2",
            [list(tables)],
        )
        uniques = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), "
            "i.indrelid::regclass::text, pg_get_expr(i.indpred, i.indrelid) "
            "FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid "
            "AND k.conrelid = i.indrelid) ORDER BY 1",
            [list(tables)],
        )
        indexes = [
            (name, definition, table)
            for name, definition, table, predicate in cursor.fetchall()
            if not _no_loaded_row_enters(table.strip('"'), predicate)
        ]
        for table, name, _definition, *_target in foreign_keys + referencing + uniques:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for table, name, _definition in primary_keys:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _definition, _table in indexes:
            cursor.execute(f"DROP INDEX {name}")
    for table, name, definition in primary_keys:
        rebuild.primary_keys.setdefault(table.strip('"'), []).append(
            f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'
        )
    for table, name, definition, target in referencing:
        rebuild.referencing.setdefault(target.strip('"'), []).append(
            f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'
        )
    for _name, definition, table in indexes:
        rebuild.indexes.setdefault(table.strip('"'), []).append(definition)
    for table, name, definition in uniques:
        rebuild.uniques.setdefault(table.strip('"'), []).append(
            f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'
        )
    for table, name, definition, target in foreign_keys:
        rebuild.foreign_keys.setdefault(table.strip('"'), []).append(
            (target.strip('"'), f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        )
    return rebuild


_NOT_NULL = re.compile(r"\((\w+) IS NOT NULL\)")


def _no_loaded_row_enters(table: str, predicate: str | None) -> bool:
    """Whether an index's predicate is ``column IS NOT NULL`` on a column the migration leaves
    NULL (the company of an offer, of an event, of an actor; on whose behalf).

    Such an index is kept through the load: the COPY tests each row against the predicate and
    adds none, where building it again would read the whole table for nothing (six of them,
    0.3-0.45 s of PostgreSQL for flanders). Whatever index is kept, the COPY keeps it right;
    only the time differs."""
    match = _NOT_NULL.fullmatch(predicate or "")
    written = _WRITTEN_COLUMNS.get(table)
    return match is not None and written is not None and match[1] not in written


_WRITTEN_COLUMNS = {table.name: table.written for table in rows.TABLES}


def _empty_for_frozen_load(tables: Sequence[str]) -> set[str]:
    """PostgreSQL, after :func:`_drop_for_bulk_load`: empty every table of ``tables`` that has
    no rows, with TRUNCATE, so that the COPY may load it frozen; returns those tables.

    ``COPY ... WITH (FREEZE)`` writes the rows as already visible to everyone, with their pages
    marked all-visible, but only into a table created or emptied by TRUNCATE in the same
    transaction (``--replace`` truncates them already, and a first migration finds them empty).
    Every scan that follows in the run (each index built, each foreign key checked) then skips
    the per-row visibility check against the run's own transaction, and the foreign-key checks
    read the new indexes alone (about a second less for flanders: decision 0013). The register
    also starts out with nothing left for VACUUM to freeze and no hint bits to set on its first
    reads. Like TRUNCATE (which ``--replace`` does anyway), this is not MVCC-safe: a transaction
    whose snapshot is older than the run's commit sees the new rows in a table it saw empty; the
    migration runs while nothing else uses the register. A table that still has rows (persons
    known before a first migration) loads as usual.
    """
    empty: list[str] = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT NOT EXISTS (SELECT FROM "{table}")')
            if cursor.fetchone()[0]:
                empty.append(table)
        if empty:
            # No foreign key refers to them any more (dropped above), so TRUNCATE needs no
            # CASCADE and reaches no other table.
            cursor.execute("TRUNCATE " + ", ".join(f'"{table}"' for table in empty))
    return set(empty)


def _run_values_as_defaults(made: rows.RowMaker) -> list[str]:
    """PostgreSQL: make the run's values and the constants (:attr:`rows.Table.run_values`,
    :attr:`rows.Table.constants`) the defaults of their columns for the load, so the COPY text
    can leave them out; returns the statements that put the columns' own defaults back."""
    wanted = [
        (table.name, column, value)
        for table in rows.TABLES
        for column, value in made.run_values(table)
    ]
    restore: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.adrelid::regclass::text, a.attname, pg_get_expr(d.adbin, d.adrelid) "
            "FROM pg_attrdef d JOIN pg_attribute a "
            "ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
            "WHERE d.adrelid = ANY(%s::regclass[])",
            [sorted({table for table, _column, _value in wanted})],
        )
        own = {(table.strip('"'), column): default for table, column, default in cursor.fetchall()}
        for table, column, value in wanted:
            alter = f'ALTER TABLE "{table}" ALTER COLUMN "{column}"'
            default = own.get((table, column))
            restore.append(f"{alter} SET DEFAULT {default}" if default else f"{alter} DROP DEFAULT")
            # A literal, made once into the column's type: no field of the COPY to parse.
            cursor.execute(f"{alter} SET DEFAULT %s", [value])
    return restore


def _execute_all(statements: Iterable[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _finish_bulk_load(rebuild: _Rebuild, tables: Sequence[str]) -> None:
    """Create whatever :func:`_drop_for_bulk_load` dropped and is not back yet; put the
    columns' own defaults back."""
    _execute_all(rebuild.remaining(tables))
    _execute_all(rebuild.defaults)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("SET LOCAL enable_hashjoin TO DEFAULT")


def clear_register() -> None:
    """--replace: remove every dossier, what hangs off it, and every person.

    On PostgreSQL one TRUNCATE of all these tables: deleting millions of rows one by one, each
    with its deferred foreign-key checks, took most of a minute for the flanders profile before
    a rehearsal could even start. TRUNCATE is transactional there, so a failed run still leaves
    the old register in place. It refuses (and so does the run) when a table outside this list
    has a foreign key to one of them: a new such table must join the list, and the --replace
    tests on PostgreSQL say so.
    """
    from cir.register.models import Document, Proxy, Ranking

    tables = [
        model._meta.db_table
        for model in (
            AuditEntry,
            Event,
            ActionRecord,
            StatusChange,
            DossierShare,
            MunicipalityChoice,
            Member,
            Ranking,
            Proxy,
            Document,
            Dossier,
            Person,
        )
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE " + ", ".join(f'"{table}"' for table in tables))
            return
        for table in tables:
            cursor.execute(f'DELETE FROM "{table}"')


def write_legacy_landlords(inputs: MigrationInputs) -> None:
    companies = dict(HousingCompany.objects.values_list("company_id", "pk"))
    known = set(Municipality.objects.values_list("nis_code", flat=True))
    LegacyLandlord.objects.all().delete()
    LegacyLandlord.objects.bulk_create(
        LegacyLandlord(
            landlord_id=landlord.landlord_id,
            name=landlord.name,
            kind=landlord.type,
            company_id=companies.get(landlord.company_id) if landlord.company_id else None,
            municipality_id=landlord.municipality if landlord.municipality in known else None,
        )
        for landlord in inputs.landlords.values()
    )


_WRITTEN_MODELS = (
    Person,
    Dossier,
    Member,
    MunicipalityChoice,
    DossierShare,
    StatusChange,
    ActionRecord,
    Event,
    AuditEntry,
)
assert [m._meta.db_table for m in _WRITTEN_MODELS] == [t.name for t in rows.TABLES]

BATCH_DOSSIERS = 2000
COPY_GROUP_BYTES = 32 * 1024 * 1024
SEND_MARGIN = 0.005
"""Seconds the planning thread leaves the COPY thread to send its last query (see
:meth:`_CopyWriter.settle`)."""
_END_OF_TABLE = object()
_ABORT = object()


class WriteAborted(RuntimeError):
    """The dossiers stopped coming (an error while planning); the transaction is rolled back."""


class _CopyWriter(threading.Thread):
    """Sends the COPY text of every table to PostgreSQL as the planning thread makes it.

    The planning thread makes the rows of all the dossier tables at once, batch by batch; one
    connection takes one COPY at a time. So this thread takes everything that is waiting,
    groups it by table and sends each group with its own COPY (several per table over the run),
    so that PostgreSQL keeps loading while the dossiers are still being built. Once a table is
    complete its indexes and constraints are created. It works on the run's own connection (the
    psycopg connection under Django's, inside the run's transaction); the planning thread does
    not touch the database until :meth:`MigrationWriter.finish`. An error here is kept and
    raised in the planning thread.
    """

    def __init__(
        self,
        raw_connection: Any,
        rebuild: _Rebuild,
        tables: Sequence[str],
        progress: Progress | None,
        frozen: set[str],
    ) -> None:
        super().__init__(name="cir-migration-copy", daemon=True)
        self.raw = raw_connection
        self.rebuild = rebuild
        self.tables = list(tables)
        self.frozen = frozen
        """Tables emptied in this transaction, which the COPY loads frozen."""
        self.progress = progress
        self.waiting: queue.SimpleQueue[tuple[str, object, int]] = queue.SimpleQueue()
        """(table, COPY text or an order, its rows), from the planning thread."""
        self.error: BaseException | None = None
        self.last_rows_sent = threading.Event()
        """Set when every row is in PostgreSQL and only the last keys are left to create."""

    def settle(self) -> None:
        """Return once the last rows are in PostgreSQL and the statements that create the last
        keys are on their way (or this thread failed), holding the GIL as little as possible
        meanwhile.

        From then on this thread waits for PostgreSQL without the GIL, for seconds, while the
        planning thread works out the report; that work holds the GIL for up to a few hundred
        milliseconds at a time (sorting compiled lists), and while this thread waited for it
        to send the last rows or statements, PostgreSQL idled (0.4 s for flanders)."""
        while not self.last_rows_sent.wait(0.05):
            if not self.is_alive():
                return
        # The thread sends its last query within microseconds of setting the event; sleeping
        # lets it have the GIL for that without asking it to hand the GIL back first.
        time.sleep(SEND_MARGIN)

    def put(self, table: str, chunk: bytes, count: int) -> None:
        """``count`` rows of ``table``, as the rows module counted them when it made them:
        this thread holds the GIL for whatever it does, and counting them again was a pass over
        every byte of the load."""
        if self.error is not None:
            raise self.error
        self.waiting.put((table, chunk, count))

    def end(self, table: str) -> None:
        self.waiting.put((table, _END_OF_TABLE, 0))

    def abort(self) -> None:
        self.waiting.put(("", _ABORT, 0))

    def run(self) -> None:
        try:
            self._run()
        except BaseException as exc:  # raised again in the planning thread
            self.error = exc

    def _run(self) -> None:
        loaded: set[str] = set()
        everything = set(self.tables)
        while len(loaded) < len(self.tables):
            groups: dict[str, list[bytes]] = {}
            counts: dict[str, int] = {}
            ended: list[str] = []
            size = 0
            item: tuple[str, object, int] | None = self.waiting.get()
            while item is not None:
                table, chunk, count = item
                if chunk is _ABORT:
                    raise WriteAborted("de invlechting is afgebroken")
                if chunk is _END_OF_TABLE:
                    ended.append(table)
                else:
                    assert isinstance(chunk, bytes)
                    groups.setdefault(table, []).append(chunk)
                    counts[table] = counts.get(table, 0) + count
                    size += len(chunk)
                item = None
                if size < COPY_GROUP_BYTES:
                    with suppress(queue.Empty):
                        item = self.waiting.get_nowait()
            for table, chunks in groups.items():
                self._copy(table, chunks, counts[table])
            statements: list[str] = []
            for table in ended:
                loaded.add(table)
                statements += self.rebuild.statements(table, loaded, everything)
                for other in self.tables:  # foreign keys that waited for this table
                    if other in loaded and other != table:
                        statements += self.rebuild.statements(other, loaded, everything)
            if len(loaded) == len(self.tables):
                self.last_rows_sent.set()
            if statements:
                # One query of many statements: PostgreSQL runs them back to back. One round
                # trip each needed this thread, and so the GIL, between any two.
                with self.raw.cursor() as cursor:
                    cursor.execute(";\n".join(statements))

    def _copy_statement(self, table: str) -> str:
        cols = ", ".join(f'"{c}"' for c in rows.TABLE[table].columns)
        freeze = " WITH (FREEZE)" if table in self.frozen else ""
        return f'COPY "{table}" ({cols}) FROM STDIN{freeze}'

    def _copy(self, table: str, chunks: list[bytes], count: int) -> None:
        with (
            self.raw.cursor() as cursor,
            cursor.copy(self._copy_statement(table)) as copy,
        ):
            for chunk in chunks:
                copy.write(chunk)
        if self.progress:
            self.progress("write", count, None)


class MigrationWriter:
    """Writes the migration's rows while the dossiers are still being built.

    ``start`` (drops the indexes on PostgreSQL, starts the COPY thread), ``persons`` as the
    rules find them and ``persons_complete``, ``numbered`` once, ``add`` for every dossier as it
    is built, ``complete`` once the last is in, ``finish`` (waits for PostgreSQL, creates the
    remaining indexes and constraints, resets the sequences). The caller holds the transaction
    and calls ``abort`` if it fails in between. On PostgreSQL the rows go in with COPY from a
    second thread, so PostgreSQL loads the persons while the rules screen, and the first
    dossiers while the later ones are being built; on SQLite they are inserted in batches as
    they come.
    """

    def __init__(self, reference_date: date, progress: Progress | None = None) -> None:
        self.postgresql = connection.vendor == "postgresql"
        now = timezone.now()
        ops = connection.ops
        self.rows = rows.RowMaker(
            # The run's date and time as text the way this database takes them (SQLite: as
            # Django itself stores them).
            reference_date=reference_date.isoformat()
            if self.postgresql
            else str(ops.adapt_datefield_value(reference_date)),
            now=now.isoformat() if self.postgresql else str(ops.adapt_datetimefield_value(now)),
            run_id=str(uuid.uuid4()),
            company_pk=dict(HousingCompany.objects.values_list("company_id", "pk")),
            known_nis=Municipality.objects.values_list("nis_code", flat=True),
            person_pk=dict(Person.objects.values_list("insz", "pk")),
            next_ids={m._meta.db_table: _next_id(m) for m in _WRITTEN_MODELS},
        )
        self.progress = progress
        self.tables = [m._meta.db_table for m in _WRITTEN_MODELS]
        self.batch: list[PlannedDossier] = []
        self.dossiers = 0
        self.per_table: dict[str, int] = {table: 0 for table in self.tables}
        self._copier: _CopyWriter | None = None
        self.ended: set[str] = set()

    def start(self) -> None:
        if not self.postgresql:
            return
        rebuild = _drop_for_bulk_load(self.tables)
        rebuild.defaults = _run_values_as_defaults(self.rows)
        frozen = _empty_for_frozen_load(self.tables)
        self._copier = _CopyWriter(
            connection.connection, rebuild, self.tables, self.progress, frozen
        )
        self._copier.start()

    def persons(self, numbers: Sequence[str], population: Mapping[str, rows.Identity]) -> None:
        """The persons of ``numbers`` who have no id yet, with what ``population`` says of them
        (see :meth:`rows.RowMaker.persons`): their ids now, in this order, and their rows
        written at once. Called as the rules find them (several times), then
        :meth:`persons_complete`."""
        self._write(self.rows.persons(numbers, population))

    def persons_complete(self) -> None:
        """Every person is in: on PostgreSQL their keys are built while the rules go on."""
        self._end(rows.PERSON)

    def numbered(self, numbers: Sequence[str]) -> None:
        """The tables that need only the dossiers' numbers (status history and audit), whole,
        before the first dossier: PostgreSQL loads and indexes them while the dossiers are
        still being built, and has that much less to do once they are."""
        self._write(self.rows.numbered_tables(numbers))
        for table in rows.NUMBERED:
            self._end(table)

    def add(self, dossier: PlannedDossier) -> None:
        self.batch.append(dossier)
        if len(self.batch) == BATCH_DOSSIERS:
            self._flush()

    def _flush(self) -> None:
        self._write(self.rows.dossier_tables(self.batch))
        self.dossiers += len(self.batch)
        self.batch = []

    def _write(self, chunks: Iterable[tuple[str, str, int]]) -> None:
        per_table = self.per_table
        if self._copier is not None:
            put = self._copier.put
            for table, text, count in chunks:
                put(table, text.encode(), count)
                per_table[table] += count
            return
        for table, text, count in chunks:
            found = rows.TABLE[table]
            _insert(found, rows.read_rows(text, found), self.rows.run_values(found))
            per_table[table] += count
            if self.progress:
                self.progress("write", count, None)

    def _end(self, table: str) -> None:
        self.ended.add(table)
        if self._copier is not None:
            self._copier.end(table)

    def complete(self) -> None:
        """Every dossier is in: write what is left of the last batch and end every table, so
        that PostgreSQL goes on to the last keys while the caller does what remains of the
        plan (rule 6 and the report); :meth:`finish` then waits for it. After the last
        :meth:`add`; once (again from :meth:`finish`, it returns at once)."""
        if len(self.ended) == len(self.tables):  # every table was ended here before
            return
        if self.batch:
            self._flush()
        for table in rows.TABLES:
            if table.name not in self.ended:
                self._end(table.name)
        if self._copier is not None:
            self._copier.settle()

    def finish(self) -> WriteResult:
        """Wait for PostgreSQL to load and check everything (:meth:`complete` first, unless
        called before)."""
        self.complete()
        copier = self._copier
        if copier is not None:
            copier.join()
            if copier.error is not None:
                raise copier.error
            _finish_bulk_load(copier.rebuild, self.tables)
        reset_sequences(_WRITTEN_MODELS)
        return WriteResult(
            self.per_table[rows.PERSON],
            self.dossiers,
            sum(self.per_table.values()),
            self.rows.municipalities_unknown,
            self.per_table,
        )

    def abort(self) -> None:
        """Stop the COPY thread after an error; the caller rolls the transaction back."""
        copier = self._copier
        if copier is not None and copier.is_alive():
            copier.abort()
            copier.join()


@contextmanager
def migration_writer(
    reference_date: date, progress: Progress | None = None
) -> Iterator[MigrationWriter]:
    """A started :class:`MigrationWriter`, stopped if the block fails; call ``finish`` inside."""
    writer = MigrationWriter(reference_date, progress)
    writer.start()
    try:
        yield writer
    except BaseException:
        writer.abort()
        raise
