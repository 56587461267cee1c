"""The rows of the migrated register as PostgreSQL's COPY text, made without Django.

:class:`RowMaker` turns the persons and the planned dossiers into the rows of the nine tables
the migration writes, with their ids, straight into COPY text (``\\N`` for NULL, ``t``/``f``,
ISO dates, tab between columns, newline after each row): one f-string per row, which is more
than twice as fast as making a tuple and formatting it. The writer (:mod:`.writer`) sends the
text with COPY on PostgreSQL; for SQLite it reads the rows back with :func:`read_rows`, so
that there is one definition of every row. It needs nothing of Django, and runs compiled
(:mod:`cir.compiled`) when a fresh build exists.

Text almost never holds a character COPY must see escaped (a backslash, tab, newline or
carriage return; PostgreSQL takes the other control characters as they are). So a chunk is
first written without looking at the text, then checked as a whole: one tab between columns,
one newline per row, no carriage return, and no backslash but those of the NULLs (each ``\\N``
brings one; the writers count their NULLs). Only a chunk that fails the check is written again
with every text escaped (:func:`escape`, and for JSON, whose control characters orjson escapes
already, :func:`escape_json`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any, Literal, Protocol

import orjson

from cir.domain.migration.pacing import let_threads_run
from cir.domain.migration.rules import PlannedDossier

ACTOR_LABEL = "invlechting"
CANDIDATE_ROLES = ("applicant", "partner")
NULL = "\\N"
COPY_CHUNK_ROWS = 4000
"""Persons per chunk; a batch of dossiers makes one chunk per table."""

_ESCAPES = str.maketrans(
    {"\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r"}
)
_SPECIAL = re.compile("[\\\\\b\t\n\v\f\r]").search
_UNESCAPES = {"b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r", "\\": "\\"}
_ESCAPED = re.compile(r"\\(.)")


def escape(value: str) -> str:
    """Text as COPY wants it: the backslash and the six control characters it gives a meaning."""
    return value.translate(_ESCAPES) if _SPECIAL(value) else value


def escape_json(value: str) -> str:
    """JSON text from orjson, which escapes every control character itself."""
    return value.replace("\\", "\\\\")


def _as_is(value: str) -> str:
    return value


def json_bytes(value: Any) -> bytes:
    """``value`` as compact JSON: orjson's, or the standard library's for an integer beyond
    64 bits, which JSON (and the legacy format's free-form objects) allow and orjson refuses."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _json(value: Any) -> str:
    return json_bytes(value).decode()


def _merged(merged_from: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"landlord_id": lid, "dossier_id": did} for lid, did in merged_from]


def checked(lines: list[str], columns: int, nulls: int) -> str | None:
    """The chunk, if nothing in it needs escaping (see the module); else None."""
    chunk = "".join(lines)
    if (
        chunk.count("\n") == len(lines)
        and chunk.count("\t") == (columns - 1) * len(lines)
        and chunk.count("\\") == nulls
        and "\r" not in chunk
    ):
        return chunk
    return None


def read_rows(text: str, table: Table) -> list[tuple[Any, ...]]:
    """COPY text back into rows of ``table`` (for SQLite): NULL as None, booleans as bool, the
    rest as text (SQLite's column affinity turns the digits of integer columns into integers)."""
    booleans = [column in table.booleans for column in table.columns]
    rows: list[tuple[Any, ...]] = []
    for line in text.split("\n")[:-1]:
        row: list[Any] = []
        for boolean, field in zip(booleans, line.split("\t"), strict=True):
            if field == NULL:
                row.append(None)
            elif boolean:
                row.append(field == "t")
            elif "\\" in field:
                row.append(_ESCAPED.sub(lambda m: _UNESCAPES.get(m.group(1), m.group(1)), field))
            else:
                row.append(field)
        rows.append(tuple(row))
    return rows


_PERSON_COLUMNS = ("id", "insz", "first_name", "last_name", "birth_date", "domicile_id")
_DOSSIER_COLUMNS = (
    "id",
    "number",
    "registration_date",
    "status",
    "primary_landlord_id",
    "dwelling_types",
    "other_preferences",
    "housing_situation",
    "contact",
    "content_source",
    "merged_from",
)
_MEMBER_COLUMNS = ("id", "dossier_id", "person_id", "role", "waiting_since", "holds_candidacy")
_CHOICE_COLUMNS = ("id", "dossier_id", "position", "municipality_id")
_SHARE_COLUMNS = ("id", "dossier_id", "company_id", "is_primary")
_HISTORY_COLUMNS = ("id", "dossier_id")
_ACTION_COLUMNS = ("id", "dossier_id", "payload")
_EVENT_COLUMNS = ("id", "dossier_id", "payload")
_AUDIT_COLUMNS = ("id", "dossier_id", "after")


