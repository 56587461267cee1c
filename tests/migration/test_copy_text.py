"""The COPY text the migration makes reads back, by PostgreSQL's rules, as the values it was made
of; SQLite's reading of the same text (read_rows) agrees."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cir.domain.migration.rules import PersonToCreate, PlannedDossier, PlannedMember
from cir.migration import rows

# PostgreSQL's COPY text format: \N alone is NULL; a backslash escapes the next character
# (b, f, n, r, t, v name control characters; anything else stands for itself).
_UNESCAPE = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def read_copy_text(data: str) -> list[list[str | None]]:
    table = []
    for line in data.split("\n")[:-1]:
        fields: list[str | None] = []
        for field in line.split("\t"):
            if field == "\\N":
                fields.append(None)
            else:
                fields.append(re.sub(r"\\(.)", lambda m: _UNESCAPE.get(m[1], m[1]), field))
        table.append(fields)
    return table


def maker() -> rows.RowMaker:
    return rows.RowMaker(
        reference_date="2025-06-01",
        now="2025-06-01T10:00:00+00:00",
        run_id="run",
        company_pk={"C1": 1, "C2": 2},
        known_nis=["11001", "44021"],
        person_pk={},
        next_ids={table.name: 1 for table in rows.TABLES},
    )


def column_of(table: str, column: str) -> int:
    """Where ``column`` is in a row of ``table``'s COPY text."""
    return rows.TABLE[table].columns.index(column)


def _as_copy_text(value: object) -> object:
    return ("t" if value else "f") if isinstance(value, bool) else value


def read_all(made: Iterable[tuple[str, str, int]]) -> dict[str, list[list[str | None]]]:
    """Every chunk read by PostgreSQL's rules, and checked against SQLite's reading."""
    tables: dict[str, list[list[str | None]]] = {}
    for table, text, count in made:
        read = read_copy_text(text)
        assert len(read) == count
        columns = rows.TABLE[table].columns
        assert all(len(row) == len(columns) for row in read)
        for_sqlite = rows.read_rows(text, rows.TABLE[table])
        assert [[_as_copy_text(value) for value in row] for row in for_sqlite] == read
        for row in for_sqlite:  # SQLite gets booleans as bool, everything else as text or None
            for column, value in zip(columns, row, strict=True):
                wanted = bool if column in rows.TABLE[table].booleans else str
                assert value is None or type(value) is wanted, (table, column, value)
        tables.setdefault(table, []).extend(read)
    return tables


