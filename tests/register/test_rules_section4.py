"""rules.md section 4 (actions), section 9 (numbers), section 6 (freeze window logic) and the
national-number rules of section 1, checked on the pure domain: no database."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from stdnum.be import nn

from cir.domain import numbering
from cir.domain.calendar import add_months, add_years
from cir.domain.freeze import FreezeWindow, window_at
from cir.domain.insz import InvalidNationalNumber, mask, validate
from cir.domain.landlords import derive_landlords
from cir.domain.statuses import (
    ACTIVE_STATUSES,
    LOCAL_SOFTWARE_ACTIONS,
    Action,
    RemovalReason,
    Status,
)
from cir.domain.transitions import (
    TRANSITIONS,
    Actor,
    DossierState,
    Guard,
    Party,
    PremiumEvent,
    RuleViolation,
    decide,
    effective_date_refusal,
    offer_block_active,
)

TODAY = date(2024, 5, 15)
NUMBER = "2021.03.04.0001"
PRIMARY, SECONDARY, STRANGER = "WM01", "WM02", "WM03"
PV = Actor.landlord(PRIMARY)
SV = Actor.landlord(SECONDARY)
OTHER = Actor.landlord(STRANGER)
CANDIDATE = Actor.candidate("85073003328")
REGISTER = Actor.register()
PV_WITH_PROXY = Actor("landlord", company=PRIMARY, with_proxy=True)


def state(status: Status = Status.REG, **changes: object) -> DossierState:
    base = DossierState(
        number=NUMBER,
        status=status,
        primary_company=PRIMARY,
        secondary_companies=frozenset({SECONDARY}),
        last_activity=TODAY - timedelta(days=30),
        all_adults_confirmed=True,
    )
    return replace(base, **changes)


def in_offer_by(company: str, **changes: object) -> DossierState:
    return state(Status.OFFER, offer_company=company, **changes)


def refused(action: Action, st: DossierState, actor: Actor, on: date = TODAY, **kw) -> str:
    with pytest.raises(RuleViolation) as caught:
        decide(action, st, actor, on, **kw)
    assert caught.value.detail, "a refusal explains itself in Dutch"
    return caught.value.code


# --- the table itself against rules.md section 4 ---------------------------------------------

C, P, S, OL, R = (
    Party.CANDIDATE,
    Party.PRIMARY,
    Party.SECONDARY,
    Party.OFFERING,
    Party.REGISTER,
)
ACTIVE = frozenset(ACTIVE_STATUSES)

#: rules.md section 4, transcribed by hand: action -> (by, from, to, removal reason).
RULES_MD_SECTION_4 = {
    Action.REQI: ({P}, {Status.CHKS}, Status.INFOS, None),
    Action.RSPND: ({C}, {Status.INFOS}, Status.CHKS, None),
    Action.REG: ({P}, {Status.CHKS, Status.CHKO}, Status.REG, None),
    Action.RJCT: ({P}, {Status.CHKS, Status.INFOS}, Status.RFSD, RemovalReason.REFUSED),
    Action.NCOMP: (
        {P},
        {Status.CHKS, Status.INFOS},
        Status.RJCT,
        RemovalReason.CONDITIONS_NOT_MET,
    ),
    Action.OBJ: ({C}, {Status.RFSD, Status.RJCT}, Status.CHKO, None),
    Action.OFFER: ({P, S}, {Status.REG}, Status.OFFER, None),
    Action.ACC: ({OL}, {Status.OFFER}, Status.RJCT, RemovalReason.ACCEPTED),
    Action.CCLGW: ({OL}, {Status.OFFER}, Status.REG, None),
    Action.REF: ({OL}, {Status.OFFER}, None, None),
    Action.NORES: ({OL}, {Status.OFFER}, None, None),
    Action.CCL: ({OL}, {Status.OFFER}, Status.REG, None),
    Action.WAIT: ({C, P}, {Status.REG}, Status.WAITS, None),
    Action.WAKE: ({C, P}, {Status.WAITS}, Status.REG, None),
    Action.VOL: ({C, P}, ACTIVE, Status.RJCT, RemovalReason.VOLUNTARY),
    Action.DEC: ({P, R}, ACTIVE, Status.RJCT, RemovalReason.DECEASED),
    Action.FRAUD: ({P}, ACTIVE, Status.RJCT, RemovalReason.FRAUD),
    Action.ACTUA: ({R}, {Status.REG}, None, None),
    Action.NOACT: ({P, R}, {Status.REG, Status.WAITS}, Status.RJCT, RemovalReason.INACTIVE),
    Action.APP: ({C}, {Status.SAVED}, None, None),
    Action.SAVE: ({C}, {Status.SAVED}, Status.SAVED, None),
}


@pytest.mark.parametrize("action", sorted(RULES_MD_SECTION_4), ids=str)
def test_transitions_table_matches_rules_md_section_4(action: Action) -> None:
    who, sources, target, reason = RULES_MD_SECTION_4[action]
    rows = [t for t in TRANSITIONS if t.action == action]
    assert rows, f"{action} missing from the table"
    for row in rows:
        assert row.who == frozenset(who)
        assert row.target == target
        assert row.removal_reason == reason
    assert frozenset().union(*(row.sources for row in rows)) == frozenset(sources)


def test_every_local_software_action_has_a_row() -> None:
    assert {t.action for t in TRANSITIONS} >= LOCAL_SOFTWARE_ACTIONS


# --- offers ------------------------------------------------------------------------------------


def test_offer_by_secondary_landlord_moves_reg_to_offer() -> None:
    outcome = decide(Action.OFFER, state(), SV, TODAY)
    assert outcome.after.status == Status.OFFER
    assert outcome.after.offer_company == SECONDARY
    assert outcome.events == ()


def test_offer_by_primary_landlord_moves_reg_to_offer() -> None:
    outcome = decide(Action.OFFER, state(), PV, TODAY)
    assert outcome.after.status == Status.OFFER
    assert outcome.after.offer_company == PRIMARY


def test_offer_by_landlord_that_does_not_share_the_dossier_is_refused() -> None:
    assert refused(Action.OFFER, state(), OTHER) == "ACTIE_NIET_TOEGELATEN_VOOR_ACTOR"


@pytest.mark.parametrize("actor", [CANDIDATE, REGISTER], ids=["candidate", "register"])
def test_offer_is_made_by_landlords_only(actor: Actor) -> None:
    assert refused(Action.OFFER, state(), actor) == "ACTIE_NIET_TOEGELATEN_VOOR_ACTOR"


@pytest.mark.parametrize("actor", [PV, SV], ids=["primary", "secondary"])
def test_offer_refused_while_offer_block_runs(actor: Actor) -> None:
    blocked = state(sanction_count=1, offer_block_until=TODAY + timedelta(days=1))
    assert refused(Action.OFFER, blocked, actor) == "AANBODBLOKKERING"
    assert offer_block_active(blocked, TODAY)


def test_offer_allowed_again_on_the_day_the_offer_block_ends() -> None:
    blocked = state(sanction_count=1, offer_block_until=TODAY)
    assert not offer_block_active(blocked, TODAY)
    assert decide(Action.OFFER, blocked, SV, TODAY).after.status == Status.OFFER


def test_offer_refused_while_in_offer_at_another_landlord() -> None:
    assert refused(Action.OFFER, in_offer_by(SECONDARY), PV) == "IN_AANBOD_ELDERS"


def test_offer_refused_while_already_in_offer_at_the_same_landlord() -> None:
    assert refused(Action.OFFER, in_offer_by(SECONDARY), SV) == "AL_IN_AANBOD"


@pytest.mark.parametrize("status", sorted(ACTIVE - {Status.REG, Status.OFFER}), ids=str)
def test_offer_refused_unless_registered(status: Status) -> None:
    """Not under review (CHKS, INFOS, CHKO), not a draft, not waiting."""
    assert refused(Action.OFFER, state(status), SV) == "ACTIE_NIET_TOEGELATEN_IN_STATUS"


# --- offer outcomes --------------------------------------------------------------------------


def test_acceptance_removes_dossier_with_reason_woning_aanvaard() -> None:
    outcome = decide(Action.ACC, in_offer_by(SECONDARY), SV, TODAY)
    assert outcome.after.status == Status.RJCT
    assert outcome.removal_reason == RemovalReason.ACCEPTED
    assert outcome.removal_reason.value == "woning aanvaard"
    assert outcome.after.offer_company is None
    assert set(outcome.events) == {PremiumEvent.OFFER_ACCEPTED, PremiumEvent.REMOVED}


@pytest.mark.parametrize("action", [Action.REF, Action.NORES], ids=str)
def test_first_sanction_returns_to_reg_with_three_month_offer_block(action: Action) -> None:
    outcome = decide(action, in_offer_by(SECONDARY), SV, TODAY)
    assert outcome.after.status == Status.REG
    assert outcome.sanctioned
    assert outcome.after.sanction_count == 1
    assert outcome.after.offer_block_until == date(2024, 8, 15)
    assert outcome.after.offer_company is None
    assert outcome.removal_reason is None
    assert outcome.events == (PremiumEvent.SANCTIONED,)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (Action.REF, Action.REF),
        (Action.REF, Action.NORES),
        (Action.NORES, Action.REF),
        (Action.NORES, Action.NORES),
    ],
    ids=lambda a: a.value,
)
def test_second_sanction_removes_dossier_with_reason(first: Action, second: Action) -> None:
    after_first = decide(first, in_offer_by(SECONDARY), SV, TODAY).after
    later = after_first.offer_block_until
    assert later is not None
    in_offer_again = decide(Action.OFFER, after_first, PV, later).after
    outcome = decide(second, in_offer_again, PV, later)
    assert outcome.after.status == Status.RJCT
    assert outcome.after.sanction_count == 2
    assert outcome.removal_reason == RemovalReason.SECOND_SANCTION
    assert outcome.removal_reason.value == "tweede ongegronde weigering of niet-reactie"
    assert set(outcome.events) == {PremiumEvent.SANCTIONED, PremiumEvent.REMOVED}


def test_sanctions_count_over_the_life_of_the_dossier_not_per_landlord() -> None:
    sanctioned_once_by_another = in_offer_by(PRIMARY, sanction_count=1)
    outcome = decide(Action.NORES, sanctioned_once_by_another, PV, TODAY)
    assert outcome.after.status == Status.RJCT


def test_justified_refusal_counts_for_nothing() -> None:
    before = in_offer_by(SECONDARY, sanction_count=1, offer_block_until=TODAY - timedelta(days=1))
    outcome = decide(Action.CCLGW, before, SV, TODAY)
    assert outcome.after.status == Status.REG
    assert outcome.after.sanction_count == 1
    assert outcome.after.offer_block_until == before.offer_block_until
    assert outcome.after.offer_company is None
    assert not outcome.sanctioned
    assert outcome.events == ()
    # and it does not block: a new offer is possible at once
    assert decide(Action.OFFER, outcome.after, PV, TODAY).after.status == Status.OFFER


def test_withdrawn_offer_counts_for_nothing() -> None:
    outcome = decide(Action.CCL, in_offer_by(SECONDARY), SV, TODAY)
    assert outcome.after.status == Status.REG
    assert outcome.after.sanction_count == 0
    assert outcome.after.offer_block_until is None
    assert not outcome.sanctioned
    assert outcome.events == ()
    assert decide(Action.OFFER, outcome.after, SV, TODAY).after.status == Status.OFFER


OUTCOMES = [Action.ACC, Action.CCLGW, Action.REF, Action.NORES, Action.CCL]


@pytest.mark.parametrize("action", OUTCOMES, ids=str)
@pytest.mark.parametrize(
    "actor", [PV, OTHER, CANDIDATE, REGISTER], ids=["primary", "stranger", "cand", "reg"]
)
def test_only_offering_landlord_records_outcome(action: Action, actor: Actor) -> None:
    assert refused(action, in_offer_by(SECONDARY), actor) == "NIET_AANBIEDENDE_VERHUURDER"


@pytest.mark.parametrize("action", OUTCOMES, ids=str)
def test_offering_primary_landlord_records_outcome_not_the_secondary(action: Action) -> None:
    assert refused(action, in_offer_by(PRIMARY), SV) == "NIET_AANBIEDENDE_VERHUURDER"
    assert decide(action, in_offer_by(PRIMARY), PV, TODAY).after.status != Status.OFFER


@pytest.mark.parametrize("action", OUTCOMES, ids=str)
@pytest.mark.parametrize("status", sorted(set(Status) - {Status.OFFER}), ids=str)
def test_offer_outcome_needs_a_running_offer(action: Action, status: Status) -> None:
    assert refused(action, state(status), SV) == "ACTIE_NIET_TOEGELATEN_IN_STATUS"


# --- review --------------------------------------------------------------------------------

REVIEW_CASES = [
    (Action.REQI, state(Status.CHKS)),
    (Action.REG, state(Status.CHKS)),
    (Action.REG, state(Status.CHKO)),
    (Action.RJCT, state(Status.CHKS, number=None)),
    (Action.RJCT, state(Status.INFOS, number=None)),
    (Action.NCOMP, state(Status.CHKS)),
    (Action.NCOMP, state(Status.INFOS)),
]


@pytest.mark.parametrize(("action", "st"), REVIEW_CASES, ids=lambda v: str(getattr(v, "value", "")))
@pytest.mark.parametrize(
    "actor",
    [SV, OTHER, CANDIDATE, REGISTER],
    ids=["secondary", "stranger", "candidate", "register"],
)
def test_review_actions_are_primary_landlords_alone(
    action: Action, st: DossierState, actor: Actor
) -> None:
    assert refused(action, st, actor) == "ENKEL_PRIMAIRE_VERHUURDER"
    assert decide(action, st, PV, TODAY).after.status != st.status


def test_reqi_asks_for_information_chks_to_infos() -> None:
    assert decide(Action.REQI, state(Status.CHKS), PV, TODAY).after.status == Status.INFOS


def test_rspnd_by_candidate_returns_infos_to_chks() -> None:
    assert decide(Action.RSPND, state(Status.INFOS), CANDIDATE, TODAY).after.status == Status.CHKS
    assert refused(Action.RSPND, state(Status.INFOS), PV) == "ENKEL_KANDIDAAT"


@pytest.mark.parametrize("status", [Status.CHKS, Status.CHKO], ids=str)
def test_reg_by_primary_assigns_number_only_if_none(status: Status) -> None:
    without = decide(Action.REG, state(status, number=None), PV, TODAY)
    assert without.after.status == Status.REG
    assert without.assign_number
    assert PremiumEvent.REGISTERED in without.events
    kept = decide(Action.REG, state(status), PV, TODAY)
    assert kept.after.status == Status.REG
    assert not kept.assign_number
    assert kept.after.number == state(status).number


def test_reg_of_numbered_review_dossier_tells_premium_service_nothing() -> None:
    kept = decide(Action.REG, state(Status.CHKS), PV, TODAY)
    assert PremiumEvent.REGISTERED not in kept.events


def test_upheld_appeal_of_removed_dossier_registers_it_again_for_premium_service() -> None:
    # decision 0004: RJCT -> CHKO -> REG; the premium service was told REMOVED before.
    upheld = decide(Action.REG, state(Status.CHKO), PV, TODAY)
    assert upheld.after.status == Status.REG
    assert upheld.events == (PremiumEvent.REGISTERED,)


@pytest.mark.parametrize("status", [Status.CHKS, Status.INFOS], ids=str)
def test_rjct_needs_no_number_ncomp_needs_number(status: Status) -> None:
    numbered, unnumbered = state(status), state(status, number=None)
    refusal = decide(Action.RJCT, unnumbered, PV, TODAY)
    assert refusal.after.status == Status.RFSD
    assert refusal.removal_reason == RemovalReason.REFUSED
    assert PremiumEvent.REMOVED not in refusal.events  # never on the premium service's list
    assert refused(Action.RJCT, numbered, PV) == "HEEFT_DOSSIERNUMMER"

    removal = decide(Action.NCOMP, numbered, PV, TODAY)
    assert removal.after.status == Status.RJCT
    assert removal.removal_reason == RemovalReason.CONDITIONS_NOT_MET
    assert removal.removal_reason.value == "voldoet niet aan de voorwaarden"
    assert PremiumEvent.REMOVED in removal.events
    assert refused(Action.NCOMP, unnumbered, PV) == "GEEN_DOSSIERNUMMER"


@pytest.mark.parametrize("status", [Status.RFSD, Status.RJCT], ids=str)
def test_obj_appeal_by_candidate_moves_removed_dossier_to_chko(status: Status) -> None:
    assert decide(Action.OBJ, state(status), CANDIDATE, TODAY).after.status == Status.CHKO
    assert refused(Action.OBJ, state(status), PV) == "ENKEL_KANDIDAAT"


@pytest.mark.parametrize("status", sorted(ACTIVE), ids=str)
def test_obj_only_against_a_removal_or_refusal(status: Status) -> None:
    assert refused(Action.OBJ, state(status), CANDIDATE) == "ACTIE_NIET_TOEGELATEN_IN_STATUS"


# --- submission and actualisation ----------------------------------------------------------


def test_app_registers_with_a_number_when_the_sources_say_met() -> None:
    outcome = decide(
        Action.APP, state(Status.SAVED, number=None), CANDIDATE, TODAY, conditions_met=True
    )
    assert outcome.after.status == Status.REG
    assert outcome.assign_number
    assert outcome.events == (PremiumEvent.REGISTERED,)


def test_app_goes_to_review_without_a_number_otherwise() -> None:
    outcome = decide(
        Action.APP, state(Status.SAVED, number=None), CANDIDATE, TODAY, conditions_met=False
    )
    assert outcome.after.status == Status.CHKS
    assert not outcome.assign_number
    assert outcome.events == ()


def test_app_needs_every_adult_to_confirm_participation() -> None:
    pending = state(Status.SAVED, number=None, all_adults_confirmed=False)
    code = refused(Action.APP, pending, CANDIDATE, conditions_met=True)
    assert code == "DEELNAME_NIET_BEVESTIGD"


def test_app_is_the_candidates_or_the_primary_with_a_proxy() -> None:
    draft = state(Status.SAVED, number=None)
    assert refused(Action.APP, draft, PV, conditions_met=True) == "ENKEL_KANDIDAAT"
    assert decide(Action.APP, draft, PV_WITH_PROXY, TODAY, conditions_met=True).assign_number
    assert refused(Action.APP, state(Status.REG), CANDIDATE, conditions_met=True) == (
        "ACTIE_NIET_TOEGELATEN_IN_STATUS"
    )


def test_save_edits_a_draft_by_candidate_or_primary_with_proxy_only() -> None:
    draft = state(Status.SAVED, number=None)
    assert decide(Action.SAVE, draft, CANDIDATE, TODAY).after.status == Status.SAVED
    assert decide(Action.SAVE, draft, PV_WITH_PROXY, TODAY).after.status == Status.SAVED
    assert refused(Action.SAVE, draft, PV) == "ENKEL_KANDIDAAT"
    # a proxy is given to the primary landlord only
    secondary_with_proxy = Actor("landlord", company=SECONDARY, with_proxy=True)
    assert refused(Action.SAVE, draft, secondary_with_proxy) == "ENKEL_KANDIDAAT"


def test_actua_keeps_reg_when_met_and_sends_to_review_otherwise() -> None:
    met = decide(Action.ACTUA, state(), REGISTER, TODAY, conditions_met=True)
    assert met.after.status == Status.REG
    assert met.events == ()
    not_met = decide(Action.ACTUA, state(), REGISTER, TODAY, conditions_met=False)
    assert not_met.after.status == Status.CHKS
    assert not_met.after.number == NUMBER  # "ingeschreven in onderzoek" keeps its number
    assert not not_met.assign_number
    # and a dossier under review cannot receive offers
    assert refused(Action.OFFER, not_met.after, SV) == "ACTIE_NIET_TOEGELATEN_IN_STATUS"


def test_actua_is_the_registers_alone() -> None:
    assert refused(Action.ACTUA, state(), PV, conditions_met=True) == (
        "ACTIE_NIET_TOEGELATEN_VOOR_ACTOR"
    )


# --- waiting, removal ------------------------------------------------------------------------


@pytest.mark.parametrize("actor", [CANDIDATE, PV], ids=["candidate", "primary"])
def test_wait_and_wake_by_candidate_or_primary(actor: Actor) -> None:
    waiting = decide(Action.WAIT, state(), actor, TODAY).after
    assert waiting.status == Status.WAITS
    assert refused(Action.OFFER, waiting, SV) == "ACTIE_NIET_TOEGELATEN_IN_STATUS"
    assert decide(Action.WAKE, waiting, actor, TODAY).after.status == Status.REG


def test_wait_and_wake_not_by_a_secondary_landlord() -> None:
    assert refused(Action.WAIT, state(), SV) == "ACTIE_NIET_TOEGELATEN_VOOR_ACTOR"
    assert refused(Action.WAKE, state(Status.WAITS), SV) == "ACTIE_NIET_TOEGELATEN_VOOR_ACTOR"


def test_wait_only_from_reg_wake_only_from_waits() -> None:
    assert refused(Action.WAIT, state(Status.WAITS), PV) == "ACTIE_NIET_TOEGELATEN_IN_STATUS"
    assert refused(Action.WAKE, state(Status.REG), PV) == "ACTIE_NIET_TOEGELATEN_IN_STATUS"
    assert refused(Action.WAIT, in_offer_by(SECONDARY), PV) == "ACTIE_NIET_TOEGELATEN_IN_STATUS"


REMOVALS = [
    (Action.VOL, RemovalReason.VOLUNTARY, [CANDIDATE, PV], [SV, OTHER, REGISTER]),
    (Action.DEC, RemovalReason.DECEASED, [PV, REGISTER], [SV, OTHER, CANDIDATE]),
    (Action.FRAUD, RemovalReason.FRAUD, [PV], [SV, OTHER, CANDIDATE, REGISTER]),
]


def _active_state(status: Status) -> DossierState:
    if status == Status.OFFER:
        return in_offer_by(SECONDARY)
    if status == Status.SAVED:
        return state(status, number=None)
    return state(status)


@pytest.mark.parametrize(("action", "reason", "allowed", "denied"), REMOVALS, ids=lambda v: "")
@pytest.mark.parametrize("status", sorted(ACTIVE), ids=str)
def test_vol_dec_fraud_remove_from_every_active_status(
    action: Action, reason: RemovalReason, allowed: list[Actor], denied: list[Actor], status
) -> None:
    before = _active_state(status)
    for actor in allowed:
        outcome = decide(action, before, actor, TODAY)
        assert outcome.after.status == Status.RJCT
        assert outcome.removal_reason == reason
        assert outcome.after.offer_company is None  # a removal during an offer ends the offer
        assert (PremiumEvent.REMOVED in outcome.events) == (before.number is not None)
    for actor in denied:
        with pytest.raises(RuleViolation):
            decide(action, before, actor, TODAY)


@pytest.mark.parametrize("action", [Action.VOL, Action.DEC, Action.FRAUD], ids=str)
@pytest.mark.parametrize("status", [Status.RJCT, Status.RFSD], ids=str)
def test_removal_actions_not_on_a_removed_dossier(action: Action, status: Status) -> None:
    assert refused(action, state(status), PV) == "ACTIE_NIET_TOEGELATEN_IN_STATUS"


def test_removal_reasons_are_the_dutch_reasons_of_rules_md() -> None:
    assert RemovalReason.VOLUNTARY.value == "vrijwillig"
    assert RemovalReason.DECEASED.value == "overleden"
    assert RemovalReason.FRAUD.value == "fraude"


@pytest.mark.parametrize("status", [Status.REG, Status.WAITS], ids=str)
@pytest.mark.parametrize("actor", [PV, REGISTER], ids=["primary", "register"])
def test_noact_only_after_two_years_without_activity(status: Status, actor: Actor) -> None:
    last = date(2022, 5, 16)
    recent = state(status, last_activity=last)
    assert refused(Action.NOACT, recent, actor, on=date(2024, 5, 15)) == "NIET_INACTIEF"
    outcome = decide(Action.NOACT, recent, actor, date(2024, 5, 16))
    assert outcome.after.status == Status.RJCT
    assert outcome.removal_reason == RemovalReason.INACTIVE


def test_noact_two_years_after_29_february_is_28_february() -> None:
    leap = state(last_activity=date(2020, 2, 29))
    assert refused(Action.NOACT, leap, PV, on=date(2022, 2, 27)) == "NIET_INACTIEF"
    assert decide(Action.NOACT, leap, PV, date(2022, 2, 28)).after.status == Status.RJCT


def test_noact_not_by_secondary_and_not_from_other_statuses() -> None:
    old = state(last_activity=date(2019, 1, 1))
    assert refused(Action.NOACT, old, SV) == "ACTIE_NIET_TOEGELATEN_VOOR_ACTOR"
    code = refused(Action.NOACT, in_offer_by(SECONDARY, last_activity=date(2019, 1, 1)), PV)
    assert code == "ACTIE_NIET_TOEGELATEN_IN_STATUS"


# --- the offer block ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome_date", "block_ends"),
    [
        (date(2024, 5, 15), date(2024, 8, 15)),
        (date(2023, 11, 30), date(2024, 2, 29)),  # leap year
        (date(2022, 11, 30), date(2023, 2, 28)),
        (date(2024, 10, 31), date(2025, 1, 31)),  # across the new year
        (date(2024, 12, 31), date(2025, 3, 31)),
    ],
    ids=str,
)
def test_offer_block_ends_exactly_three_months_after_the_outcome_date(
    outcome_date: date, block_ends: date
) -> None:
    after = decide(Action.REF, in_offer_by(SECONDARY), SV, outcome_date).after
    assert after.offer_block_until == block_ends
    assert refused(Action.OFFER, after, PV, on=block_ends - timedelta(days=1)) == (
        "AANBODBLOKKERING"
    )
    assert decide(Action.OFFER, after, PV, block_ends).after.status == Status.OFFER


def test_offer_block_counts_from_the_outcome_date_not_from_today() -> None:
    """After a freeze, an outcome recorded later keeps its own date (rules.md section 6)."""
    after = decide(Action.NORES, in_offer_by(SECONDARY), SV, date(2023, 12, 1)).after
    assert after.offer_block_until == date(2024, 3, 1)


def test_calendar_clamps_at_the_end_of_the_month() -> None:
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)


# --- everything the table does not allow is refused ---------------------------------------

ALL_ACTORS = [PV, SV, OTHER, CANDIDATE, REGISTER, PV_WITH_PROXY]
TABLED = {(t.action, status) for t in TRANSITIONS for status in t.sources}
NOT_TABLED = sorted(
    (action, status)
    for action in {t.action for t in TRANSITIONS}
    for status in Status
    if (action, status) not in TABLED
)


@pytest.mark.parametrize(("action", "status"), NOT_TABLED, ids=lambda v: v.value)
def test_every_pair_outside_the_table_is_refused(action: Action, status: Status) -> None:
    st = _active_state(status) if status in ACTIVE else state(status)
    for actor in ALL_ACTORS:
        with pytest.raises(RuleViolation) as caught:
            decide(action, st, actor, TODAY, conditions_met=True)
        expected = {"ACTIE_NIET_TOEGELATEN_IN_STATUS"}
        if action == Action.OFFER and status == Status.OFFER:
            expected = {"IN_AANBOD_ELDERS", "AL_IN_AANBOD"}
        assert caught.value.code in expected, (action, status, actor)


def _satisfying(row_guards: tuple[Guard, ...], status: Status) -> DossierState:
    st = in_offer_by(SECONDARY) if status == Status.OFFER else state(status)
    if Guard.HAS_NO_NUMBER in row_guards:
        st = replace(st, number=None)
    if Guard.INACTIVE_TWO_YEARS in row_guards:
        st = replace(st, last_activity=TODAY - timedelta(days=800))
    return st


def _actor_for(party: Party) -> Actor:
    return {
        Party.CANDIDATE: CANDIDATE,
        Party.PRIMARY: PV,
        Party.SECONDARY: SV,
        Party.OFFERING: SV,
        Party.REGISTER: REGISTER,
    }[party]


@pytest.mark.parametrize(
    ("row", "status", "party"),
    [
        (row, status, party)
        for row in TRANSITIONS
        for status in sorted(row.sources)
        for party in sorted(row.who)
    ],
    ids=lambda v: getattr(getattr(v, "action", v), "value", str(v)),
)
def test_every_pair_in_the_table_is_allowed_for_its_actors(row, status, party) -> None:
    outcome = decide(
        row.action, _satisfying(row.guards, status), _actor_for(party), TODAY, conditions_met=True
    )
    if row.target is not None:
        assert outcome.after.status == row.target
    assert outcome.after.status in Status


def test_unknown_action_is_refused() -> None:
    assert refused(Action.MIGRA, state(), REGISTER) == "ONBEKENDE_ACTIE"


# --- dossier numbers (section 9) -------------------------------------------------------------


def test_number_format_is_registration_date_and_four_digit_sequence() -> None:
    assert numbering.format_number(date(2024, 1, 2), 7) == "2024.01.02.0007"
    assert numbering.format_number(date(2024, 12, 31), 9999) == "2024.12.31.9999"
    assert numbering.date_of("2024.01.02.0007") == date(2024, 1, 2)
    assert numbering.sequence_of("2024.01.02.0007") == 7


@pytest.mark.parametrize("sequence", [0, -1, 10000])
def test_number_sequence_outside_1_to_9999_is_refused(sequence: int) -> None:
    with pytest.raises(ValueError):
        numbering.format_number(date(2024, 1, 2), sequence)


@pytest.mark.parametrize(
    ("number", "well_formed"),
    [
        ("2024.01.02.0001", True),
        ("2024.02.29.9999", True),
        ("2023.02.29.0001", False),  # no such date
        ("2024.13.01.0001", False),
        ("2024.01.02.0000", False),
        ("2024.1.2.1", False),
        ("2024-01-02-0001", False),
        ("2024.01.02.00011", False),
        (" 2024.01.02.0001", False),
        ("", False),
    ],
)
def test_number_well_formed(number: str, well_formed: bool) -> None:
    assert numbering.is_well_formed(number) is well_formed


def test_next_free_sequence_is_the_lowest_never_used() -> None:
    assert numbering.next_free_sequence([]) == 1
    assert numbering.next_free_sequence([1, 2, 3]) == 4
    assert numbering.next_free_sequence([1, 2, 4]) == 3


def test_numbering_exhausted_after_9999_of_one_date() -> None:
    taken = range(1, 10000)
    with pytest.raises(numbering.NumberingExhausted):
        numbering.next_free_sequence(taken)
    with pytest.raises(numbering.NumberingExhausted):
        numbering.random_free_sequence(random.Random(1), set(taken))
    assert numbering.next_free_sequence(range(1, 9999)) == 9999


def test_migration_sequence_is_random_free_and_reproducible_with_a_seed() -> None:
    taken = set(range(1, 9990))
    first = [numbering.random_free_sequence(random.Random(42), taken) for _ in range(3)]
    assert len(set(first)) == 1
    assert first[0] not in taken and 1 <= first[0] <= 9999


# --- freeze window (section 6) ----------------------------------------------------------------

START = datetime(2023, 11, 17, 16, 0, tzinfo=UTC)
END = datetime(2024, 1, 2, 7, 0, tzinfo=UTC)


def test_freeze_window_covers_from_start_inclusive_to_end_exclusive() -> None:
    window = FreezeWindow(1, START, END)
    assert window.covers(START)
    assert window.covers(END - timedelta(microseconds=1))
    assert not window.covers(END)
    assert not window.covers(START - timedelta(microseconds=1))


def test_freeze_window_must_end_after_it_starts() -> None:
    with pytest.raises(ValueError):
        FreezeWindow(1, END, START)
    with pytest.raises(ValueError):
        FreezeWindow(1, START, START)


def test_overlapping_freeze_windows_answer_with_the_latest_end() -> None:
    extended = FreezeWindow(2, START + timedelta(days=30), datetime(2024, 1, 15, 7, tzinfo=UTC))
    windows = [FreezeWindow(1, START, END), extended]
    assert window_at(windows, START + timedelta(days=31)) == extended
    assert window_at(windows, START + timedelta(days=1)).id == 1
    assert window_at(windows, START - timedelta(days=1)) is None
    assert window_at([], START) is None


# --- national numbers (section 1) -------------------------------------------------------------


def _with_check(body: str, born_2000_or_later: bool = False) -> str:
    base = int(("2" + body) if born_2000_or_later else body)
    return f"{body}{97 - base % 97:02d}"


def test_valid_national_number_is_accepted_and_compacted() -> None:
    assert validate("85073003328") == "85073003328"
    assert validate("85.07.30-033.28") == "85073003328"


def test_checksum_failure_says_voldoet_niet_aan_checksum97_without_the_full_number() -> None:
    with pytest.raises(InvalidNationalNumber) as caught:
        validate("85073003329")
    assert caught.value.reason == "voldoet niet aan checksum97"
    assert "85073003329" not in str(caught.value)
    assert caught.value.masked == "850730*****"


def test_national_number_of_someone_born_in_2000_or_later() -> None:
    born_2000 = _with_check("000229123", born_2000_or_later=True)
    assert validate(born_2000) == born_2000
    assert nn.get_birth_date(born_2000) == date(2000, 2, 29)
    born_2003 = _with_check("030201123", born_2000_or_later=True)
    assert nn.get_birth_date(born_2003) == date(2003, 2, 1)
    # the same digits with the pre-2000 check digits are someone born in 1903
    assert nn.get_birth_date(_with_check("030201123")) == date(1903, 2, 1)


@pytest.mark.parametrize("month_offset", [20, 40])
def test_bis_numbers_are_valid_identifiers(month_offset: int) -> None:
    bis = _with_check(f"85{7 + month_offset:02d}30033")
    assert validate(bis) == bis


def test_bis_number_with_wrong_checksum_is_refused() -> None:
    good = _with_check("854730033")
    wrong = good[:-2] + f"{(int(good[-2:]) + 1) % 100:02d}"
    with pytest.raises(InvalidNationalNumber) as caught:
        validate(wrong)
    assert caught.value.reason == "voldoet niet aan checksum97"


@pytest.mark.parametrize("number", ["8507300332", "850730033281", "abcdefghijk", ""])
def test_national_number_must_have_eleven_digits(number: str) -> None:
    with pytest.raises(InvalidNationalNumber) as caught:
        validate(number)
    assert caught.value.reason == "moet uit 11 cijfers bestaan"


def test_national_number_with_impossible_birth_date_is_refused() -> None:
    with pytest.raises(InvalidNationalNumber) as caught:
        validate(_with_check("851330033"))
    assert caught.value.reason == "bevat geen geldige geboortedatum"


def test_mask_keeps_the_birth_date_part_only() -> None:
    assert mask("85073003328") == "850730*****"
    assert mask("85.07.30-033.28") == "850730*****"
    assert mask("1234") == "****"


# --- primary and secondary landlords of a new registration (section 1) -----------------------

COMPANY_OF = {"11001": "WM01", "11002": "WM01", "11016": "WM02", "12002": "WM03"}


def test_primary_is_the_domicile_company_when_the_domicile_stays_chosen() -> None:
    primary, secondaries = derive_landlords("11002", ["11016", "12002", "11002"], COMPANY_OF)
    assert primary == "WM01"
    assert secondaries == ["WM02", "WM03"]


def test_primary_is_the_company_of_the_first_choice_when_the_domicile_is_unticked() -> None:
    primary, secondaries = derive_landlords("11002", ["12002", "11016", "11001"], COMPANY_OF)
    assert primary == "WM03"
    assert secondaries == ["WM01", "WM02"]


def test_no_landlord_without_a_flemish_choice() -> None:
    assert derive_landlords(None, ["21004"], COMPANY_OF) == (None, [])


def test_action_may_be_dated_in_the_past_but_not_in_the_future() -> None:
    assert effective_date_refusal(TODAY - timedelta(days=30), TODAY, None) is None
    assert "toekomst" in (effective_date_refusal(TODAY + timedelta(days=1), TODAY, None) or "")


def test_backdated_action_may_not_precede_the_last_status_change() -> None:
    # docs/decisions/0004: an outcome cannot precede the offer it answers
    offered = TODAY - timedelta(days=10)
    assert effective_date_refusal(offered, TODAY, offered) is None
    refusal = effective_date_refusal(offered - timedelta(days=1), TODAY, offered)
    assert refusal is not None and "laatste statuswijziging" in refusal
