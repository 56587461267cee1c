"""One test per rule and branch of migration.md, and its worked examples verbatim."""

from __future__ import annotations

from datetime import date

import pytest

from cir.domain.migration import (
    Member,
    TooManyDossiersOnDate,
    add_years,
    plan_to_export_lines,
    rent_premium_outcome,
    validate_report,
)

from .builders import REFERENCE, World, dossier_of, invalid_insz

D1 = ("SHM-1", "2018.10.06.001")
D2 = ("SVK-2", "2020.04.14.003")


def example_1(world: World, *, felix: bool = False) -> tuple[str, str, str, str | None]:
    jef = world.person("Jef", date(1985, 7, 30), "11001")
    laura = world.person("Laura", date(1987, 2, 5), "11002")
    marie = world.person("Marie", date(1990, 3, 3), "12001")
    son = world.person("Felix", date(2015, 6, 15), "11001") if felix else None
    world.dossier(*D1, date(2018, 10, 6), jef, laura, co_residents=(son,) if son else ())
    world.dossier(*D2, date(2020, 4, 14), jef, marie, municipalities=("12001",))
    return jef, laura, marie, son


# Worked examples ------------------------------------------------------------------------------


def test_worked_example_1_jef_laura_marie() -> None:
    world = World()
    jef, laura, marie, _ = example_1(world)
    plan = world.plan()
    assert plan.report["counts"]["groups_split"] == 1
    assert len(plan.dossiers) == 3
    d_jef, d_laura, d_marie = (dossier_of(plan, p) for p in (jef, laura, marie))
    assert set(d_jef.merged_from) == {D1, D2}
    assert d_jef.registration_date == date(2018, 10, 6)
    assert d_jef.number.startswith("2018.10.06.")
    assert d_laura.merged_from == (D1,)
    assert d_laura.number.startswith("2018.10.06.")
    assert d_marie.merged_from == (D2,)
    assert d_marie.number.startswith("2020.04.14.")
    assert d_marie.registration_date == date(2020, 4, 14)
    for d in (d_jef, d_laura, d_marie):
        assert [m.role for m in d.members] == ["applicant"]


def test_worked_example_2_felix_follows_jef_and_laura() -> None:
    world = World()
    jef, laura, marie, felix = example_1(world, felix=True)
    plan = world.plan()
    members = {p: [m.insz for m in dossier_of(plan, p).members] for p in (jef, laura, marie)}
    assert members == {jef: [jef, felix], laura: [laura, felix], marie: [marie]}
    assert dossier_of(plan, jef).number.startswith("2018.10.06.")
    assert dossier_of(plan, laura).number.startswith("2018.10.06.")
    assert dossier_of(plan, marie).number.startswith("2020.04.14.")


def premium_world(jef_since: date, laura_since: date) -> tuple[World, str, str]:
    world = World()
    jef = world.person("Jef", date(1985, 7, 30))
    laura = world.person("Laura", date(1987, 2, 5))
    marie = world.person("Marie", date(1990, 3, 3))
    world.dossier(
        *D1,
        date(2018, 10, 6),
        jef,
        laura,
        since={jef: jef_since, laura: laura_since},
        claimant=jef,
    )
    world.dossier(
        *D2, date(2020, 4, 14), jef, marie, since={jef: max(jef_since, date(2020, 4, 14))}
    )
    return world, jef, laura


def outcomes(world: World, reference: date = date(2024, 1, 2)) -> dict[str, str]:
    return {o.insz: o.outcome for o in world.plan(reference).rent_premium}


def test_worked_example_premium_both_four_years_jef_continues_laura_new_claimant() -> None:
    world, jef, laura = premium_world(date(2018, 10, 6), date(2018, 10, 6))
    assert outcomes(world) == {jef: "continues", laura: "new_claimant"}


def test_worked_example_premium_laura_under_four_years_is_not_yet_entitled() -> None:
    world, jef, laura = premium_world(date(2018, 10, 6), date(2021, 5, 1))
    plan = world.plan()
    result = {o.insz: o for o in plan.rent_premium}
    assert result[jef].outcome == "continues"
    assert result[laura].outcome == "not_yet_entitled"
    assert result[laura].entitled_from == date(2025, 5, 1)
    assert result[laura].waiting_since == date(2021, 5, 1)


def test_worked_example_premium_jef_joined_later_loses_laura_new_claimant() -> None:
    world, jef, laura = premium_world(date(2021, 3, 1), date(2018, 10, 6))
    assert outcomes(world) == {jef: "loses_entitlement", laura: "new_claimant"}


# Rule 1 ---------------------------------------------------------------------------------------


