"""Writing the migration into the register: many rows, one transaction, while it is planned.

:class:`MigrationWriter` takes the persons as soon as the rules know them and then the dossiers
one by one, in number order, as they are built; the caller holds the transaction. PostgreSQL
gets COPY (the fastest way in) from a second thread, so it loads while Python is still building
(decision 0007); SQLite gets batched inserts. Ids are assigned here so that rows can reference
each other without a round trip; sequences are reset afterwards.
"""

from __future__ import annotations

import queue
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from typing import Any

import orjson
from django.db import connection
from django.db.models import Max, Model
from django.utils import timezone

from cir.domain.migration.inputs import MigrationInputs
from cir.domain.migration.rules import PersonToCreate, PlannedDossier
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
ACTOR_LABEL = "invlechting"
CANDIDATE_ROLES = ("applicant", "partner")


@dataclass
class WriteResult:
    persons_created: int
    dossiers: int
    rows: int
    municipalities_unknown: int
    per_table: dict[str, int] = field(default_factory=dict)


def _insert(model: type[Model], rows: Iterable[tuple[Any, ...]]) -> int:
    """SQLite: ``rows`` (in the order of the table's columns) in batches of 5 000."""
    columns = _COLUMNS[model]
    cols = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f'INSERT INTO "{model._meta.db_table}" ({cols}) VALUES ({marks})'
    count = 0
    iterator = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(islice(iterator, 5000)):
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


# COPY text format, as psycopg's write_row writes it: \N for NULL, t/f for booleans, ISO dates
# and timestamps, and in text the same seven characters escaped.
_COPY_ESCAPES = str.maketrans(
    {"\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r"}
)
_COPY_SPECIAL = re.compile("[\\\\\b\t\n\v\f\r]").search
COPY_CHUNK_ROWS = 4000


def _copy_text(value: str) -> str:
    return value.translate(_COPY_ESCAPES) if _COPY_SPECIAL(value) else value