PERSON = "register_person"
DOSSIER = "register_dossier"
MEMBER = "register_member"
CHOICE = "register_municipalitychoice"
SHARE = "register_dossiershare"
STATUS_CHANGE = "register_statuschange"
ACTION = "register_actionrecord"
EVENT = "register_event"
AUDIT = "register_auditentry"


class Identity(Protocol):
    """What a person's row takes from the population extract: a line of it
    (:class:`~cir.domain.migration.inputs.Person`) or a planned
    :class:`~cir.domain.migration.rules.PersonToCreate`."""

    @property
    def first_name(self) -> str | None: ...
    @property
    def last_name(self) -> str | None: ...
    @property
    def birth_date(self) -> date | None: ...
    @property
    def domicile_nis(self) -> str | None: ...


RunValue = Literal["now", "reference_date", "run_id"]
"""The run's time, its reference date, its id (the correlation id of its actions)."""
Constant = str | int | bool
"""A value a column holds on every row the migration writes, in every run."""


@dataclass(frozen=True)
class Table:
    """A table the migration writes: the columns of its COPY text in row order, those that hold
    a boolean (``t``/``f`` in COPY text; SQLite wants ``True``/``False``), and those that hold
    the same value on every row, which the text leaves out: of a run (:data:`RunValue`), or of
    every migration (:data:`Constant`).

    They are left out because PostgreSQL parses every field of a COPY. A timestamp is among the
    dearest to parse: for the flanders profile the dossiers alone carried 600 000 copies of the
    run's time (decision 0011). The constants are cheaper one by one, but there are about seven
    million of them, and 750 000 of them JSON (the choices' empty list of neighbourhoods):
    PostgreSQL, the bottleneck of the load, parsed them for about half a second (decision 0018).
    PostgreSQL takes them as column defaults for the load instead (the writer sets and restores
    them), SQLite gets them added to every row.
    """

    name: str
    columns: tuple[str, ...]
    booleans: frozenset[str] = frozenset()
    run_values: tuple[tuple[str, RunValue], ...] = ()
    constants: tuple[tuple[str, Constant], ...] = ()

    @property
    def written(self) -> frozenset[str]:
        """Every column a migrated row gets a value for; the others stay NULL."""
        return frozenset(self.columns).union(name for name, _ in self.run_values + self.constants)


_REGISTER = (("actor_kind", "register"), ("actor_label", ACTOR_LABEL))
"""Who acts in the migration's actions and audit entries."""

TABLES = (
    Table(
        PERSON,
        _PERSON_COLUMNS,
        constants=(("email", ""), ("phone1", ""), ("phone2", ""), ("address", "")),
    ),
    Table(
        DOSSIER,
        _DOSSIER_COLUMNS,
        run_values=(
            ("received_at", "now"),
            ("created_at", "now"),
            ("updated_at", "now"),
            ("last_activity_on", "reference_date"),
        ),
        constants=(
            ("dossier_type", "MIGRA"),
            ("sanction_count", 0),
            ("removal_reason", ""),
            ("version", 1),
        ),
    ),
    Table(MEMBER, _MEMBER_COLUMNS, frozenset({"holds_candidacy"})),
    Table(CHOICE, _CHOICE_COLUMNS, constants=(("neighbourhoods", "[]"),)),
    Table(
        SHARE,
        _SHARE_COLUMNS,
        frozenset({"is_primary"}),
        constants=(("acknowledged_version", 0), ("unsynchronised", True)),
    ),
    Table(
        STATUS_CHANGE,
        _HISTORY_COLUMNS,
        run_values=(("effective_date", "reference_date"), ("at", "now")),
        constants=(
            ("from_status", ""),
            ("to_status", "REG"),
            ("action", "MIGRA"),
            ("removal_reason", ""),
        ),
    ),
    Table(
        ACTION,
        _ACTION_COLUMNS,
        run_values=(
            ("correlation_id", "run_id"),
            ("effective_date", "reference_date"),
            ("at", "now"),
        ),
        constants=(("action", "MIGRA"), *_REGISTER, ("comment", ""), ("version_after", 1)),
    ),
    Table(
        EVENT,
        _EVENT_COLUMNS,
        run_values=(("effective_date", "reference_date"), ("created_at", "now")),
        constants=(("audience", "HUURPREMIE"), ("kind", "MIGRA")),
    ),
    Table(
        AUDIT,
        _AUDIT_COLUMNS,
        run_values=(("at", "now"), ("correlation_id", "run_id")),
        constants=(
            ("operation", "CREATE"),
            *_REGISTER,
            ("summary", "dossier aangemaakt door de invlechting"),
        ),
    ),
)
"""Every table the migration writes, persons first; the others are made from the dossiers."""
TABLE = {table.name: table for table in TABLES}
NUMBERED = (STATUS_CHANGE, AUDIT)
"""The tables whose rows need no more of a dossier than its id and number (see
:meth:`RowMaker.numbered_tables`)."""