def test_rule_1_group_with_one_kh_set_stays_together() -> None:
    world = World()
    jef = world.person("Jef")
    laura = world.person("Laura")
    world.dossier("SHM-1", "A", date(2019, 1, 1), jef, laura)
    world.dossier("SVK-2", "B", date(2017, 5, 5), laura, jef)  # same set, roles swapped
    plan = world.plan()
    assert len(plan.dossiers) == 1
    dossier = plan.dossiers[0]
    assert {m.insz for m in dossier.members} == {jef, laura}
    assert dossier.merged_from == (("SHM-1", "A"), ("SVK-2", "B"))
    assert dossier.split is False
    assert plan.report["counts"]["groups_split"] == 0
    assert plan.rent_premium == []


def test_rule_1_single_candidate_in_several_dossiers_stays_together() -> None:
    world = World()
    jef = world.person("Jef")
    world.dossier("SHM-1", "A", date(2019, 1, 1), jef)
    world.dossier("SHM-2", "B", date(2016, 1, 1), jef)
    plan = world.plan()
    assert [(m.insz, m.role) for m in plan.dossiers[0].members] == [(jef, "applicant")]
    assert plan.dossiers[0].registration_date == date(2016, 1, 1)


def test_rule_1_group_with_two_kh_sets_is_split() -> None:
    world = World()
    jef = world.person("Jef")
    laura = world.person("Laura")
    world.dossier("SHM-1", "A", date(2019, 1, 1), jef, laura)
    world.dossier("SHM-2", "B", date(2020, 1, 1), jef)  # Jef alone: another KH set
    plan = world.plan()
    assert len(plan.dossiers) == 2
    assert dossier_of(plan, jef).merged_from == (("SHM-1", "A"), ("SHM-2", "B"))
    assert dossier_of(plan, laura).merged_from == (("SHM-1", "A"),)
    assert all(d.split for d in plan.dossiers)


def test_rule_1_candidate_elsewhere_can_be_co_resident_but_not_of_own_dossier() -> None:
    world = World()
    jef = world.person("Jef")
    laura = world.person("Laura")
    world.dossier("SHM-1", "A", date(2019, 1, 1), jef, co_residents=(laura,))
    world.dossier("SHM-2", "B", date(2020, 1, 1), jef, laura)
    plan = world.plan()
    assert [m.insz for m in dossier_of(plan, jef).members] == [jef, laura]
    assert [m.role for m in dossier_of(plan, jef).members] == ["applicant", "co_resident"]
    assert [m.insz for m in dossier_of(plan, laura).members] == [laura]


def test_rule_1_couple_applicant_is_applicant_of_content_source() -> None:
    world = World()
    jef = world.person("Jef", domicile="11001")
    laura = world.person("Laura", domicile="11001")
    world.dossier("SHM-1", "A", date(2015, 1, 1), laura, jef)  # domicile company's SHM
    world.dossier("SHM-2", "B", date(2020, 1, 1), jef, laura)
    dossier = world.plan().dossiers[0]
    assert dossier.content_source == ("SHM-1", "A")
    assert [(m.insz, m.role) for m in dossier.members] == [(laura, "applicant"), (jef, "partner")]


def test_rule_1_co_residents_sorted_and_deduplicated() -> None:
    world = World()
    jef = world.person("Jef")
    kids = sorted(world.person(f"Kid{i}", date(2012, 1, 1 + i)) for i in range(3))
    world.dossier("SHM-1", "A", date(2019, 1, 1), jef, co_residents=(kids[2], kids[0]))
    world.dossier("SHM-2", "B", date(2020, 1, 1), jef, co_residents=(kids[1], kids[0]))
    members = world.plan().dossiers[0].members
    assert [m.insz for m in members] == [jef, *kids]
    assert [m.waiting_since for m in members[1:]] == [None, None, None]


# Rule 2 ---------------------------------------------------------------------------------------


def test_rule_2_content_source_single_source_of_domicile_company() -> None:
    world = World()
    jef = world.person("Jef", domicile="11001")
    world.dossier("SVK-1", "own", date(2010, 1, 1), jef)  # old SVK of WM01: still chosen
    world.dossier("SHM-2", "newer", date(2022, 1, 1), jef)
    assert world.plan().dossiers[0].content_source == ("SVK-1", "own")


def test_rule_2_content_source_prefers_domicile_company_shm() -> None:
    world = World()
    jef = world.person("Jef", domicile="11001")
    world.dossier("SHM-1", "shm", date(2010, 1, 1), jef)
    world.dossier("SVK-1", "svk", date(2022, 1, 1), jef)
    world.dossier("SHM-2", "other", date(2023, 1, 1), jef)
    assert world.plan().dossiers[0].content_source == ("SHM-1", "shm")


