"""Invariants of the register: hypothesis over random action sequences on the pure rules, and the
constraints the database enforces by itself (rules.md sections 1 and 9)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import pairwise

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from cir.domain.statuses import Action, Status
from cir.domain.transitions import (
    TRANSITIONS,
    Actor,
    DossierState,
    Outcome,
    RuleViolation,
    decide,
)
from cir.register.models import Dossier, Member, MemberRole
from tests.factories import DossierFactory, PersonFactory

ACTIONS = sorted({t.action for t in TRANSITIONS})
#: Offers and their outcomes are drawn more often, so that walks reach blocks and second
#: sanctions (see test_the_random_walks_reach_the_states_the_properties_are_about).
WEIGHTED_ACTIONS = [
    *ACTIONS,
    *[Action.OFFER] * 12,
    *[Action.REF, Action.NORES] * 6,
    *[Action.REG, Action.OBJ, Action.APP] * 3,
]
#: Who acts, resolved against the dossier at the time: "offering" is whoever's offer runs.
ROLES = [
    *["primary", "secondary", "stranger", "candidate", "register", "proxy"],
    *["offering"] * 4,
]


def actor_for(role: str, state: DossierState) -> Actor:
    if role == "offering":
        return Actor.landlord(state.offer_company or "WM02")
    return {
        "primary": Actor.landlord("WM01"),
        "secondary": Actor.landlord("WM02"),
        "stranger": Actor.landlord("WM03"),
        "candidate": Actor.candidate("85073003328"),
        "register": Actor.register(),
        "proxy": Actor("landlord", company="WM01", with_proxy=True),
    }[role]


START = date(2022, 1, 3)

steps = st.lists(
    st.tuples(
        st.sampled_from(WEIGHTED_ACTIONS),
        st.sampled_from(ROLES),
        st.integers(min_value=0, max_value=120),  # days until the next action
        st.booleans(),  # what the sources say, for APP and ACTUA
    ),
    min_size=5,
    max_size=40,
)
initial = st.sampled_from(
    [
        DossierState(None, Status.SAVED, "WM01", frozenset({"WM02"}), all_adults_confirmed=True),
        DossierState(
            "2022.01.03.0001",
            Status.REG,
            "WM01",
            frozenset({"WM02"}),
            last_activity=START,
            all_adults_confirmed=True,
        ),
    ]
)


@dataclass
class Step:
    before: DossierState
    on: date
    action: Action
    actor: Actor
    outcome: Outcome | None


def run(start: DossierState, sequence: list) -> list[Step]:
    """Apply the sequence with :func:`decide` as the services do; refusals change nothing."""
    state, on, trace = start, START, []
    for action, role, days, met in sequence:
        on = on + timedelta(days=days)
        actor = actor_for(role, state)
        try:
            outcome = decide(action, state, actor, on, conditions_met=met)
        except RuleViolation:
            trace.append(Step(state, on, action, actor, None))
            continue
        after = outcome.after
        if outcome.assign_number:
            after = replace(after, number=f"{on:%Y.%m.%d}.0001")
        if actor.party_kind != "register":
            after = replace(after, last_activity=on)
        trace.append(Step(state, on, action, actor, outcome))
        state = after
    return trace


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(initial, steps)
def test_sanction_count_never_decreases_and_second_sanction_removes(start, sequence) -> None:
    for step in run(start, sequence):
        if step.outcome is None:
            continue
        before, after = step.before, step.outcome.after
        assert after.sanction_count >= before.sanction_count
        assert after.sanction_count - before.sanction_count in (0, 1)
        if after.sanction_count > before.sanction_count:
            assert step.action in (Action.REF, Action.NORES)
            if after.sanction_count >= 2:
                assert after.status == Status.RJCT
            else:
                assert after.status == Status.REG
                assert after.offer_block_until is not None


@PROPERTY
@given(initial, steps)
def test_offer_never_accepted_while_an_offer_block_runs(start, sequence) -> None:
    for step in run(start, sequence):
        if step.outcome is not None and step.action == Action.OFFER:
            block = step.before.offer_block_until
            assert block is None or step.on >= block


@PROPERTY
@given(initial, steps)
def test_status_is_always_a_known_status(start, sequence) -> None:
    for step in run(start, sequence):
        if step.outcome is not None:
            assert isinstance(step.outcome.after.status, Status)
            assert step.outcome.after.status in set(Status)


@PROPERTY
@given(initial, steps)
def test_offer_company_set_exactly_when_in_offer(start, sequence) -> None:
    for step in run(start, sequence):
        if step.outcome is None:
            continue
        after = step.outcome.after
        assert (after.offer_company is not None) == (after.status == Status.OFFER)
        if after.status == Status.OFFER:
            assert after.offer_company == step.actor.company
            assert after.offer_company in {"WM01", "WM02"}


@PROPERTY
@given(initial, steps)
def test_removed_dossier_accepts_only_an_appeal(start, sequence) -> None:
    for step in run(start, sequence):
        if step.before.status in (Status.RJCT, Status.RFSD) and step.outcome is not None:
            assert step.action == Action.OBJ
            assert step.outcome.after.status == Status.CHKO


@PROPERTY
@given(initial, steps)
def test_a_refusal_is_judged_on_state_and_never_changes_it(start, sequence) -> None:
    trace = run(start, sequence)
    for previous, step in pairwise(trace):
        if previous.outcome is None:
            assert step.before == previous.before


@PROPERTY
@given(initial, steps)
def test_a_number_once_given_is_never_lost(start, sequence) -> None:
    had_number = start.number is not None
    for step in run(start, sequence):
        if had_number:
            assert step.before.number is not None
        had_number = had_number or step.before.number is not None


@pytest.mark.parametrize(
    "reached",
    [
        lambda t: any(s.outcome and s.outcome.after.sanction_count == 2 for s in t),
        lambda t: any(
            s.outcome is None
            and s.action == Action.OFFER
            and s.before.offer_block_until
            and s.on < s.before.offer_block_until
            for s in t
        ),
        lambda t: any(s.outcome and s.action == Action.OBJ for s in t),
    ],
    ids=["second_sanction", "blocked_offer", "appeal"],
)
def test_the_random_walks_reach_the_states_the_properties_are_about(reached) -> None:
    """The properties above are not vacuous: the generator reaches these situations."""
    found = find(
        st.tuples(initial, steps),
        lambda case: bool(reached(run(*case))),
        settings=settings(max_examples=2000, database=None, phases=[Phase.generate]),
    )
    assert reached(run(*found))


# --- what the database enforces by itself ------------------------------------------------


def _candidate_in(dossier: Dossier) -> Member:
    return dossier.members.get(role=MemberRole.APPLICANT)


@pytest.mark.django_db
def test_database_enforces_one_active_dossier_per_candidate(areas) -> None:
    first, second = DossierFactory(), DossierFactory()
    person = _candidate_in(first).person
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(
            dossier=second, person=person, role=MemberRole.PARTNER, holds_candidacy=True
        )
    assert not second.members.filter(person=person).exists()


@pytest.mark.django_db
def test_database_lets_a_candidate_be_a_co_resident_elsewhere(areas) -> None:
    first, second, third = DossierFactory(), DossierFactory(), DossierFactory()
    person = _candidate_in(first).person
    Member.objects.create(dossier=second, person=person, role=MemberRole.CO_RESIDENT)
    Member.objects.create(dossier=third, person=person, role=MemberRole.CO_RESIDENT)
    assert person.memberships.count() == 3


@pytest.mark.django_db
def test_database_releases_the_candidate_of_a_removed_dossier(areas) -> None:
    removed = DossierFactory(removed=True)
    person = _candidate_in(removed).person
    assert not _candidate_in(removed).holds_candidacy
    new = DossierFactory()
    Member.objects.create(dossier=new, person=person, role=MemberRole.PARTNER, holds_candidacy=True)


@pytest.mark.django_db
def test_database_refuses_candidacy_for_a_co_resident(areas) -> None:
    dossier = DossierFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(
            dossier=dossier,
            person=PersonFactory(),
            role=MemberRole.CO_RESIDENT,
            holds_candidacy=True,
        )


@pytest.mark.django_db
def test_database_enforces_one_applicant_per_dossier(areas) -> None:
    dossier = DossierFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(dossier=dossier, person=PersonFactory(), role=MemberRole.APPLICANT)
    assert dossier.members.filter(role=MemberRole.APPLICANT).count() == 1


@pytest.mark.django_db
def test_database_enforces_at_most_one_partner_per_dossier(areas) -> None:
    dossier = DossierFactory()
    Member.objects.create(dossier=dossier, person=PersonFactory(), role=MemberRole.PARTNER)
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(dossier=dossier, person=PersonFactory(), role=MemberRole.PARTNER)


@pytest.mark.django_db
def test_database_enforces_unique_dossier_numbers(areas) -> None:
    existing = DossierFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Dossier.objects.create(
            number=existing.number, registration_date=existing.registration_date, status="REG"
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "number",
    ["2021-03-04-0001", "2021.3.4.1", "21.03.04.0001", "2021.03.04.0x12", "2021.03.0400012", "abc"],
)
def test_database_refuses_a_malformed_dossier_number(areas, number: str) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Dossier.objects.create(number=number, registration_date=date(2021, 3, 4), status="REG")
    assert not Dossier.objects.filter(number=number).exists()


@pytest.mark.django_db
def test_database_refuses_a_number_without_registration_date(areas) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Dossier.objects.create(number="2021.03.04.0999", registration_date=None, status="REG")


@pytest.mark.django_db
def test_database_refuses_an_unknown_status(areas) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Dossier.objects.create(status="TEMP")