_TEXT = st.text(alphabet=st.sampled_from('ab \\\t\n\r\b\v\fN"é'), max_size=6)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            _TEXT,
            _TEXT,
            st.one_of(st.none(), st.dates()),
            st.sampled_from([None, "11001", "99999"]),
        ),
        min_size=1,
        max_size=12,
    ),
    st.lists(st.tuples(_TEXT, _TEXT, _TEXT, st.booleans()), min_size=1, max_size=6),
)
def test_copy_text_reads_back_as_the_values(people, dossiers):
    """Whatever the text holds (mostly nothing to escape, sometimes a tab, a newline, a
    backslash or a literal ``\\N``), in names, free text, JSON and legacy ids."""
    persons = [
        PersonToCreate(f"{80010100000 + i}", first, last, born, nis)
        for i, (first, last, born, nis) in enumerate(people)
    ]
    planned = [
        PlannedDossier(
            number=f"2020.01.01.{i + 1:04d}",
            registration_date=date(2020, 1, 1),
            status="REG",
            primary_company_id="C1",
            secondary_company_ids=("C2",) if split else (),
            members=(
                PlannedMember(persons[0].insz, "applicant", date(2020, 1, 1)),
                *[PlannedMember(p.insz, "co_resident", None) for p in persons[1:2]],
            ),
            municipalities=("11001", "12345", "44021"),
            dwelling_types=("house",),
            other={"note": other},
            housing_situation=situation,
            contact={"email": other},
            content_source=(legacy, legacy + "x"),
            merged_from=((legacy, legacy + "x"),),
            split=split,
        )
        for i, (situation, other, legacy, split) in enumerate(dossiers)
    ]
    make = maker()
    tables = read_all(make.persons(*_numbers_and_extract(persons)))
    for at in range(0, len(planned), 4):
        for table, found in read_all(make.dossier_tables(planned[at : at + 4])).items():
            tables.setdefault(table, []).extend(found)

    assert [row[2:6] for row in tables[rows.PERSON]] == [
        [
            p.first_name or "",
            p.last_name or "",
            None if p.birth_date is None else p.birth_date.isoformat(),
            p.domicile_nis if p.domicile_nis == "11001" else None,
        ]
        for p in persons
    ]
    dossier_rows = tables[rows.DOSSIER]
    situation, other = (
        column_of(rows.DOSSIER, "housing_situation"),
        column_of(rows.DOSSIER, "other_preferences"),
    )
    source = column_of(rows.DOSSIER, "content_source")
    assert [row[situation] for row in dossier_rows] == [d.housing_situation for d in planned]
    assert [orjson.loads(row[other] or "") for row in dossier_rows] == [d.other for d in planned]
    assert [orjson.loads(row[source] or "")["dossier_id"] for row in dossier_rows] == [
        d.content_source[1] for d in planned
    ]
    assert [row[column_of(rows.MEMBER, "waiting_since")] for row in tables[rows.MEMBER]] == [
        None if m.waiting_since is None else m.waiting_since.isoformat()
        for d in planned
        for m in d.members
    ]
    municipality = column_of(rows.CHOICE, "municipality_id")
    assert [row[municipality] for row in tables[rows.CHOICE]] == ["11001", "44021"] * len(planned)
    assert make.municipalities_unknown == len(planned)
    payload = column_of(rows.ACTION, "payload")
    action_payloads = [orjson.loads(row[payload] or "") for row in tables[rows.ACTION]]
    assert [p["samengevoegdUit"][0]["landlord_id"] for p in action_payloads] == [
        d.merged_from[0][0] for d in planned
    ]
    # The MIGRA event's payload and the audit's "after" are written out by hand: the JSON is
    # exactly what these objects give.
    event_payload = column_of(rows.EVENT, "payload")
    assert [orjson.loads(row[event_payload] or "") for row in tables[rows.EVENT]] == [
        {
            "dossierNummer": d.number,
            "rijksregisternummers": [m.insz for m in d.members if m.role != "co_resident"],
            "actie": "MIGRA",
            "wachtSinds": {
                m.insz: m.waiting_since.isoformat() for m in d.members if m.waiting_since
            },
            "gesplitst": d.split,
        }
        for d in planned
    ]
    after = column_of(rows.AUDIT, "after")
    assert [orjson.loads(row[after] or "") for row in tables[rows.AUDIT]] == [
        {"number": d.number, "status": "REG", "version": 1} for d in planned
    ]


def _numbers_and_extract(
    persons: list[PersonToCreate],
) -> tuple[list[str], dict[str, PersonToCreate]]:
    """RowMaker.persons' arguments for these persons: their numbers, and each as the extract's
    line of it."""
    return [p.insz for p in persons], {p.insz: p for p in persons}


def test_the_persons_have_their_ids_before_their_rows_are_made():
    """The writer sends the persons' rows in turn with the dossiers', whose members refer to
    the persons by id: the ids are given when the rows are asked for, in the numbers' order."""
    numbers = [f"{80010100000 + i}" for i in range(rows.COPY_CHUNK_ROWS + 3)]
    make = maker()
    chunks = make.persons(numbers, {})
    assert [make.person_pk[n] for n in numbers] == list(range(1, len(numbers) + 1))
    made = read_all(chunks)[rows.PERSON]
    assert [(int(row[0] or 0), row[1]) for row in made] == [(make.person_pk[n], n) for n in numbers]


def test_a_person_missing_from_the_extract_gets_no_names_birth_date_or_domicile():
    [(_table, text, _count)] = maker().persons(["80010100001"], {})
    assert text == "1\t80010100001\t\t\t\\N\t\\N\n"