def test_rule_2_content_source_domicile_company_without_shm_takes_most_recent() -> None:
    world = World()
    world.landlords["SVK-1b"] = world.landlords["SVK-1"].__class__(
        "SVK-1b", "Svk een b", "SVK", "WM01", None
    )
    jef = world.person("Jef", domicile="11001")
    world.dossier("SVK-1", "old", date(2010, 1, 1), jef)
    world.dossier("SVK-1b", "new", date(2021, 1, 1), jef)
    world.dossier("SHM-2", "other", date(2023, 1, 1), jef)
    assert world.plan().dossiers[0].content_source == ("SVK-1b", "new")


def test_rule_2_content_source_falls_back_to_most_recent_shm() -> None:
    world = World()
    jef = world.person("Jef", domicile="13001")  # WM03, where Jef has no dossier
    world.dossier("SHM-1", "old", date(2010, 1, 1), jef)
    world.dossier("SHM-2", "new", date(2020, 1, 1), jef)
    world.dossier("SVK-2", "newest", date(2023, 1, 1), jef)
    assert world.plan().dossiers[0].content_source == ("SHM-2", "new")


def test_rule_2_content_source_falls_back_to_most_recent_svk() -> None:
    world = World()
    jef = world.person("Jef", domicile=None)
    world.dossier("SVK-1", "old", date(2010, 1, 1), jef)
    world.dossier("SVK-2", "new", date(2020, 1, 1), jef)
    world.dossier("LB-12002", "lb", date(2023, 1, 1), jef)
    assert world.plan().dossiers[0].content_source == ("SVK-2", "new")


def test_rule_2_content_source_falls_back_to_local_authority() -> None:
    world = World()
    jef = world.person("Jef", domicile="21004")  # Brussels: no domicile company
    world.dossier("LB-12002", "lb", date(2023, 1, 1), jef)
    assert world.plan().dossiers[0].content_source == ("LB-12002", "lb")


def test_rule_2_most_recent_ties_broken_by_last_modified_then_smallest_key() -> None:
    world = World()
    jef = world.person("Jef", domicile=None)
    day = date(2020, 1, 1)
    world.dossier("SHM-2", "b", day, jef, modified=date(2021, 1, 1))
    world.dossier("SHM-1", "a", day, jef, modified=date(2022, 1, 1))
    assert world.plan().dossiers[0].content_source == ("SHM-1", "a")
    world = World()
    jef = world.person("Jef", domicile=None)
    world.dossier("SHM-2", "a", day, jef, modified=date(2022, 1, 1))
    world.dossier("SHM-1", "b", day, jef, modified=date(2022, 1, 1))
    assert world.plan().dossiers[0].content_source == ("SHM-1", "b")


def test_rule_2_most_recent_is_decided_by_registration_date_before_any_last_modified() -> None:
    world = World()
    jef = world.person("Jef", domicile=None)
    world.dossier("SHM-1", "old", date(2020, 1, 1), jef, modified=date(9999, 12, 31))
    world.dossier("SHM-2", "new", date(2020, 1, 2), jef, modified=date(2020, 1, 2))
    assert world.plan().dossiers[0].content_source == ("SHM-2", "new")


def test_rule_2_couple_domicile_is_applicant_of_most_recent_source() -> None:
    world = World()
    jef = world.person("Jef", domicile="12001")  # WM02
    laura = world.person("Laura", domicile="11001")  # WM01
    world.dossier("SHM-1", "old", date(2015, 1, 1), laura, jef)
    world.dossier("SHM-2", "new", date(2020, 1, 1), jef, laura)  # most recent: Jef applies
    dossier = world.plan().dossiers[0]
    assert dossier.content_source == ("SHM-2", "new")
    assert dossier.members[0].insz == jef


def test_rule_2_couple_domicile_falls_back_to_partner_when_unknown() -> None:
    world = World()
    jef = world.person("Jef", domicile=None)
    laura = world.person("Laura", domicile="11001")
    world.dossier("SHM-1", "old", date(2015, 1, 1), laura, jef)
    world.dossier("SHM-2", "new", date(2020, 1, 1), jef, laura)
    dossier = world.plan().dossiers[0]
    assert dossier.content_source == ("SHM-1", "old")  # Laura's domicile company WM01
    assert dossier.members[0].insz == laura


# Rule 3 ---------------------------------------------------------------------------------------


def test_rule_3_primary_is_domicile_company_when_registered_for_domicile() -> None:
    world = World()
    jef = world.person("Jef", domicile="11002")
    world.dossier("SHM-2", "x", date(2020, 1, 1), jef, municipalities=("12001", "11002"))
    dossier = world.plan().dossiers[0]
    assert dossier.primary_company_id == "WM01"
    assert dossier.secondary_company_ids == ("WM02",)


