"""Dossier specs for the register's own demo."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from stdnum.be import nn

from cir.synthetic.areas import demo_operating_areas
from cir.synthetic.register import STATUS_WEIGHTS, demo_register_dossiers


@pytest.fixture(scope="module")
def specs() -> list[dict[str, Any]]:
    return list(demo_register_dossiers(demo_operating_areas(), 3000, seed=11))


def test_deterministic(specs: list[dict[str, Any]]) -> None:
    again = list(demo_register_dossiers(demo_operating_areas(), 3000, seed=11))
    assert again == specs
    assert list(demo_register_dossiers(demo_operating_areas(), 5, seed=12)) != specs[:5]


def test_statuses_mostly_registered(specs: list[dict[str, Any]]) -> None:
    statuses = Counter(s["status"] for s in specs)
    assert set(statuses) == set(STATUS_WEIGHTS)
    assert statuses.most_common(1)[0][0] == "REG"
    assert statuses["REG"] > len(specs) / 2
    for spec in specs:
        if spec["status"] in ("REG", "OFFER", "WAITS", "RJCT"):
            assert spec["has_number"]
        if spec["status"] in ("SAVED", "RFSD"):
            assert not spec["has_number"]
        assert (spec["status_reason"] is not None) == (spec["status"] == "RJCT")


def test_one_dossier_per_candidate_valid_numbers(specs: list[dict[str, Any]]) -> None:
    candidates = [s["applicant"]["insz"] for s in specs]
    candidates += [s["partner"]["insz"] for s in specs if s["partner"]]
    assert len(set(candidates)) == len(candidates)
    for spec in specs:
        people = [spec["applicant"], *([spec["partner"]] if spec["partner"] else [])]
        people += spec["co_residents"]
        for person in people:
            assert nn.is_valid(person["insz"])
            assert str(nn.get_birth_date(person["insz"])) == person["birth_date"]
        assert spec["registration_date"] >= "2005-01-01"
        registered = spec["registration_date"]
        for adult in people[: 1 + (spec["partner"] is not None)]:
            assert int(adult["birth_date"][:4]) <= int(registered[:4]) - 17


def test_choices_near_domicile(specs: list[dict[str, Any]]) -> None:
    areas = demo_operating_areas()
    company_of = {nis: a["company_id"] for a in areas for nis in a["municipalities"]}
    with_domicile = 0
    for spec in specs:
        chosen = spec["preferences"]["municipalities"]
        assert chosen and len(set(chosen)) == len(chosen)
        assert all(nis in company_of for nis in chosen)
        assert set(spec["preferences"]["dwelling_types"]) <= {"H", "A", "S", "R"}
        domicile = spec["applicant"]["domicile_nis"]
        if domicile in chosen:
            with_domicile += 1
            assert spec["primary_company"] == company_of[domicile]
        else:
            assert spec["primary_company"] == company_of[chosen[0]]
    assert with_domicile / len(specs) > 0.8