Writer = Callable[[Callable[[str], str], Callable[[str], str]], tuple[list[str], int]]
"""Makes the lines of one chunk with the escaping functions given; returns them and the number
of NULLs written."""


class RowMaker:
    """The COPY text of every table, chunk by chunk as the persons and the dossiers come.

    Ids are assigned here so that rows can reference each other without a round trip: the
    persons and the dossiers get consecutive ids in the order they come (persons as the input
    first names them, dossiers as the planner builds them: decisions 0017 and 0012), and each
    table carries its own id counter on to the next batch.
    ``next_ids`` gives the first free id of every table; ``person_pk`` the persons the register
    already has (they are not created again). ``reference_date`` and ``now`` are the run's date
    and time as the database takes them in text.
    """

    def __init__(
        self,
        *,
        reference_date: str,
        now: str,
        run_id: str,
        company_pk: dict[str, int],
        known_nis: Iterable[str],
        person_pk: dict[str, int],
        next_ids: dict[str, int],
    ) -> None:
        self.reference_date = reference_date
        self.now = now
        self.run_id = run_id
        self.company_pk = company_pk
        self.known_nis = frozenset(known_nis)
        self.person_pk = person_pk
        self.ids = dict(next_ids)
        self.first_dossier = self.ids[DOSSIER]
        self.numbered = False
        self.municipalities_unknown = 0

    def run_values(self, table: Table) -> list[tuple[str, Constant]]:
        """(column, value) for the columns of ``table`` that the COPY text leaves out: the
        run's values (:attr:`Table.run_values`, as the database takes them in text) and the
        constants (:attr:`Table.constants`)."""
        values = {"now": self.now, "reference_date": self.reference_date, "run_id": self.run_id}
        return [
            *((column, values[kind]) for column, kind in table.run_values),
            *table.constants,
        ]

    def persons(
        self, numbers: Sequence[str], population: Mapping[str, Identity]
    ) -> Iterator[tuple[str, str, int]]:
        """The person rows of ``numbers``, in their order, with what ``population`` (the first
        line of the extract for each number) says of them, if anything: (table, COPY text, rows)
        per chunk, each made when it is asked for. The persons have their ids at once (the
        dossiers' members refer to them); a number that has one already is left out, so a
        writer can call this as the rules find the persons (decision 0020). Straight from the
        extract's lines: the planned persons are only needed for the report, which comes after
        the dossiers."""
        known = self.person_pk
        new = [insz for insz in numbers if insz not in known]
        first = self.ids[PERSON]
        known.update(zip(new, range(first, first + len(new)), strict=True))
        self.ids[PERSON] = first + len(new)
        return self._person_chunks(new, population, first)

    def _person_chunks(
        self, new: list[str], population: Mapping[str, Identity], first: int
    ) -> Iterator[tuple[str, str, int]]:
        for at in range(0, len(new), COPY_CHUNK_ROWS):
            part = new[at : at + COPY_CHUNK_ROWS]
            yield self._chunk(PERSON, partial(self._persons, part, population, first + at))

    def numbered_tables(self, numbers: Sequence[str]) -> Iterator[tuple[str, str, int]]:
        """The tables of :data:`NUMBERED`, complete, from the numbers of all the dossiers that
        will come, in their order (before the first batch): (table, COPY text, rows) per chunk,
        each as soon as it is made, so that PostgreSQL, which waits for the numbers, starts on
        the first at once. The dossier batches then leave these tables out."""
        if self.numbered or self.ids[DOSSIER] != self.first_dossier:
            raise RuntimeError("numbered_tables() once, before the first batch of dossiers")
        self.numbered = True
        return self._numbered_chunks(numbers)

    def _numbered_chunks(self, numbers: Sequence[str]) -> Iterator[tuple[str, str, int]]:
        for at in range(0, len(numbers), COPY_CHUNK_ROWS):
            yield from self._numbered(numbers[at : at + COPY_CHUNK_ROWS], self.first_dossier + at)

    def _numbered(self, numbers: Sequence[str], first: int) -> list[tuple[str, str, int]]:
        return [
            self._chunk(STATUS_CHANGE, lambda e, j: self._history(numbers, first)),
            self._chunk(AUDIT, lambda e, j: self._audit(numbers, first, j)),
        ]

    def dossier_tables(self, batch: Sequence[PlannedDossier]) -> list[tuple[str, str, int]]:
        """Every table made from the dossiers (but :data:`NUMBERED` after
        :meth:`numbered_tables`), with the rows of ``batch``: (table, COPY text, rows) each;
        the next batch's dossiers follow on."""
        first = self.ids[DOSSIER]
        # Both the dossier row and its MIGRA action carry the merged legacy dossiers.
        merged = [_json(_merged(d.merged_from)) for d in batch]
        dossiers = self._chunk(DOSSIER, lambda e, j: self._dossiers(batch, first, merged, e, j))
        members = self._chunk(MEMBER, lambda e, j: self._members(batch, first))
        choices = self._chunk(CHOICE, lambda e, j: self._choices(batch, first))
        shares = self._chunk(SHARE, lambda e, j: self._shares(batch, first))
        made = [
            dossiers,
            members,
            choices,
            shares,
            self._chunk(ACTION, lambda e, j: self._actions(batch, first, merged, j)),
            self._chunk(EVENT, lambda e, j: self._events(batch, first, j)),
        ]
        if not self.numbered:
            made += self._numbered([d.number for d in batch], first)
        # The counters move on once the batch is made (a writer runs twice when it escapes).
        self.ids[DOSSIER] = first + len(batch)
        self.ids[MEMBER] += members[2]
        self.ids[CHOICE] += choices[2]
        self.ids[SHARE] += shares[2]
        self.municipalities_unknown += sum(len(d.municipalities) for d in batch) - choices[2]
        return made

    @staticmethod
    def _chunk(table: str, write: Writer) -> tuple[str, str, int]:
        let_threads_run()  # between chunks (each a few milliseconds of work)
        lines, nulls = write(_as_is, _as_is)
        chunk = checked(lines, len(TABLE[table].columns), nulls)
        if chunk is None:
            lines, nulls = write(escape, escape_json)
            chunk = "".join(lines)
        return table, chunk, len(lines)

    def _persons(
        self,
        numbers: Sequence[str],
        population: Mapping[str, Identity],
        first: int,
        esc: Callable[[str], str],
        esc_json: Callable[[str], str],
    ) -> tuple[list[str], int]:
        known_nis = self.known_nis
        lines: list[str] = []
        nulls = 0
        for person_id, insz in enumerate(numbers, start=first):
            p = population.get(insz)
            if p is None:  # not in the extract: no names, birth date or domicile
                nulls += 2
                lines.append(f"{person_id}\t{insz}\t\t\t{NULL}\t{NULL}\n")
                continue
            domicile = p.domicile_nis if p.domicile_nis in known_nis else None
            birth = p.birth_date
            if birth is None:
                nulls += 1
            if domicile is None:
                nulls += 1
            lines.append(
                f"{person_id}\t{insz}\t{esc(p.first_name or '')}\t{esc(p.last_name or '')}\t"
                f"{NULL if birth is None else birth}\t{NULL if domicile is None else domicile}\n"
            )
        return lines, nulls

    def _dossiers(
        self,
        batch: Sequence[PlannedDossier],
        first: int,
        merged: Sequence[str],
        esc: Callable[[str], str],
        esc_json: Callable[[str], str],
    ) -> tuple[list[str], int]:
        company_pk = self.company_pk
        lines: list[str] = []
        for dossier_id, d, merged_from in zip(
            range(first, first + len(batch)), batch, merged, strict=True
        ):
            source = {"landlord_id": d.content_source[0], "dossier_id": d.content_source[1]}
            lines.append(
                f"{dossier_id}\t{d.number}\t{d.registration_date}\t{d.status}\t"
                f"{company_pk[d.primary_company_id]}\t"
                f"{esc_json(_json(list(d.dwelling_types)))}\t{esc_json(_json(d.other or {}))}\t"
                f"{esc(d.housing_situation or '')}\t{esc_json(_json(d.contact or {}))}\t"
                f"{esc_json(_json(source))}\t{esc_json(merged_from)}\n"
            )
        return lines, 0

    def _members(self, batch: Sequence[PlannedDossier], first: int) -> tuple[list[str], int]:
        person_pk = self.person_pk
        member_id = self.ids[MEMBER]
        lines: list[str] = []
        nulls = 0
        for dossier_id, d in enumerate(batch, start=first):
            for member in d.members:
                since = member.waiting_since
                if since is None:
                    nulls += 1
                candidate = "t" if member.role in CANDIDATE_ROLES else "f"
                lines.append(
                    f"{member_id}\t{dossier_id}\t{person_pk[member.insz]}\t{member.role}\t"
                    f"{NULL if since is None else since}\t{candidate}\n"
                )
                member_id += 1
        return lines, nulls

    def _choices(self, batch: Sequence[PlannedDossier], first: int) -> tuple[list[str], int]:
        known_nis = self.known_nis
        choice_id = self.ids[CHOICE]
        lines: list[str] = []
        for dossier_id, d in enumerate(batch, start=first):
            position = 0
            for nis in d.municipalities:
                if nis not in known_nis:
                    continue
                position += 1
                lines.append(f"{choice_id}\t{dossier_id}\t{position}\t{nis}\n")
                choice_id += 1
        return lines, 0

    def _shares(self, batch: Sequence[PlannedDossier], first: int) -> tuple[list[str], int]:
        company_pk = self.company_pk
        share_id = self.ids[SHARE]
        lines: list[str] = []
        for dossier_id, d in enumerate(batch, start=first):
            lines.append(f"{share_id}\t{dossier_id}\t{company_pk[d.primary_company_id]}\tt\n")
            share_id += 1
            for company_id in d.secondary_company_ids:
                lines.append(f"{share_id}\t{dossier_id}\t{company_pk[company_id]}\tf\n")
                share_id += 1
        return lines, 0

    # One row per dossier: the id follows the dossier's.

    def _history(self, numbers: Sequence[str], first: int) -> tuple[list[str], int]:
        offset = self.ids[STATUS_CHANGE] - self.first_dossier
        return [
            f"{offset + dossier_id}\t{dossier_id}\n"
            for dossier_id in range(first, first + len(numbers))
        ], 0

    def _actions(
        self,
        batch: Sequence[PlannedDossier],
        first: int,
        merged: Sequence[str],
        esc_json: Callable[[str], str],
    ) -> tuple[list[str], int]:
        offset = self.ids[ACTION] - self.first_dossier
        lines: list[str] = []
        for dossier_id, d, merged_from in zip(
            range(first, first + len(batch)), batch, merged, strict=True
        ):
            # What orjson makes of {"samengevoegdUit": [...], "gesplitst": bool}.
            split = "true" if d.split else "false"
            payload = f'{{"samengevoegdUit":{merged_from},"gesplitst":{split}}}'
            lines.append(f"{offset + dossier_id}\t{dossier_id}\t{esc_json(payload)}\n")
        return lines, 0

    def _events(
        self, batch: Sequence[PlannedDossier], first: int, esc_json: Callable[[str], str]
    ) -> tuple[list[str], int]:
        offset = self.ids[EVENT] - self.first_dossier
        lines: list[str] = []
        for dossier_id, d in enumerate(batch, start=first):
            # What orjson makes of {"dossierNummer": ..., "rijksregisternummers": [...],
            # "actie": "MIGRA", "wachtSinds": {insz: date}, "gesplitst": bool}, written out: a
            # dossier number, a member's national number (eleven digits, or the member is not
            # migrated) and a date hold nothing JSON escapes.
            numbers = ",".join([f'"{m.insz}"' for m in d.members if m.role in CANDIDATE_ROLES])
            since = ",".join(
                [
                    f'"{m.insz}":"{m.waiting_since}"'
                    for m in d.members
                    if m.waiting_since is not None
                ]
            )
            split = "true" if d.split else "false"
            payload = (
                f'{{"dossierNummer":"{d.number}","rijksregisternummers":[{numbers}],'
                f'"actie":"MIGRA","wachtSinds":{{{since}}},"gesplitst":{split}}}'
            )
            lines.append(f"{offset + dossier_id}\t{dossier_id}\t{esc_json(payload)}\n")
        return lines, 0

    def _audit(
        self, numbers: Sequence[str], first: int, esc_json: Callable[[str], str]
    ) -> tuple[list[str], int]:
        offset = self.ids[AUDIT] - self.first_dossier
        lines: list[str] = []
        for dossier_id, number in enumerate(numbers, start=first):
            # What orjson makes of {"number": number, "status": "REG", "version": 1}.
            after = f'{{"number":"{number}","status":"REG","version":1}}'
            lines.append(f"{offset + dossier_id}\t{dossier_id}\t{esc_json(after)}\n")
        return lines, 0