def test_rule_3_primary_is_company_of_most_recent_shm_or_svk_otherwise() -> None:
    world = World()
    jef = world.person("Jef", domicile="11002")  # not chosen anywhere
    world.dossier("SHM-3", "old", date(2010, 1, 1), jef, municipalities=("13001",))
    world.dossier("SVK-2", "new", date(2020, 1, 1), jef, municipalities=("12001",))
    world.dossier("LB-12002", "lb", date(2023, 1, 1), jef, municipalities=("12002",))
    dossier = world.plan().dossiers[0]
    assert dossier.primary_company_id == "WM02"
    assert dossier.municipalities == ("11002", "12001", "12002", "13001")
    assert dossier.secondary_company_ids == ("WM01", "WM03")


def test_rule_3_local_authority_only_takes_domicile_company() -> None:
    world = World()
    jef = world.person("Jef", domicile="13001")
    world.dossier("LB-12002", "lb", date(2020, 1, 1), jef, municipalities=("12002",))
    dossier = world.plan().dossiers[0]
    assert dossier.primary_company_id == "WM03"
    assert dossier.secondary_company_ids == ("WM02",)


def test_rule_3_local_authority_only_without_domicile_company_takes_authority_area() -> None:
    world = World()
    jef = world.person("Jef", domicile="21004")
    world.dossier("LB-12002", "lb", date(2020, 1, 1), jef, municipalities=("11001",))
    dossier = world.plan().dossiers[0]
    assert dossier.primary_company_id == "WM02"
    assert dossier.secondary_company_ids == ("WM01",)


def test_rule_3_domicile_chosen_but_outside_flanders_falls_through() -> None:
    world = World()
    jef = world.person("Jef", domicile="21004")
    world.dossier("SHM-3", "x", date(2020, 1, 1), jef, municipalities=("21004", "13001"))
    dossier = world.plan().dossiers[0]
    assert dossier.primary_company_id == "WM03"
    assert dossier.municipalities == ("13001", "21004")


# Rule 4 ---------------------------------------------------------------------------------------


def test_rule_4_union_of_preferences_and_flemish_domicile_added() -> None:
    world = World()
    jef = world.person("Jef", domicile="13001")
    world.dossier(
        "SHM-1", "a", date(2019, 1, 1), jef, municipalities=("11001",), dwelling_types=("H", "A")
    )
    world.dossier(
        "SHM-3",
        "b",
        date(2020, 1, 1),
        jef,
        municipalities=("12001", "11001"),
        dwelling_types=("S",),
        other={"bedrooms_min": 2},
        situation="Huurt privaat, te klein.",
    )
    dossier = world.plan().dossiers[0]
    assert dossier.municipalities == ("11001", "12001", "13001")
    assert dossier.dwelling_types == ("A", "H", "S")
    assert dossier.content_source == ("SHM-3", "b")
    assert dossier.other == {"bedrooms_min": 2}
    assert dossier.housing_situation == "Huurt privaat, te klein."
    assert dossier.contact == {"email": "b@example.org"}


def test_rule_4_domicile_outside_flanders_or_unknown_not_added() -> None:
    world = World()
    jef = world.person("Jef", domicile="21004")
    ann = world.person("Ann", domicile=None)
    world.dossier("SHM-1", "a", date(2019, 1, 1), jef, municipalities=("11001",))
    world.dossier("SHM-1", "b", date(2019, 1, 1), ann, municipalities=("11002",))
    plan = world.plan()
    assert dossier_of(plan, jef).municipalities == ("11001",)
    assert dossier_of(plan, ann).municipalities == ("11002",)


def test_rule_4_each_candidates_flemish_domicile_is_added() -> None:
    world = World()
    jef = world.person("Jef", domicile="13001")
    laura = world.person("Laura", domicile="12002")
    world.dossier("SHM-1", "a", date(2019, 1, 1), jef, laura, municipalities=("11001",))
    assert world.plan().dossiers[0].municipalities == ("11001", "12002", "13001")


# Rule 5 ---------------------------------------------------------------------------------------


def test_rule_5_oldest_registration_date_and_number_of_that_date() -> None:
    world = World()
    jef = world.person("Jef")
    world.dossier("SHM-1", "a", date(2019, 3, 4), jef)
    world.dossier("SHM-2", "b", date(2012, 11, 30), jef)
    dossier = world.plan().dossiers[0]
    assert dossier.registration_date == date(2012, 11, 30)
    assert dossier.number[:11] == "2012.11.30."
    assert 1 <= int(dossier.number[11:]) <= 9999
    assert dossier.status == "REG"


def test_rule_5_numbers_are_reproducible_from_the_seed() -> None:
    world = World()
    for i in range(30):
        world.dossier("SHM-1", f"d{i}", date(2019, 3, 4), world.person(f"P{i}"))
    first = [d.number for d in world.plan(seed=1).dossiers]
    assert first == [d.number for d in world.plan(seed=1).dossiers]
    assert first != [d.number for d in world.plan(seed=2).dossiers]
    assert len(set(first)) == 30


