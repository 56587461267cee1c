"""Reading the input folder: the happy path, and malformed files stop with file and line."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cir.domain.migration import MalformedInput, plan_migration, read_inputs
from cir.domain.migration.inputs import _ascii_digits

from .builders import World, dossier_json


def world_folder(tmp_path: Path) -> tuple[World, Path]:
    world = World()
    jef = world.person("Jef", date(1985, 7, 30), "11001")
    laura = world.person("Laura", date(1987, 2, 5), None)
    world.dossier(
        "SHM-1", "2018.10.06.001", date(2018, 10, 6), jef, laura, other={"bedrooms_min": 2}
    )
    world.dossier(
        "LB-12002", "x", date(2019, 1, 1), jef, claimant=jef, since={jef: date(2019, 2, 1)}
    )
    return world, world.write(tmp_path / "in")


def test_read_inputs_round_trips_the_folder(tmp_path: Path) -> None:
    world, folder = world_folder(tmp_path)
    calls: list[tuple[str, int, int | None]] = []
    inputs = read_inputs(folder, progress=lambda phase, n, total: calls.append((phase, n, total)))
    assert inputs.population == tuple(world.population)
    assert inputs.dossiers == tuple(world.dossiers)
    assert inputs.landlords == world.landlords
    assert inputs.companies == tuple(world.companies)
    phases = {phase for phase, _, _ in calls}
    assert phases == {"operating_areas", "landlords", "population", "dossiers"}
    # The reading advances by bytes, up to the files' sizes.
    dossier_bytes = sum(p.stat().st_size for p in (folder / "dossiers").glob("*.jsonl"))
    assert sum(n for phase, n, _ in calls if phase == "dossiers") == dossier_bytes
    assert {total for phase, _, total in calls if phase == "dossiers"} == {dossier_bytes}
    population_bytes = (folder / "population.jsonl").stat().st_size
    assert sum(n for phase, n, _ in calls if phase == "population") == population_bytes
    assert plan_migration(inputs, date(2024, 1, 2), 1) == plan_migration(
        world.inputs(), date(2024, 1, 2), 1
    )


def test_dossier_files_read_in_file_name_order(tmp_path: Path) -> None:
    _world, folder = world_folder(tmp_path)
    lines = (folder / "dossiers" / "a.jsonl").read_bytes().splitlines(keepends=True)
    (folder / "dossiers" / "a.jsonl").unlink()
    (folder / "dossiers" / "z.jsonl").write_bytes(lines[0])
    (folder / "dossiers" / "b.jsonl").write_bytes(lines[1] + b"\n")
    (folder / "dossiers" / "ignored.txt").write_bytes(b"not json")
    inputs = read_inputs(folder)
    assert [(d.file, d.line, d.dossier_id) for d in inputs.dossiers] == [
        ("dossiers/b.jsonl", 1, "x"),
        ("dossiers/z.jsonl", 1, "2018.10.06.001"),
    ]


def population_line(**changes: str) -> dict[str, str]:
    """A line of population.jsonl (as a dict), with ``changes``."""
    return {
        "insz": "85073003328",
        "first_name": "X",
        "last_name": "Y",
        "birth_date": "1985-07-30",
        "domicile_nis": "11001",
    } | changes


def append_line(folder: Path, name: str, line: bytes) -> None:
    with (folder / name).open("ab") as handle:
        handle.write(line + b"\n")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("members"), "members"),
        (lambda d: d.update(members=[]), "members"),
        (lambda d: d["members"][0].update(role="child"), "role"),
        (lambda d: d.update(registration_date="2023-02-30"), "not a calendar date"),
        (lambda d: d.update(registration_date="06/10/2018"), "registration_date"),
        (lambda d: d["preferences"].update(municipalities=["1300"]), "municipalities"),
        # Five characters, not all digits: refused by the second step of the codes' check.
        (lambda d: d["preferences"].update(municipalities=["11001", "1300x"]), "municipalities"),
        (lambda d: d["preferences"].update(dwelling_types=["X"]), "dwelling_types"),
        (lambda d: d.update(rent_premium={"claimant": "x"}), "rent_premium"),
        (lambda d: d.update(extra=1), "extra"),
        # The reading's own fields of a legacy dossier are not keys of the format.
        (lambda d: d.update(file="dossiers/a.jsonl"), "file"),
        (lambda d: d.update(line=3), "line"),
        (lambda d: d.update(file=None), "file"),
        (lambda d: d.update(landlord_id=""), "landlord_id"),
        (lambda d: d.update(contact="jef@example.org"), "contact"),
        # Optional keys that the schema allows to be absent but not null.
        (lambda d: d["members"][0].update(member_since=None), "member_since"),
        (lambda d: d["preferences"].update(other=None), "other"),
    ],
)
def test_malformed_dossier_line_stops_with_file_and_line(
    tmp_path: Path, mutate: object, message: str
) -> None:
    world, folder = world_folder(tmp_path)
    bad = dossier_json(world.dossiers[0])
    mutate(bad)  # type: ignore[operator]
    append_line(folder, "dossiers/a.jsonl", orjson.dumps(bad))
    with pytest.raises(MalformedInput) as caught:
        read_inputs(folder)
    assert caught.value.file == "dossiers/a.jsonl"
    assert caught.value.line == 3
    assert message in str(caught.value)
    assert str(caught.value).startswith("dossiers/a.jsonl:3: ")


def test_line_that_is_not_json_stops_with_file_and_line(tmp_path: Path) -> None:
    _, folder = world_folder(tmp_path)
    append_line(folder, "dossiers/a.jsonl", b'{"landlord_id": "SHM-1",')
    with pytest.raises(MalformedInput, match=r"^dossiers/a\.jsonl:3: not JSON"):
        read_inputs(folder)


# Ten digits (msgspec refuses the length), and eleven characters with a letter (the reading
# refuses it once the file is read).
@pytest.mark.parametrize("insz", ["8507300332", "8507300332x"])
def test_malformed_population_line_does_not_leak_the_number(tmp_path: Path, insz: str) -> None:
    _world, folder = world_folder(tmp_path)
    append_line(folder, "population.jsonl", orjson.dumps(population_line(insz=insz)))
    with pytest.raises(MalformedInput) as caught:
        read_inputs(folder)
    assert (caught.value.file, caught.value.line) == ("population.jsonl", 3)
    assert "insz" in str(caught.value)
    assert "8507300332" not in str(caught.value)


def test_a_population_line_naming_the_readings_own_field_stops_the_run(tmp_path: Path) -> None:
    """``line`` is where the reading found a person, not a key of the format."""
    _world, folder = world_folder(tmp_path)
    person = population_line()
    append_line(folder, "population.jsonl", orjson.dumps(person | {"line": 1}))
    with pytest.raises(MalformedInput) as caught:
        read_inputs(folder)
    assert (caught.value.file, caught.value.line) == ("population.jsonl", 3)
    assert "line" in str(caught.value)


def test_malformed_operating_areas_stop_before_anything_else(tmp_path: Path) -> None:
    _, folder = world_folder(tmp_path)
    (folder / "operating_areas.json").write_bytes(b'[{"company_id": "WM01",\n "kbo": 12}')
    with pytest.raises(MalformedInput) as caught:
        read_inputs(folder)
    assert caught.value.file == "operating_areas.json"
    assert caught.value.line == 2


def test_operating_area_item_that_breaks_the_schema_is_named(tmp_path: Path) -> None:
    _, folder = world_folder(tmp_path)
    (folder / "operating_areas.json").write_bytes(
        b'[{"company_id": "WM01", "name": "x", "kbo": "123", "municipalities": ["11001"]}]'
    )
    with pytest.raises(MalformedInput, match="item 1 does not fit the schema"):
        read_inputs(folder)


def test_landlord_of_unknown_company_is_malformed(tmp_path: Path) -> None:
    _, folder = world_folder(tmp_path)
    (folder / "landlords.json").write_bytes(
        b'[{"landlord_id": "SHM-1", "name": "x", "type": "SHM", "company_id": "WM99"}]'
    )
    with pytest.raises(MalformedInput, match="WM99"):
        read_inputs(folder)


def test_local_authority_without_municipality_is_malformed(tmp_path: Path) -> None:
    _, folder = world_folder(tmp_path)
    (folder / "landlords.json").write_bytes(b'[{"landlord_id": "LB-1", "name": "x", "type": "LB"}]')
    with pytest.raises(MalformedInput, match="municipality"):
        read_inputs(folder)


def test_overlapping_operating_areas_are_malformed(tmp_path: Path) -> None:
    _, folder = world_folder(tmp_path)
    (folder / "operating_areas.json").write_bytes(
        b'[{"company_id": "WM01", "name": "x", "kbo": "0400000001", "municipalities": ["11001"]},'
        b'{"company_id": "WM02", "name": "y", "kbo": "0400000002", "municipalities": ["11001"]}]'
    )
    with pytest.raises(MalformedInput, match="do not overlap"):
        read_inputs(folder)


def test_missing_file_is_malformed(tmp_path: Path) -> None:
    _, folder = world_folder(tmp_path)
    (folder / "population.jsonl").unlink()
    with pytest.raises(MalformedInput, match=r"population\.jsonl"):
        read_inputs(folder)


def test_line_the_fast_decoder_refuses_but_the_schema_accepts_is_read(tmp_path: Path) -> None:
    # The schema's \d also matches other scripts' digits; the fast path only knows [0-9] (its
    # second step, after msgspec checked the length) and hands such a line to the slow path,
    # which reads it as the schema allows.
    world, folder = world_folder(tmp_path)
    odd = dossier_json(world.dossiers[0])
    odd["dossier_id"] = "odd"
    odd["preferences"]["municipalities"] = ["١١٠٠١", "11001"]
    assert not _ascii_digits(["١١٠٠١", "11001"])
    append_line(folder, "dossiers/a.jsonl", orjson.dumps(odd))
    inputs = read_inputs(folder)
    assert inputs.dossiers[-1].preferences.municipalities == ("١١٠٠١", "11001")
    assert (inputs.dossiers[-1].file, inputs.dossiers[-1].line) == ("dossiers/a.jsonl", 3)
    assert inputs.dossiers[-1].members == world.dossiers[0].members


def test_population_line_with_other_digits_is_read_by_the_schema(tmp_path: Path) -> None:
    _world, folder = world_folder(tmp_path)
    person = population_line(domicile_nis="١١٠٠١")
    append_line(folder, "population.jsonl", orjson.dumps(person))
    inputs = read_inputs(folder)
    assert (inputs.population[-1].domicile_nis, inputs.population[-1].line) == ("١١٠٠١", 3)


def test_the_first_malformed_line_stops_the_run_whichever_check_finds_it(tmp_path: Path) -> None:
    """A code that is not all digits is found after the line is decoded (with the other codes
    of its file), yet it stops the run before a later line that is not JSON."""
    world, folder = world_folder(tmp_path)
    bad = dossier_json(world.dossiers[0])
    bad["dossier_id"] = "bad-code"
    bad["preferences"]["municipalities"] = ["1100x"]
    append_line(folder, "dossiers/a.jsonl", orjson.dumps(bad))
    append_line(folder, "dossiers/a.jsonl", b'{"landlord_id": "SHM-1",')
    with pytest.raises(MalformedInput) as caught:
        read_inputs(folder)
    assert (caught.value.file, caught.value.line) == ("dossiers/a.jsonl", 3)
    assert "municipalities" in str(caught.value)


_MAYBE = st.sampled_from(["absent", "null", "value"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    since=st.lists(
        st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2024, 12, 31))), min_size=3, max_size=3
    ),
    other=st.booleans(),
    premium=_MAYBE,
    situation=_MAYBE,
    contact=_MAYBE,
    municipalities=st.lists(st.sampled_from(["11001", "44021", "71016"]), max_size=3),
)
def test_fast_and_slow_paths_read_a_line_the_same_way(
    tmp_path: Path,
    since: list[date | None],
    other: bool,
    premium: str,
    situation: str,
    contact: str,
    municipalities: list[str],
) -> None:
    from cir.domain.migration.inputs import _Dates, _dossier_from_dict, _read_dossiers

    world, _ = world_folder(tmp_path / "w")
    line = dossier_json(world.dossiers[0])
    line["members"] = [
        {"insz": m["insz"], "role": m["role"]}
        | ({} if s is None else {"member_since": s.isoformat()})
        for m, s in zip(
            [*line["members"], {"insz": "00010100135", "role": "co_resident"}], since, strict=False
        )
    ]
    line["preferences"] = {"municipalities": municipalities, "dwelling_types": ["A", "H"]} | (
        {"other": {"bedrooms_min": 2}} if other else {}
    )
    for key, choice, value in (
        ("rent_premium", premium, {"claimant_insz": line["members"][0]["insz"]}),
        ("housing_situation", situation, "huurder"),
        ("contact", contact, {"email": "jef@example.org"}),
    ):
        line.pop(key, None)
        if choice != "absent":
            line[key] = None if choice == "null" else value
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    (folder / "dossiers").mkdir()
    (folder / "dossiers" / "a.jsonl").write_bytes(orjson.dumps(line) + b"\n")
    (fast,) = _read_dossiers(folder, None, _Dates())
    slow = _dossier_from_dict(line, "dossiers/a.jsonl", 1, _Dates())
    assert fast == slow


def test_values_that_recur_are_kept_once_and_stay_what_the_line_says(tmp_path: Path) -> None:
    """The reading keeps one object for equal tuples of municipalities and dwelling types,
    equal other preferences and the landlord's id, line after line: the same values, less
    memory. JSON's 1 and true stay apart, though Python finds them equal."""
    from cir.domain.migration.inputs import _Dates, _one_of, _read_dossiers

    def line(dossier_id: str, other: object) -> bytes:
        return orjson.dumps(
            {
                "landlord_id": "SHM-1",
                "dossier_id": dossier_id,
                "registration_date": "2020-01-01",
                "last_modified": "2020-01-02",
                "members": [{"insz": "85073003328", "role": "applicant"}],
                "preferences": {
                    "municipalities": ["11001", "11002"],
                    "dwelling_types": ["A", "H"],
                    "other": other,
                },
            }
        )

    (tmp_path / "dossiers").mkdir()
    (tmp_path / "dossiers" / "a.jsonl").write_bytes(
        b"\n".join(
            [
                line("1", {"bedrooms_min": 1}),
                line("2", {"bedrooms_min": 1}),
                line("3", {"bedrooms_min": True}),
                line("4", {"floors": [0, 1]}),
            ]
        )
        + b"\n"
    )
    first, second, third, fourth = _read_dossiers(tmp_path, None, _Dates())
    assert first.landlord_id is second.landlord_id
    assert first.preferences.municipalities is second.preferences.municipalities
    assert first.preferences.dwelling_types is fourth.preferences.dwelling_types
    assert first.preferences.other is second.preferences.other
    assert orjson.dumps(third.preferences.other) == b'{"bedrooms_min":true}'
    assert orjson.dumps(first.preferences.other) == b'{"bedrooms_min":1}'
    assert fourth.preferences.other == {"floors": [0, 1]}
    unhashable = {"floors": [0, 1]}
    assert _one_of({}, unhashable) is unhashable