def test_a_clean_chunk_is_written_as_it_is_and_only_a_dirty_one_escaped():
    clean = [PersonToCreate("80010100001", "Jan", "Peeters", None, "11001")]
    dirty = [PersonToCreate("80010100002", "Jan", "Van\\Den", date(1980, 1, 1), None)]
    [(_table, text, _count)] = maker().persons(*_numbers_and_extract(clean))
    assert text == "1\t80010100001\tJan\tPeeters\t\\N\t11001\n"
    [(_table, text, _count)] = maker().persons(*_numbers_and_extract(dirty))
    assert text == "1\t80010100002\tJan\tVan\\\\Den\t1980-01-01\t\\N\n"


def test_every_column_the_text_leaves_out_is_a_run_value_or_a_constant_of_its_own():
    """A column is in the COPY text, or one of the run's values, or a constant (decision 0018),
    never two of these; the writer gives the run's values and the constants to each row."""
    make = maker()
    for table in rows.TABLES:
        left_out = [column for column, _value in make.run_values(table)]
        assert len(left_out) == len(set(left_out)), table.name
        assert not set(left_out) & set(table.columns), table.name
        assert table.booleans <= set(table.columns), table.name
    assert ("neighbourhoods", "[]") in make.run_values(rows.TABLE[rows.CHOICE])
    assert ("unsynchronised", True) in make.run_values(rows.TABLE[rows.SHARE])


def _planned(count: int) -> list[PlannedDossier]:
    return [
        PlannedDossier(
            number=f"2020.01.01.{i + 1:04d}",
            registration_date=date(2020, 1, 1),
            status="REG",
            primary_company_id="C1",
            secondary_company_ids=(),
            members=(PlannedMember(f"8001010{i:04d}", "applicant", date(2020, 1, 1)),),
            municipalities=("11001",),
            dwelling_types=("house",),
            other=None,
            housing_situation=None,
            contact=None,
            content_source=("L1", f"D{i}"),
            merged_from=(("L1", f"D{i}"),),
            split=False,
        )
        for i in range(count)
    ]


def _with_persons(planned: list[PlannedDossier]) -> rows.RowMaker:
    make = maker()
    list(
        make.persons(
            *_numbers_and_extract(
                [PersonToCreate(m.insz, "A", "B", None, None) for d in planned for m in d.members]
            )
        )
    )
    return make


def test_the_tables_made_from_the_numbers_alone_are_the_same_made_early_or_with_the_dossiers():
    """MigrationWriter.numbered writes the status history and the audit before the dossiers
    are built; the rows are those the dossier batches would have made, ids included."""
    planned = _planned(rows.COPY_CHUNK_ROWS + 7)  # more than one chunk

    def made(early: bool) -> dict[str, list[list[str | None]]]:
        make = _with_persons(planned)
        chunks = list(make.numbered_tables([d.number for d in planned])) if early else []
        for at in range(0, len(planned), 1000):
            chunks += make.dossier_tables(planned[at : at + 1000])
        return read_all(chunks)

    early, late = made(early=True), made(early=False)
    assert early == late
    assert set(early) == {table.name for table in rows.TABLES[1:]}
    dossier_ids = [row[0] for row in early[rows.DOSSIER]]
    assert [
        row[column_of(rows.STATUS_CHANGE, "dossier_id")] for row in early[rows.STATUS_CHANGE]
    ] == (dossier_ids)
    assert [row[column_of(rows.AUDIT, "dossier_id")] for row in early[rows.AUDIT]] == dossier_ids
    after = column_of(rows.AUDIT, "after")
    assert [orjson.loads(row[after] or "")["number"] for row in early[rows.AUDIT]] == [
        d.number for d in planned
    ]


def test_the_numbered_tables_are_made_once_and_before_the_first_dossier():
    make = _with_persons(_planned(1))
    make.dossier_tables(_planned(1))
    with pytest.raises(RuntimeError):
        make.numbered_tables(["2020.01.01.0002"])
    make = maker()
    make.numbered_tables(["2020.01.01.0001"])
    with pytest.raises(RuntimeError):
        make.numbered_tables(["2020.01.01.0001"])