def test_rule_5_taken_numbers_are_never_reused() -> None:
    world = World()
    for i in range(3):
        world.dossier("SHM-1", f"d{i}", date(2019, 3, 4), world.person(f"P{i}"))
    taken = frozenset(f"2019.03.04.{n:04d}" for n in range(1, 9997))
    numbers = sorted(d.number for d in world.plan(taken=taken).dossiers)
    assert numbers == ["2019.03.04.9997", "2019.03.04.9998", "2019.03.04.9999"]


def test_rule_5_more_than_9999_on_one_date_is_an_error() -> None:
    world = World()
    for i in range(2):
        world.dossier("SHM-1", f"d{i}", date(2019, 3, 4), world.person(f"P{i}"))
    taken = frozenset(f"2019.03.04.{n:04d}" for n in range(1, 9999))
    with pytest.raises(TooManyDossiersOnDate) as caught:
        world.plan(taken=taken)
    assert caught.value.needed == 2
    assert caught.value.free == 1
    assert "2019-03-04" in str(caught.value)


def test_rule_5_waiting_since_is_earliest_member_since_as_candidate() -> None:
    world = World()
    jef = world.person("Jef")
    laura = world.person("Laura")
    world.dossier("SHM-1", "a", date(2015, 1, 1), jef, laura, since={laura: date(2017, 6, 1)})
    world.dossier("SHM-2", "b", date(2016, 1, 1), laura, jef, since={jef: date(2016, 2, 2)})
    members = {m.insz: m.waiting_since for m in world.plan().dossiers[0].members}
    assert members == {jef: date(2015, 1, 1), laura: date(2016, 1, 1)}


def test_rule_5_time_as_co_resident_does_not_count() -> None:
    world = World()
    jef = world.person("Jef")
    laura = world.person("Laura")
    world.dossier("SHM-1", "a", date(2010, 1, 1), jef, co_residents=(laura,))
    world.dossier("SHM-2", "b", date(2020, 1, 1), laura)
    assert dossier_of(world.plan(), laura).members[0].waiting_since == date(2020, 1, 1)


# Rule 6 ---------------------------------------------------------------------------------------


def test_rule_6_outcome_table() -> None:
    ref = date(2024, 1, 2)
    assert rent_premium_outcome(True, date(2020, 1, 2), ref) == "continues"
    assert rent_premium_outcome(True, date(2020, 1, 3), ref) == "loses_entitlement"
    assert rent_premium_outcome(False, date(2020, 1, 2), ref) == "new_claimant"
    assert rent_premium_outcome(False, date(2020, 1, 3), ref) == "not_yet_entitled"


def test_rule_6_entitled_from_handles_29_february() -> None:
    assert add_years(date(2020, 2, 29), 4) == date(2024, 2, 29)
    assert add_years(date(2096, 2, 29), 4) == date(2100, 3, 1)
    assert add_years(date(2019, 3, 1), 4) == date(2023, 3, 1)


def test_rule_6_only_split_groups_get_outcomes_and_letters() -> None:
    world = World()
    jef = world.person("Jef")
    laura = world.person("Laura")
    world.dossier("SHM-1", "a", date(2015, 1, 1), jef, laura, claimant=jef)
    world.dossier("SHM-2", "b", date(2016, 1, 1), jef, laura)
    plan = world.plan()
    assert plan.rent_premium == []
    assert plan.report["migration_letters"] == []


def test_rule_6_split_without_premium_has_no_outcome() -> None:
    world = World()
    example_1(world)
    plan = world.plan()
    assert plan.rent_premium == []
    assert plan.report["rent_premium"] == []


def test_rule_6_report_entries_and_letters() -> None:
    world, jef, laura = premium_world(date(2018, 10, 6), date(2018, 10, 6))
    plan = world.plan()
    entry = next(e for e in plan.report["rent_premium"] if e["insz"] == jef)
    assert entry == {
        "insz": jef,
        "dossier_number": dossier_of(plan, jef).number,
        "was_claimant": True,
        "waiting_since": "2018-10-06",
        "outcome": "continues",
        "entitled_from": "2022-10-06",
    }
    letters = {letter["insz"] for letter in plan.report["migration_letters"]}
    assert letters == {jef, laura}  # Marie was never in a dossier with the premium
    validate_report(plan.report)


# Rule 7 ---------------------------------------------------------------------------------------


def quarantine_of(world: World) -> list[tuple[str, str]]:
    return [(q["dossier_id"], q["reason"]) for q in world.plan().report["quarantine"]]