def _copy_formatter(kinds: str) -> Callable[[Iterable[tuple[Any, ...]]], Iterator[bytes]]:
    """A function turning rows into chunks of COPY text, one letter of ``kinds`` per column.

    ``r``: written as ``str()`` gives it, never NULL and without characters to escape (ints,
    dates, timestamps, codes); ``n``: the same or NULL; ``s``: text, escaped; ``j``: JSON text
    from orjson, which escapes every control character itself, so only a backslash needs
    doubling; ``b``: boolean. The function is generated once per table so that a row costs one
    f-string.

    Text almost never holds a character COPY must see escaped (a backslash, tab, newline or
    carriage return; PostgreSQL takes the other control characters as they are). So a chunk is
    first written without looking at the text, then checked as a whole: one tab between columns,
    one newline per row, no carriage return, and no backslash but those of the NULLs (each
    ``\\N`` brings one; the rows' NULLs are counted). Only a chunk that fails the check is
    written again with every text column escaped.
    """
    fast, careful = [], []
    for i, kind in enumerate(kinds):
        if kind in "rsj":
            fast.append(f"{{row[{i}]}}")
        elif kind == "n":
            fast.append(f"{{NULL if row[{i}] is None else row[{i}]}}")
        elif kind == "b":
            fast.append(f"{{TRUE if row[{i}] else FALSE}}")
        else:  # pragma: no cover
            raise ValueError(kind)
        if kind == "s":
            careful.append(f"{{text(row[{i}]) if SPECIAL(row[{i}]) else row[{i}]}}")
        elif kind == "j":
            careful.append(f"{{row[{i}].replace(BS, BS2) if BS in row[{i}] else row[{i}]}}")
        else:
            careful.append(fast[-1])
    # The generated f-strings write tab and newline.
    fast_line = "\\t".join(fast) + "\\n"
    careful_line = "\\t".join(careful) + "\\n"
    nullable = [f"(row[{i}] is None)" for i, kind in enumerate(kinds) if kind == "n"]
    count_nulls = f"        nulls += {' + '.join(nullable)}\n" if nullable else ""
    source = (
        "def format_rows(rows):\n"
        "    lines = []\n"
        "    append = lines.append\n"
        "    kept = []\n"
        "    keep = kept.append\n"
        "    nulls = 0\n"
        "    for row in rows:\n"
        f"        append(f'{fast_line}')\n"
        "        keep(row)\n"
        f"{count_nulls}"
        "        if len(lines) == CHUNK:\n"
        "            yield checked(lines, kept, nulls)\n"
        "            lines.clear()\n"
        "            kept.clear()\n"
        "            nulls = 0\n"
        "    if lines:\n"
        "        yield checked(lines, kept, nulls)\n"
        "\n"
        "def checked(lines, rows, nulls):\n"
        "    chunk = ''.join(lines)\n"
        "    if (\n"
        "        chunk.count(NEWLINE) == len(rows)\n"
        "        and chunk.count(TAB) == TABS * len(rows)\n"
        "        and chunk.count(BS) == nulls\n"
        "        and CR not in chunk\n"
        "    ):\n"
        "        return chunk.encode()\n"
        f"    return ''.join([f'{careful_line}' for row in rows]).encode()\n"
    )
    namespace: dict[str, Any] = {
        "NULL": "\\N",
        "TRUE": "t",
        "FALSE": "f",
        "text": _copy_text,
        "SPECIAL": _COPY_SPECIAL,
        "BS": "\\",
        "BS2": "\\\\",
        "CR": "\r",
        "TAB": "\t",
        "NEWLINE": "\n",
        "TABS": len(kinds) - 1,
        "CHUNK": COPY_CHUNK_ROWS,
    }
    exec(compile(source, f"<copy formatter {kinds}>", "exec"), namespace)
    formatter: Callable[[Iterable[tuple[Any, ...]]], Iterator[bytes]] = namespace["format_rows"]
    return formatter


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


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
    unique constraints (unless a foreign key relies on them) and their other indexes are
    dropped, and created again by :meth:`_Rebuild.statements` once a table is loaded (and
    :func:`_finish_bulk_load` for what is left), in the same transaction: building an index from
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
        # Checking a foreign key again is one anti-join over the whole table: with the default
        # 4 MB its hash spills to disk in batches (a third slower for the flanders profile).
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL max_parallel_maintenance_workers = 2")
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
            "i.indrelid::regclass::text "
            "FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid "
            "AND k.conrelid = i.indrelid) ORDER BY 1",
            [list(tables)],
        )
        indexes = cursor.fetchall()
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