def test_rule_7_invalid_insz_of_candidate_quarantines() -> None:
    world = World()
    jef = world.person("Jef")
    world.dossier("SHM-1", "a", date(2019, 1, 1), jef, invalid_insz(world.person("Laura")))
    world.dossier("SHM-1", "b", date(2019, 1, 1), "85.07.30-033.28")
    plan = world.plan()
    assert [(q["dossier_id"], q["reason"]) for q in plan.report["quarantine"]] == [
        ("a", "invalid_insz"),
        ("b", "invalid_insz"),
    ]
    assert plan.dossiers == []


def test_rule_7_unknown_landlord_quarantines() -> None:
    world = World()
    world.dossier("SHM-999", "a", date(2019, 1, 1), world.person("Jef"))
    assert quarantine_of(world) == [("a", "unknown_landlord")]


def test_rule_7_bad_members_quarantines() -> None:
    world = World()
    jef = world.person("Jef")
    ann = world.person("Ann")
    bob = world.person("Bob")
    world.dossier("SHM-1", "none", date(2019, 1, 1), None, jef)
    world.dossier(
        "SHM-1",
        "two",
        date(2019, 1, 1),
        None,
        members=(Member(jef, "applicant", None), Member(ann, "applicant", None)),
    )
    world.dossier(
        "SHM-1",
        "partners",
        date(2019, 1, 1),
        None,
        members=(
            Member(jef, "applicant", None),
            Member(ann, "partner", None),
            Member(bob, "partner", None),
        ),
    )
    world.dossier("SHM-1", "twice", date(2019, 1, 1), jef, co_residents=(jef,))
    assert quarantine_of(world) == [
        ("none", "bad_members"),
        ("two", "bad_members"),
        ("partners", "bad_members"),
        ("twice", "bad_members"),
    ]


def test_rule_7_duplicate_dossier_quarantines_every_line() -> None:
    world = World()
    jef = world.person("Jef")
    world.dossier("SHM-1", "dup", date(2019, 1, 1), jef)
    world.dossier("SHM-1", "dup", date(2019, 1, 1), jef)
    world.dossier("SHM-2", "dup", date(2019, 1, 1), jef)  # another landlord: fine
    plan = world.plan()
    assert [(q["landlord_id"], q["reason"]) for q in plan.report["quarantine"]] == [
        ("SHM-1", "duplicate_dossier"),
        ("SHM-1", "duplicate_dossier"),
    ]
    assert plan.dossiers[0].merged_from == (("SHM-2", "dup"),)


def test_rule_7_member_since_before_birth_is_impossible() -> None:
    world = World()
    jef = world.person("Jef", date(1985, 7, 30))
    kid = world.person("Kid", date(2016, 1, 1))
    world.dossier("SHM-1", "a", date(2019, 1, 1), jef, since={jef: date(1985, 7, 29)})
    world.dossier("SHM-1", "b", date(2015, 1, 1), jef, co_residents=(kid,))  # born later: fine
    world.dossier(
        "SHM-2", "c", date(2015, 1, 1), jef, co_residents=(kid,), since={kid: date(2015, 1, 1)}
    )
    assert quarantine_of(world) == [("a", "impossible_dates"), ("c", "impossible_dates")]


def test_rule_7_candidate_registered_before_birth_is_impossible() -> None:
    world = World()
    baby = world.person("Baby", date(2010, 1, 1))
    world.dossier("SHM-1", "a", date(2009, 1, 1), baby)
    assert quarantine_of(world) == [("a", "impossible_dates")]


def test_rule_7_registration_after_export_date_is_impossible() -> None:
    world = World()
    jef = world.person("Jef")
    world.dossier("SHM-1", "a", date(2023, 11, 1), jef, modified=date(2023, 11, 15))
    world.dossier("SHM-2", "b", date(2023, 12, 1), jef, modified=date(2023, 11, 10))
    world.dossier("SHM-3", "c", date(2024, 5, 1), jef, modified=date(2099, 1, 1))
    plan = world.plan(date(2024, 1, 2))
    assert plan.export_date == date(2024, 1, 2)  # capped by the reference date
    assert [(q["dossier_id"], q["reason"]) for q in plan.report["quarantine"]] == [
        ("c", "impossible_dates")
    ]
    world.dossiers.pop()
    plan = world.plan(date(2024, 1, 2))
    assert plan.export_date == date(2023, 11, 15)
    assert [(q["dossier_id"], q["reason"]) for q in plan.report["quarantine"]] == [
        ("b", "impossible_dates")
    ]


def test_rule_7_invalid_co_resident_is_dropped_and_listed() -> None:
    world = World()
    jef = world.person("Jef")
    bad = invalid_insz(world.person("Kid", date(2012, 1, 1)))
    world.dossier("SHM-1", "a", date(2019, 1, 1), jef, co_residents=(bad,))
    plan = world.plan()
    assert [m.insz for m in plan.dossiers[0].members] == [jef]
    assert plan.report["counts"]["co_residents_dropped"] == 1
    assert plan.report["co_residents_dropped"][0]["insz"] == bad
    assert plan.report["quarantine"] == []


def test_rule_7_every_legacy_dossier_is_merged_or_quarantined() -> None:
    world = World()
    _jef, _laura, _marie, _ = example_1(world, felix=True)
    world.dossier("SHM-999", "lost?", date(2019, 1, 1), world.person("Ann"))
    plan = world.plan()
    merged = {k for d in plan.dossiers for k in d.merged_from}
    quarantined = {(q["landlord_id"], q["dossier_id"]) for q in plan.report["quarantine"]}
    assert merged | quarantined == {d.key for d in world.dossiers}
    assert not merged & quarantined
    assert plan.report["counts"]["legacy_dossiers"] == 3


def warnings_of(world: World) -> list[tuple[str, str | None]]:
    return [(w["kind"], w.get("insz")) for w in world.plan().report["identity_warnings"]]


def test_rule_7_identity_warning_not_in_population() -> None:
    world = World()
    ghost = world.person("Ghost", in_population=False)
    world.dossier("SHM-1", "a", date(2019, 1, 1), ghost)
    plan = world.plan()
    assert warnings_of(world) == [("not_in_population", ghost)]
    person = plan.persons[0]
    assert (person.insz, person.first_name, person.domicile_nis) == (ghost, None, None)


def test_rule_7_identity_warning_birth_date_mismatch() -> None:
    world = World()
    jef = world.person("Jef", date(1985, 7, 30))
    world.population[0].birth_date = date(1985, 7, 31)
    world.dossier("SHM-1", "a", date(2019, 1, 1), jef)
    assert warnings_of(world) == [("insz_birth_date_mismatch", jef)]


def test_rule_7_identity_warning_conflicting_identity() -> None:
    world = World()
    jef = world.person("Jef")
    first = world.population[0]
    world.population.append(
        first.__class__(jef, "Jozef", first.last_name, first.birth_date, "11001", 2)
    )
    world.population.append(first.__class__(jef, "Jef", "Peeters", first.birth_date, "11001", 3))
    world.dossier("SHM-1", "a", date(2019, 1, 1), jef)
    plan = world.plan()
    assert warnings_of(world) == [("insz_conflicting_identity", jef)]
    assert "line 1 is used" in plan.report["identity_warnings"][0]["detail"]
    assert plan.persons[0].first_name == "Jef"


def test_rule_7_identity_warning_same_identity_different_insz() -> None:
    world = World()
    one = world.person("Jef", date(1985, 7, 30))
    two = world.person("JEF ", date(1985, 7, 30))
    world.dossier("SHM-1", "a", date(2019, 1, 1), one)
    world.dossier("SHM-2", "b", date(2019, 1, 1), two)
    assert warnings_of(world) == [("same_identity_different_insz", min(one, two))]


def test_rule_7_errors_mask_national_numbers() -> None:
    from cir.domain.migration import mask_insz

    assert mask_insz("85073003328") == "850730*****"


# Export shape ---------------------------------------------------------------------------------


def test_export_lines_follow_register_dossier_schema() -> None:
    from cir.domain.migration.inputs import validator

    world = World()
    example_1(world, felix=True)
    plan = world.plan()
    lines = plan_to_export_lines(plan)
    check = validator("register-dossier")
    for line in lines:
        check(line)
    assert [line["dossier_number"] for line in lines] == sorted(d.number for d in plan.dossiers)
    assert lines[0]["status"] == "REG"
    assert all(m.get("waiting_since") for m in lines[0]["members"] if m["role"] != "co_resident")


# The planner's steps ---------------------------------------------------------------------------


def test_the_planner_refuses_to_finish_before_every_dossier_is_built() -> None:
    """finish() reports on the built dossiers; called early it would report an empty register."""
    from cir.domain.migration.rules import MigrationPlanner

    world = World()
    example_1(world)
    planner = MigrationPlanner(world.inputs(), REFERENCE, seed=1)
    planner.screen()
    with pytest.raises(RuntimeError, match="before every dossier was built"):
        planner.finish()
    building = planner.build_all()
    next(building)
    with pytest.raises(RuntimeError, match="before every dossier was built"):
        planner.finish()
    for _dossier in building:
        pass
    assert len(planner.finish().dossiers) == 3