def _execute_all(statements: Iterable[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _finish_bulk_load(rebuild: _Rebuild, tables: Sequence[str]) -> None:
    """Create whatever :func:`_drop_for_bulk_load` dropped and is not back yet."""
    _execute_all(rebuild.remaining(tables))
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


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


_PERSON_COLUMNS = (
    "id",
    "insz",
    "first_name",
    "last_name",
    "birth_date",
    "domicile_id",
    "email",
    "phone1",
    "phone2",
    "address",
)
_DOSSIER_COLUMNS = (
    "id",
    "number",
    "registration_date",
    "status",
    "dossier_type",
    "primary_landlord_id",
    "sanction_count",
    "removal_reason",
    "version",
    "dwelling_types",
    "other_preferences",
    "housing_situation",
    "contact",
    "received_at",
    "created_at",
    "updated_at",
    "last_activity_on",
    "content_source",
    "merged_from",
)
_MEMBER_COLUMNS = ("id", "dossier_id", "person_id", "role", "waiting_since", "holds_candidacy")
_CHOICE_COLUMNS = ("id", "dossier_id", "position", "municipality_id", "neighbourhoods")
_SHARE_COLUMNS = (
    "id",
    "dossier_id",
    "company_id",
    "is_primary",
    "acknowledged_version",
    "unsynchronised",
)
_HISTORY_COLUMNS = (
    "id",
    "dossier_id",
    "from_status",
    "to_status",
    "action",
    "effective_date",
    "removal_reason",
    "at",
)
_ACTION_COLUMNS = (
    "id",
    "dossier_id",
    "action",
    "actor_kind",
    "actor_label",
    "correlation_id",
    "comment",
    "payload",
    "effective_date",
    "version_after",
    "at",
)
_EVENT_COLUMNS = ("id", "audience", "dossier_id", "kind", "effective_date", "payload", "created_at")
_AUDIT_COLUMNS = (
    "id",
    "at",
    "operation",
    "actor_kind",
    "actor_label",
    "correlation_id",
    "dossier_id",
    "summary",
    "after",
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


class _PlanRows:
    """The rows of every table, made batch by batch as the dossiers come.

    Ids are assigned here so that rows can reference each other without a round trip: the
    dossiers get consecutive ids in the order they come (number order), and each table's
    generator, given a batch and the id of its first dossier, yields that batch's rows and
    carries its own id counter on to the next batch. Every generator must be consumed whole.
    """

    def __init__(self, reference_date: date, copy_text: bool = False) -> None:
        # The run's date and time go into every row of some tables: for COPY text they are
        # formatted once here instead of once per row (the same values either way).
        self.reference_date: date | str = reference_date
        self.now: datetime | str = timezone.now()
        if copy_text:
            self.reference_date = reference_date.isoformat()
            self.now = self.now.isoformat()
        self.run_id = str(uuid.uuid4())
        self.company_pk = dict(HousingCompany.objects.values_list("company_id", "pk"))
        self.known_nis = set(Municipality.objects.values_list("nis_code", flat=True))
        self.person_pk = dict(Person.objects.values_list("insz", "pk"))
        self.next_person = _next_id(Person)
        self.first_dossier = _next_id(Dossier)
        self.ids = {model: _next_id(model) for model in _WRITTEN_MODELS[2:]}
        self.municipalities_unknown = 0

    def persons(self, persons: Iterable[PersonToCreate]) -> Iterator[tuple[Any, ...]]:
        person_pk = self.person_pk
        known_nis = self.known_nis
        next_person = self.next_person
        for p in persons:
            if p.insz in person_pk:
                continue
            person_pk[p.insz] = next_person
            domicile = p.domicile_nis if p.domicile_nis in known_nis else None
            yield (
                next_person,
                p.insz,
                p.first_name or "",
                p.last_name or "",
                p.birth_date,
                domicile,
                "",
                "",
                "",
                "",
            )
            next_person += 1
        self.next_person = next_person

    def dossiers(self, batch: Sequence[PlannedDossier], first: int) -> Iterator[tuple[Any, ...]]:
        now = self.now
        company_pk = self.company_pk
        reference_date = self.reference_date
        for dossier_id, d in enumerate(batch, start=first):
            yield (
                dossier_id,
                d.number,
                d.registration_date,
                d.status,
                "MIGRA",
                company_pk[d.primary_company_id],
                0,
                "",
                1,
                _json(list(d.dwelling_types)),
                _json(d.other or {}),
                d.housing_situation or "",
                _json(d.contact or {}),
                now,
                now,
                now,
                reference_date,
                _json({"landlord_id": d.content_source[0], "dossier_id": d.content_source[1]}),
                _json(_merged(d.merged_from)),
            )

    def members(self, batch: Sequence[PlannedDossier], first: int) -> Iterator[tuple[Any, ...]]:
        person_pk = self.person_pk
        member_id = self.ids[Member]
        for dossier_id, d in enumerate(batch, start=first):
            for member in d.members:
                yield (
                    member_id,
                    dossier_id,
                    person_pk[member.insz],
                    member.role,
                    member.waiting_since,
                    member.role in CANDIDATE_ROLES,
                )
                member_id += 1
        self.ids[Member] = member_id

    def choices(self, batch: Sequence[PlannedDossier], first: int) -> Iterator[tuple[Any, ...]]:
        known_nis = self.known_nis
        choice_id = self.ids[MunicipalityChoice]
        unknown = 0
        for dossier_id, d in enumerate(batch, start=first):
            position = 0
            for nis in d.municipalities:
                if nis not in known_nis:
                    unknown += 1
                    continue
                position += 1
                yield (choice_id, dossier_id, position, nis, "[]")
                choice_id += 1
        self.ids[MunicipalityChoice] = choice_id
        self.municipalities_unknown += unknown

    def shares(self, batch: Sequence[PlannedDossier], first: int) -> Iterator[tuple[Any, ...]]:
        company_pk = self.company_pk
        share_id = self.ids[DossierShare]
        for dossier_id, d in enumerate(batch, start=first):
            yield (share_id, dossier_id, company_pk[d.primary_company_id], True, 0, True)
            share_id += 1
            for company_id in d.secondary_company_ids:
                yield (share_id, dossier_id, company_pk[company_id], False, 0, True)
                share_id += 1
        self.ids[DossierShare] = share_id

    def history(self, batch: Sequence[PlannedDossier], first: int) -> Iterator[tuple[Any, ...]]:
        now = self.now
        reference_date = self.reference_date
        offset = self.ids[StatusChange] - self.first_dossier
        for dossier_id in range(first, first + len(batch)):
            yield (offset + dossier_id, dossier_id, "", "REG", "MIGRA", reference_date, "", now)

    def actions(self, batch: Sequence[PlannedDossier], first: int) -> Iterator[tuple[Any, ...]]:
        now = self.now
        reference_date = self.reference_date
        run_id = self.run_id
        offset = self.ids[ActionRecord] - self.first_dossier
        for dossier_id, d in enumerate(batch, start=first):
            yield (
                offset + dossier_id,
                dossier_id,
                "MIGRA",
                "register",
                ACTOR_LABEL,
                run_id,
                "",
                _json({"samengevoegdUit": _merged(d.merged_from), "gesplitst": d.split}),
                reference_date,
                1,
                now,
            )

    def events(self, batch: Sequence[PlannedDossier], first: int) -> Iterator[tuple[Any, ...]]:
        now = self.now
        reference_date = self.reference_date
        offset = self.ids[Event] - self.first_dossier
        for dossier_id, d in enumerate(batch, start=first):
            yield (
                offset + dossier_id,
                "HUURPREMIE",
                dossier_id,
                "MIGRA",
                reference_date,
                _json(
                    {
                        "dossierNummer": d.number,
                        "rijksregisternummers": [
                            m.insz for m in d.members if m.role in CANDIDATE_ROLES
                        ],
                        "actie": "MIGRA",
                        "wachtSinds": {
                            m.insz: m.waiting_since.isoformat()
                            for m in d.members
                            if m.waiting_since is not None
                        },
                        "gesplitst": d.split,
                    }
                ),
                now,
            )

    def audit(self, batch: Sequence[PlannedDossier], first: int) -> Iterator[tuple[Any, ...]]:
        now = self.now
        run_id = self.run_id
        offset = self.ids[AuditEntry] - self.first_dossier
        for dossier_id, d in enumerate(batch, start=first):
            yield (
                offset + dossier_id,
                now,
                "CREATE",
                "register",
                ACTOR_LABEL,
                run_id,
                dossier_id,
                "dossier aangemaakt door de invlechting",
                _json({"number": d.number, "status": "REG", "version": 1}),
            )

    def per_dossier_tables(
        self,
    ) -> tuple[tuple[type[Model], Callable[[Sequence[PlannedDossier], int], Iterator[Any]]], ...]:
        """Each table made from the dossiers, with its generator, in the order rows are made."""
        return (
            (Dossier, self.dossiers),
            (Member, self.members),
            (MunicipalityChoice, self.choices),
            (DossierShare, self.shares),
            (StatusChange, self.history),
            (ActionRecord, self.actions),
            (Event, self.events),
            (AuditEntry, self.audit),
        )


def _merged(merged_from: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"landlord_id": lid, "dossier_id": did} for lid, did in merged_from]


# COPY text kinds of the columns of each table (see _copy_formatter), in the order of the
# _*_COLUMNS tuples and of the _PlanRows generators.
_COPY_KINDS = {
    Person: "rsssnnrrrr",
    Dossier: "rrrrrrrrrjjsjrrrrjj",
    Member: "rrrrnb",
    MunicipalityChoice: "rrrrr",
    DossierShare: "rrrbrb",
    StatusChange: "rrrrrrrr",
    ActionRecord: "rrrrrrrjrrr",
    Event: "rrrrrjr",
    AuditEntry: "rrrrrrrrj",
}
_COLUMNS = {
    Person: _PERSON_COLUMNS,
    Dossier: _DOSSIER_COLUMNS,
    Member: _MEMBER_COLUMNS,
    MunicipalityChoice: _CHOICE_COLUMNS,
    DossierShare: _SHARE_COLUMNS,
    StatusChange: _HISTORY_COLUMNS,
    ActionRecord: _ACTION_COLUMNS,
    Event: _EVENT_COLUMNS,
    AuditEntry: _AUDIT_COLUMNS,
}
# The order PostgreSQL takes the tables in. The persons are known before the first dossier is
# built; the dossiers, the widest rows, stream while the others are still being made.
_COPY_ORDER = (
    Person,
    Dossier,
    Member,
    MunicipalityChoice,
    DossierShare,
    Event,
    ActionRecord,
    AuditEntry,
    StatusChange,
)
BATCH_DOSSIERS = 2000
COPY_GROUP_BYTES = 32 * 1024 * 1024
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
    ) -> None:
        super().__init__(name="cir-migration-copy", daemon=True)
        self.raw = raw_connection
        self.rebuild = rebuild
        self.tables = list(tables)
        self.progress = progress
        self.waiting: queue.SimpleQueue[tuple[type[Model], object]] = queue.SimpleQueue()
        self.written: dict[str, int] = {table: 0 for table in tables}  # the usual order
        self.error: BaseException | None = None

    def put(self, model: type[Model], chunk: bytes) -> None:
        if self.error is not None:
            raise self.error
        self.waiting.put((model, chunk))

    def end(self, model: type[Model]) -> None:
        self.waiting.put((model, _END_OF_TABLE))

    def abort(self) -> None:
        self.waiting.put((Person, _ABORT))

    def run(self) -> None:
        try:
            self._run()
        except BaseException as exc:  # raised again in the planning thread
            self.error = exc

    def _run(self) -> None:
        loaded: set[str] = set()
        everything = set(self.tables)
        while len(loaded) < len(_COPY_ORDER):
            groups: dict[type[Model], list[bytes]] = {}
            ended: list[type[Model]] = []
            size = 0
            item: tuple[type[Model], object] | None = self.waiting.get()
            while item is not None:
                model, chunk = item
                if chunk is _ABORT:
                    raise WriteAborted("de invlechting is afgebroken")
                if chunk is _END_OF_TABLE:
                    ended.append(model)
                else:
                    assert isinstance(chunk, bytes)
                    groups.setdefault(model, []).append(chunk)
                    size += len(chunk)
                item = None
                if size < COPY_GROUP_BYTES:
                    with suppress(queue.Empty):
                        item = self.waiting.get_nowait()
            for model, chunks in groups.items():
                self._copy(model, chunks)
            for model in ended:
                table = model._meta.db_table
                loaded.add(table)
                statements = self.rebuild.statements(table, loaded, everything)
                for other in self.tables:  # foreign keys that waited for this table
                    if other in loaded and other != table:
                        statements += self.rebuild.statements(other, loaded, everything)
                with self.raw.cursor() as cursor:
                    for statement in statements:
                        cursor.execute(statement)

    def _copy(self, model: type[Model], chunks: list[bytes]) -> None:
        table = model._meta.db_table
        cols = ", ".join(f'"{c}"' for c in _COLUMNS[model])
        written = 0
        with (
            self.raw.cursor() as cursor,
            cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy,
        ):
            for chunk in chunks:
                copy.write(chunk)
                # One line per row: newlines inside values are escaped.
                written += chunk.count(b"\n")
        self.written[table] += written
        if self.progress:
            self.progress("write", written, None)


class MigrationWriter:
    """Writes the migration's rows while the dossiers are still being built.

    ``start`` (drops the indexes on PostgreSQL, starts the COPY thread), ``persons`` once, ``add``
    for every dossier in number order, ``finish`` (waits for PostgreSQL, creates the remaining
    indexes and constraints, resets the sequences). The caller holds the transaction and calls
    ``abort`` if it fails in between. On PostgreSQL the rows go in with COPY from a second
    thread, so PostgreSQL loads the persons and the first dossiers while the later ones are
    being built; on SQLite they are inserted in batches as they come.
    """

    def __init__(self, reference_date: date, progress: Progress | None = None) -> None:
        self.postgresql = connection.vendor == "postgresql"
        self.rows = _PlanRows(reference_date, copy_text=self.postgresql)
        self.progress = progress
        self.tables = [m._meta.db_table for m in _WRITTEN_MODELS]
        self.batch: list[PlannedDossier] = []
        self.next_dossier = self.rows.first_dossier
        self.dossiers = 0
        self.per_table: dict[str, int] = {table: 0 for table in self.tables}
        self._copier: _CopyWriter | None = None
        self._formatters: dict[
            type[Model], Callable[[Iterable[tuple[Any, ...]]], Iterator[bytes]]
        ] = {model: _copy_formatter(_COPY_KINDS[model]) for model in _COPY_ORDER}

    def start(self) -> None:
        if not self.postgresql:
            return
        rebuild = _drop_for_bulk_load(self.tables)
        self._copier = _CopyWriter(connection.connection, rebuild, self.tables, self.progress)
        self._copier.start()

    def persons(self, persons: Sequence[PersonToCreate]) -> None:
        self._rows(Person, self.rows.persons(persons))
        self._end(Person)

    def add(self, dossier: PlannedDossier) -> None:
        self.batch.append(dossier)
        if len(self.batch) == BATCH_DOSSIERS:
            self._flush()

    def _flush(self) -> None:
        batch, first = self.batch, self.next_dossier
        for model, generate in self.rows.per_dossier_tables():
            self._rows(model, generate(batch, first))
        self.next_dossier += len(batch)
        self.dossiers += len(batch)
        self.batch = []

    def _rows(self, model: type[Model], rows: Iterator[tuple[Any, ...]]) -> None:
        if self._copier is not None:
            put = self._copier.put
            for chunk in self._formatters[model](rows):
                put(model, chunk)
            return
        table = model._meta.db_table
        written = _insert(model, rows)
        self.per_table[table] += written
        if self.progress:
            self.progress("write", written, None)

    def _end(self, model: type[Model]) -> None:
        if self._copier is not None:
            self._copier.end(model)

    def finish(self) -> WriteResult:
        if self.batch:
            self._flush()
        copier = self._copier
        if copier is not None:
            for model in _COPY_ORDER:
                if model is not Person:  # ended by persons()
                    copier.end(model)
            copier.join()
            if copier.error is not None:
                raise copier.error
            self.per_table = copier.written
            _finish_bulk_load(copier.rebuild, self.tables)
        reset_sequences(_WRITTEN_MODELS)
        return WriteResult(
            self.per_table[Person._meta.db_table],
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