def test_the_screening_gives_the_numbers_of_the_persons_the_plan_creates() -> None:
    """The screening decides the persons to create: the writer loads them, in the order the
    input names them, from their numbers and the extract's first lines; the plan's persons (made
    for the report once the dossiers are built) are those, in national-number order, and a
    number missing from the extract is a person without names or birth date."""
    from cir.domain.migration.rules import MigrationPlanner

    world = World()
    example_1(world)
    missing = world.person("Onbekend", in_population=False)
    world.dossier("SHM-1", "X1", date(2019, 3, 1), missing)
    planner = MigrationPlanner(world.inputs(), REFERENCE, seed=1)
    planner.screen()
    numbers = planner.person_numbers()
    for _dossier in planner.build_all():
        pass
    plan = planner.finish()
    assert numbers == sorted(numbers)
    assert [p.insz for p in plan.persons] == numbers
    # The writer's order (their ids): the same persons, as the input first names them.
    in_order = planner.persons_in_input_order()
    assert sorted(in_order) == numbers
    named: dict[str, None] = {}
    for source in planner.sources:
        for member in source.dossier.members:
            if member.role != "co_resident":
                named.setdefault(member.insz)
    for source in planner.sources:
        for insz in source.co_residents:
            named.setdefault(insz)
    assert in_order == list(named)
    assert missing in numbers and missing not in planner.persons
    absent = next(p for p in plan.persons if p.insz == missing)
    assert (absent.first_name, absent.birth_date, absent.domicile_nis) == (None, None, None)
    for person in plan.persons:
        line = planner.persons.get(person.insz)
        if line is not None:
            assert (person.first_name, person.birth_date) == (line.first_name, line.birth_date)


def test_the_screening_gives_each_candidate_once_as_it_finds_them_in_the_writers_order() -> None:
    """The writer loads the persons while the rules screen: the parts the screening gives,
    one after the other, are the candidates in the order their ids follow, each once; a
    quarantined dossier's members are in no part; the co-residents who are no candidate come
    after the screening, and together they are persons_in_input_order."""
    from cir.domain.migration.rules import SCREEN_PART, MigrationPlanner

    world = World()
    child = world.person("Kind", date(2001, 1, 1))
    households: list[str] = []
    for i in range(SCREEN_PART + 100):  # more than one part, new candidates in the second
        if i < 200 or i >= SCREEN_PART:
            households.append(world.person(f"Kandidaat{i}", date(1970 + i % 30, 1, 1)))
        applicant = households[i % 200] if i < SCREEN_PART else households[-1]
        world.dossier("SHM-1", f"D{i}", date(2015, 1, 1), applicant, co_residents=(child,))
    quarantined = world.person("Quarantaine")
    world.dossier("NOPE", "Q1", date(2016, 1, 1), quarantined)
    # A candidate found before, again at another landlord, and the child a candidate at last.
    world.dossier("SVK-1", "S1", date(2016, 1, 1), households[0])
    world.dossier("SVK-1", "S2", date(2016, 1, 1), child)
    planner = MigrationPlanner(world.inputs(), REFERENCE, seed=1)

    parts = list(planner.screening())

    assert len([part for part in parts if part]) > 1
    found = [insz for part in parts for insz in part]
    assert found == [*households, child] == list(planner.candidate_index)
    assert quarantined not in found
    assert planner.co_residents_only() == []  # the child became a candidate
    assert planner.persons_in_input_order() == found
    assert [q["dossier_id"] for q in planner.quarantine] == ["Q1"]


def test_the_co_residents_who_are_no_candidate_come_after_the_candidates() -> None:
    from cir.domain.migration.rules import MigrationPlanner

    world = World()
    child = world.person("Kind", date(2001, 1, 1))
    applicant = world.person("Ouder")
    world.dossier("SHM-1", "D1", date(2015, 1, 1), applicant, co_residents=(child,))
    planner = MigrationPlanner(world.inputs(), REFERENCE, seed=1)

    parts = list(planner.screening())

    assert [insz for part in parts for insz in part] == [applicant]
    assert planner.co_residents_only() == [child]
    assert planner.persons_in_input_order() == [applicant, child]


def test_dossiers_are_built_in_the_order_of_their_groups_and_planned_in_number_order() -> None:
    """Decision 0012: the dossiers are built (and written) in the order in which their first
    legacy dossier appears in the input, which is where their sources lie in memory; the numbers
    handed out beforehand follow that same order, and the plan is sorted by number."""
    from cir.domain.migration.rules import MigrationPlanner

    world = World()
    # Input order is the reverse of date order, so group order and number order differ.
    for i, year in enumerate((2021, 2019, 2017)):
        applicant = world.person(f"Kandidaat{i}", date(1980 + i, 1, 1 + i), "11001")
        world.dossier("SHM-1", f"G{i}", date(year, 5, 1), applicant)
    planner = MigrationPlanner(world.inputs(), REFERENCE, seed=1)
    planner.screen()
    numbers = planner.number_all()
    built = list(planner.build_all())
    assert [d.merged_from for d in built] == [(("SHM-1", f"G{i}"),) for i in range(3)]
    assert [d.number for d in built] == numbers
    assert [n[:4] for n in numbers] == ["2021", "2019", "2017"]
    plan = planner.finish()
    assert [d.number for d in plan.dossiers] == sorted(numbers)
