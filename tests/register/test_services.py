"""The register's services: every change is written whole (history, action log, audit, version,
sync state, events) or not at all."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from cir.domain.statuses import Action, Status
from cir.domain.transitions import RuleViolation
from cir.register import services
from cir.register.errors import DossierNotFound, InvalidInput, RegisterFrozen
from cir.register.models import (
    ActionRecord,
    AuditEntry,
    Dossier,
    DossierShare,
    Event,
    EventAudience,
    Member,
    MemberRole,
    Ranking,
    StatusChange,
)
from cir.register.services import Acting, NewDossier, PersonInput, RankingInput
from tests.factories import (
    DossierFactory,
    PersonFactory,
    company,
    first_municipality_of,
    valid_national_number,
)

pytestmark = pytest.mark.django_db


def acting(code: str, correlation_id: str | None = None) -> Acting:
    return Acting.landlord(company(code), f"test {code}", correlation_id or str(uuid.uuid4()))


def counts() -> dict[str, int]:
    return {
        "history": StatusChange.objects.count(),
        "actions": ActionRecord.objects.count(),
        "audit": AuditEntry.objects.count(),
        "events": Event.objects.count(),
        "rankings": Ranking.objects.count(),
    }


def acknowledge_all(dossier: Dossier) -> None:
    DossierShare.objects.filter(dossier=dossier).update(
        unsynchronised=False, acknowledged_version=dossier.version
    )


def premium_events(dossier: Dossier) -> list[Event]:
    return list(
        Event.objects.filter(dossier=dossier, audience=EventAudience.RENT_PREMIUM).order_by("id")
    )


def candidates_of(dossier: Dossier) -> list[str]:
    return sorted(
        dossier.members.filter(role__in=["applicant", "partner"]).values_list(
            "person__insz", flat=True
        )
    )


# --- perform_action ----------------------------------------------------------------------


def test_action_writes_history_action_log_audit_and_bumps_version(areas) -> None:
    dossier = DossierFactory()
    correlation = str(uuid.uuid4())
    result = services.perform_action(
        dossier.number, Action.OFFER, acting("WM02", correlation), comment="woning 12"
    )
    assert result.status == Status.OFFER
    assert result.offer_company == company("WM02")
    assert result.offer_started_on == timezone.localdate()
    stored = Dossier.objects.get(pk=dossier.pk)
    assert stored.version == dossier.version + 1

    [change] = StatusChange.objects.filter(dossier=dossier)
    assert (change.from_status, change.to_status, change.action) == ("REG", "OFFER", "OFFER")
    assert change.effective_date == timezone.localdate()

    [record] = ActionRecord.objects.filter(dossier=dossier)
    assert record.action == "OFFER"
    assert record.actor_kind == "landlord"
    assert record.actor_company == company("WM02")
    assert record.correlation_id == correlation
    assert record.comment == "woning 12"
    assert record.version_after == stored.version

    [audit] = AuditEntry.objects.filter(dossier=dossier, operation=AuditEntry.Operation.ACTION)
    assert audit.actor_company == company("WM02")
    assert audit.actor_label == "test WM02"
    assert audit.correlation_id == correlation
    assert audit.before["status"] == "REG"
    assert audit.after["status"] == "OFFER"
    assert audit.after["offer_company"] == "WM02"
    assert audit.after["version"] == stored.version


def test_action_marks_every_share_unsynchronised_and_tells_every_sharing_landlord(areas) -> None:
    dossier = DossierFactory()
    acknowledge_all(dossier)
    services.perform_action(dossier.number, Action.WAIT, acting("WM01"))
    assert set(
        DossierShare.objects.filter(dossier=dossier).values_list("unsynchronised", flat=True)
    ) == {True}
    landlord_events = Event.objects.filter(dossier=dossier, audience=EventAudience.LANDLORD)
    assert sorted(e.company.company_id for e in landlord_events) == ["WM01", "WM02"]
    for event in landlord_events:
        assert event.kind == "WAIT"
        assert event.payload == {
            "dossierNummer": dossier.number,
            "status": "WAITS",
            "versie": dossier.version + 1,
        }
    assert premium_events(dossier) == []


def test_first_number_tells_the_premium_service_registered(areas) -> None:
    dossier = DossierFactory(under_review_without_number=True)
    partner = PersonFactory()
    Member.objects.create(
        dossier=dossier, person=partner, role=MemberRole.PARTNER, holds_candidacy=True
    )
    result = services.perform_action_on(dossier.pk, Action.REG, acting("WM01"))
    today = timezone.localdate()
    assert result.status == Status.REG
    assert result.number == f"{today:%Y.%m.%d}.0001"
    assert result.registration_date == today
    assert set(result.members.values_list("waiting_since", flat=True)) == {today}
    [event] = premium_events(dossier)
    assert event.kind == "REGISTERED"
    assert event.effective_date == today
    assert event.payload["dossierNummer"] == result.number
    assert sorted(event.payload["rijksregisternummers"]) == candidates_of(dossier)
    assert len(event.payload["rijksregisternummers"]) == 2


def test_numbers_take_the_next_free_sequence_of_the_registration_date(areas) -> None:
    today = timezone.localdate()
    DossierFactory(number=f"{today:%Y.%m.%d}.0001", registration_date=today)
    DossierFactory(number=f"{today:%Y.%m.%d}.0003", registration_date=today)
    first = DossierFactory(under_review_without_number=True)
    second = DossierFactory(under_review_without_number=True)
    assert services.perform_action_on(first.pk, Action.REG, acting("WM01")).number == (
        f"{today:%Y.%m.%d}.0002"
    )
    assert services.perform_action_on(second.pk, Action.REG, acting("WM01")).number == (
        f"{today:%Y.%m.%d}.0004"
    )


def test_reg_of_a_numbered_dossier_keeps_its_number_and_tells_nothing_new(areas) -> None:
    dossier = DossierFactory(under_review=True)
    result = services.perform_action(dossier.number, Action.REG, acting("WM01"))
    assert result.number == dossier.number
    assert premium_events(dossier) == []


def test_submission_registers_with_a_number_when_the_sources_say_met(areas) -> None:
    dossier = DossierFactory(draft=True)
    person = dossier.members.get().person
    result = services.perform_action_on(
        dossier.pk, Action.APP, Acting.candidate(person), conditions_met=True
    )
    assert result.status == Status.REG
    assert result.number is not None
    assert [e.kind for e in premium_events(dossier)] == ["REGISTERED"]


def test_submission_goes_to_review_without_a_number_otherwise(areas) -> None:
    dossier = DossierFactory(draft=True)
    person = dossier.members.get().person
    result = services.perform_action_on(
        dossier.pk, Action.APP, Acting.candidate(person), conditions_met=False
    )
    assert result.status == Status.CHKS
    assert result.number is None
    assert premium_events(dossier) == []


@pytest.mark.parametrize(
    ("action", "reason"),
    [(Action.VOL, "vrijwillig"), (Action.DEC, "overleden"), (Action.FRAUD, "fraude")],
    ids=str,
)
def test_removal_tells_the_premium_service_removed_with_reason(areas, action, reason) -> None:
    dossier = DossierFactory()
    result = services.perform_action(dossier.number, action, acting("WM01"))
    assert result.status == Status.RJCT
    assert result.removal_reason == reason
    [event] = premium_events(dossier)
    assert event.kind == "REMOVED"
    assert event.payload["reden"] == reason
    assert event.payload["rijksregisternummers"] == candidates_of(dossier)
    assert event.payload["actie"] == action.value
    # a removed dossier releases its candidates (rules.md section 1)
    assert not dossier.members.filter(holds_candidacy=True).exists()


def test_acceptance_tells_offer_accepted_and_removed(areas) -> None:
    dossier = DossierFactory(in_offer_by_secondary=True)
    result = services.perform_action(dossier.number, Action.ACC, acting("WM02"))
    assert result.status == Status.RJCT
    assert result.removal_reason == "woning aanvaard"
    assert result.offer_company is None
    kinds = [e.kind for e in premium_events(dossier)]
    assert sorted(kinds) == ["OFFER_ACCEPTED", "REMOVED"]
    for event in premium_events(dossier):
        assert event.payload["rijksregisternummers"] == candidates_of(dossier)


def test_sanctions_tell_sanctioned_and_the_second_removes(areas) -> None:
    dossier = DossierFactory(in_offer_by_secondary=True)
    first = services.perform_action(dossier.number, Action.REF, acting("WM02"))
    assert first.status == Status.REG
    assert first.sanction_count == 1
    assert first.offer_block_until is not None
    assert [e.kind for e in premium_events(dossier)] == ["SANCTIONED"]
    # the block runs: let it end, then a second offer and a second sanction
    Dossier.objects.filter(pk=dossier.pk).update(offer_block_until=timezone.localdate())
    services.perform_action(dossier.number, Action.OFFER, acting("WM01"))
    second = services.perform_action(dossier.number, Action.NORES, acting("WM01"))
    assert second.status == Status.RJCT
    assert second.sanction_count == 2
    assert second.removal_reason == "tweede ongegronde weigering of niet-reactie"
    kinds = [e.kind for e in premium_events(dossier)]
    assert kinds[0] == "SANCTIONED"
    assert sorted(kinds[1:]) == ["REMOVED", "SANCTIONED"]
    [removed] = [e for e in premium_events(dossier) if e.kind == "REMOVED"]
    assert removed.payload["reden"] == "tweede ongegronde weigering of niet-reactie"


def test_outcome_dated_in_the_past_counts_the_block_from_that_date(areas) -> None:
    dossier = DossierFactory(in_offer_by_secondary=True)
    earlier = timezone.localdate() - timedelta(days=20)
    result = services.perform_action(
        dossier.number, Action.NORES, acting("WM02"), effective_date=earlier
    )
    from cir.domain.calendar import add_months

    assert result.offer_block_until == add_months(earlier, 3)
    assert premium_events(dossier)[0].effective_date == earlier


def test_action_dated_in_the_future_is_refused(areas) -> None:
    dossier = DossierFactory()
    before = counts()
    with pytest.raises(InvalidInput):
        services.perform_action(
            dossier.number,
            Action.OFFER,
            acting("WM02"),
            effective_date=timezone.localdate() + timedelta(days=1),
        )
    assert counts() == before


def _refusal_leaves_nothing(dossier: Dossier, call: Any, error: type[Exception]) -> Any:
    acknowledge_all(dossier)
    before, version = counts(), Dossier.objects.get(pk=dossier.pk).version
    snapshot = Dossier.objects.filter(pk=dossier.pk).values().get()
    with pytest.raises(error) as caught:
        call()
    assert counts() == before
    after = Dossier.objects.filter(pk=dossier.pk).values().get()
    assert after == snapshot
    assert after["version"] == version
    assert not DossierShare.objects.filter(dossier=dossier, unsynchronised=True).exists()
    return caught.value


def test_nothing_is_written_when_a_rule_refuses(areas) -> None:
    dossier = DossierFactory(offer_blocked=True)
    _refusal_leaves_nothing(
        dossier,
        lambda: services.perform_action(dossier.number, Action.OFFER, acting("WM02")),
        RuleViolation,
    )


def test_nothing_is_written_when_the_actor_may_not_act(areas) -> None:
    dossier = DossierFactory(in_offer_by_secondary=True)
    _refusal_leaves_nothing(
        dossier,
        lambda: services.perform_action(dossier.number, Action.ACC, acting("WM01")),
        RuleViolation,
    )


def test_landlord_that_does_not_share_gets_not_found_and_nothing_is_written(areas) -> None:
    dossier = DossierFactory()
    _refusal_leaves_nothing(
        dossier,
        lambda: services.perform_action(dossier.number, Action.OFFER, acting("WM03")),
        DossierNotFound,
    )


def test_a_version_that_is_not_the_current_one_is_a_conflict(areas) -> None:
    from cir.register.errors import VersionConflict

    dossier = DossierFactory()
    _refusal_leaves_nothing(
        dossier,
        lambda: services.perform_action(
            dossier.number, Action.OFFER, acting("WM02"), expected_version=dossier.version + 5
        ),
        VersionConflict,
    )


def test_appeal_that_would_give_a_candidate_a_second_active_dossier_is_refused_whole(
    areas,
) -> None:
    """OBJ makes a removed dossier active again; its candidate has a new dossier meanwhile."""
    old = DossierFactory(removed=True)
    person = old.members.get().person
    new = DossierFactory()
    Member.objects.filter(dossier=new).delete()
    Member.objects.create(
        dossier=new, person=person, role=MemberRole.APPLICANT, holds_candidacy=True
    )
    refusal = _refusal_leaves_nothing(
        old,
        lambda: services.perform_action_on(old.pk, Action.OBJ, Acting.candidate(person)),
        RuleViolation,
    )
    assert refusal.code == "KANDIDAAT_HEEFT_ANDER_DOSSIER"
    assert Dossier.objects.get(pk=old.pk).status == Status.RJCT


# --- freeze ----------------------------------------------------------------------------------


@pytest.fixture
def frozen(db: Any) -> Any:
    now = timezone.now()
    return services.add_freeze_window(now - timedelta(hours=1), now + timedelta(hours=2))


def test_freeze_refuses_actions_with_the_windows_end_and_writes_nothing(areas, frozen) -> None:
    dossier = DossierFactory()
    acknowledge_all(dossier)
    before = counts()
    with pytest.raises(RegisterFrozen) as caught:
        services.perform_action(dossier.number, Action.OFFER, acting("WM02"))
    assert caught.value.until == frozen.end
    assert caught.value.status == 423
    assert counts() == before
    assert Dossier.objects.get(pk=dossier.pk).status == Status.REG


def test_freeze_refuses_new_dossiers_and_rankings(areas, frozen) -> None:
    dossier = DossierFactory()
    before, dossiers = counts(), Dossier.objects.count()
    with pytest.raises(RegisterFrozen):
        services.create_dossier(
            NewDossier(
                applicant=PersonInput(valid_national_number(), "An", "Peeters"),
                municipalities=[first_municipality_of("WM01").nis_code],
            ),
            acting("WM01"),
        )
    with pytest.raises(RegisterFrozen):
        services.replace_rankings(
            dossier.number, acting("WM01"), [RankingInput("PLR1", "A", "YES", "NO")]
        )
    assert counts() == before
    assert Dossier.objects.count() == dossiers


def test_freeze_window_in_the_past_or_future_lets_actions_through(areas) -> None:
    now = timezone.now()
    services.add_freeze_window(now - timedelta(days=2), now - timedelta(days=1))
    services.add_freeze_window(now + timedelta(days=1), now + timedelta(days=2))
    dossier = DossierFactory()
    assert services.perform_action(dossier.number, Action.OFFER, acting("WM02")).status == "OFFER"


def test_freeze_window_must_end_after_it_starts(db) -> None:
    now = timezone.now()
    with pytest.raises(InvalidInput):
        services.add_freeze_window(now, now)


def test_overlapping_freeze_windows_answer_with_the_latest_end(areas) -> None:
    now = timezone.now()
    services.add_freeze_window(now - timedelta(hours=1), now + timedelta(hours=1))
    longer = services.add_freeze_window(now - timedelta(minutes=5), now + timedelta(days=3))
    with pytest.raises(RegisterFrozen) as caught:
        services.ensure_not_frozen()
    assert caught.value.until == longer.end


# --- acknowledge -----------------------------------------------------------------------------


def test_acknowledge_without_version_synchronises_the_current_version(areas) -> None:
    dossier = DossierFactory()
    share = services.acknowledge(dossier.number, acting("WM02"))
    assert share.acknowledged_version == dossier.version
    assert not share.unsynchronised
    # only the caller's share
    assert DossierShare.objects.get(dossier=dossier, company=company("WM01")).unsynchronised
    assert AuditEntry.objects.filter(
        dossier=dossier, operation=AuditEntry.Operation.ACKNOWLEDGE, actor_company=company("WM02")
    ).exists()


def test_acknowledge_of_an_older_version_leaves_the_dossier_unsynchronised(areas) -> None:
    dossier = DossierFactory()
    pulled = dossier.version
    services.perform_action(dossier.number, Action.WAIT, acting("WM01"))  # changed after the pull
    share = services.acknowledge(dossier.number, acting("WM02"), version=pulled)
    assert share.acknowledged_version == pulled
    assert share.unsynchronised
    share = services.acknowledge(dossier.number, acting("WM02"), version=pulled + 1)
    assert not share.unsynchronised


def test_acknowledge_never_goes_back_to_an_older_version(areas) -> None:
    dossier = DossierFactory()
    services.perform_action(dossier.number, Action.WAIT, acting("WM01"))
    services.acknowledge(dossier.number, acting("WM02"))
    share = services.acknowledge(dossier.number, acting("WM02"), version=1)
    assert share.acknowledged_version == 2
    assert not share.unsynchronised


def test_acknowledge_of_a_version_that_does_not_exist_is_refused(areas) -> None:
    dossier = DossierFactory()
    with pytest.raises(InvalidInput):
        services.acknowledge(dossier.number, acting("WM02"), version=dossier.version + 1)


def test_acknowledge_by_a_landlord_that_does_not_share_is_not_found(areas) -> None:
    dossier = DossierFactory()
    with pytest.raises(DossierNotFound):
        services.acknowledge(dossier.number, acting("WM03"))


def test_a_change_after_acknowledgement_unsynchronises_again(areas) -> None:
    dossier = DossierFactory()
    services.acknowledge(dossier.number, acting("WM02"))
    services.perform_action(dossier.number, Action.OFFER, acting("WM02"))
    assert DossierShare.objects.get(dossier=dossier, company=company("WM02")).unsynchronised


# --- rankings --------------------------------------------------------------------------------


def test_rankings_replace_only_the_callers_own(areas) -> None:
    dossier = DossierFactory()
    services.replace_rankings(
        dossier.number, acting("WM02"), [RankingInput("PLR2", "EHOME", "YES", "NO")]
    )
    services.replace_rankings(
        dossier.number, acting("WM01"), [RankingInput("PLR1", "A", "NO", "UNK")]
    )
    services.replace_rankings(
        dossier.number,
        acting("WM01"),
        [RankingInput("PLR3", "D", "YES", "YES"), RankingInput("PLR4", "DERES", "NO", "NO")],
    )
    own = Ranking.objects.filter(dossier=dossier, company=company("WM01"))
    assert sorted(own.values_list("list_type", "criterion")) == [("PLR3", "D"), ("PLR4", "DERES")]
    other = Ranking.objects.filter(dossier=dossier, company=company("WM02"))
    assert list(other.values_list("list_type", "criterion")) == [("PLR2", "EHOME")]


def test_ranking_criterion_must_fit_its_pillar(areas) -> None:
    dossier = DossierFactory()
    before = counts()
    with pytest.raises(InvalidInput) as caught:
        services.replace_rankings(
            dossier.number, acting("WM01"), [RankingInput("PLR2", "H", "YES", "NO")]
        )
    assert caught.value.code == "ONGELDIG_CRITERIUM"
    assert counts() == before


# --- create_dossier ----------------------------------------------------------------------------


def _person(domicile: str | None = None) -> PersonInput:
    return PersonInput(valid_national_number(), "An", "Peeters", domicile_nis=domicile)


def test_new_dossier_primary_is_the_domicile_company_and_domicile_is_added(areas) -> None:
    domicile = first_municipality_of("WM01").nis_code
    choice = first_municipality_of("WM02").nis_code
    spec = NewDossier(applicant=_person(domicile), municipalities=[choice])
    correlation = str(uuid.uuid4())
    dossier = services.create_dossier(spec, acting("WM01", correlation))
    assert dossier.status == Status.SAVED
    assert dossier.number is None
    assert dossier.primary_landlord == company("WM01")
    chosen = list(dossier.choices.order_by("position").values_list("municipality_id", flat=True))
    assert set(chosen) == {domicile, choice}
    shares = {s.company.company_id: s.is_primary for s in dossier.shares.all()}
    assert shares == {"WM01": True, "WM02": False}
    applicant = dossier.members.get()
    assert applicant.role == MemberRole.APPLICANT
    assert applicant.holds_candidacy
    audit = AuditEntry.objects.get(dossier=dossier, operation=AuditEntry.Operation.CREATE)
    assert audit.correlation_id == correlation


def test_new_dossier_without_flemish_domicile_is_led_by_the_first_choice(areas) -> None:
    first = first_municipality_of("WM03").nis_code
    then = first_municipality_of("WM01").nis_code
    spec = NewDossier(applicant=_person("21004"), municipalities=[first, then])  # Brussels
    dossier = services.create_dossier(spec, acting("WM01"))
    assert dossier.primary_landlord == company("WM03")
    assert set(dossier.shares.values_list("company__company_id", flat=True)) == {"WM01", "WM03"}
    assert "21004" not in set(dossier.choices.values_list("municipality_id", flat=True))


def test_new_dossier_with_partner_and_co_residents(areas) -> None:
    spec = NewDossier(
        applicant=_person(),
        partner=_person(),
        co_residents=[_person(), _person()],
        municipalities=[first_municipality_of("WM01").nis_code],
    )
    dossier = services.create_dossier(spec, acting("WM01"))
    roles = sorted(dossier.members.values_list("role", "holds_candidacy"))
    assert roles == [
        ("applicant", True),
        ("co_resident", False),
        ("co_resident", False),
        ("partner", True),
    ]


def test_new_dossier_for_a_candidate_with_an_active_dossier_is_refused(areas) -> None:
    existing = DossierFactory()
    insz = existing.members.get().person.insz
    dossiers = Dossier.objects.count()
    spec = NewDossier(
        applicant=PersonInput(insz, "An", "Peeters"),
        municipalities=[first_municipality_of("WM01").nis_code],
    )
    with pytest.raises(RuleViolation) as caught:
        services.create_dossier(spec, acting("WM01"))
    assert caught.value.code == "KANDIDAAT_HEEFT_ANDER_DOSSIER"
    assert Dossier.objects.count() == dossiers


def test_new_dossier_with_an_invalid_national_number_is_refused_masked(areas) -> None:
    good = valid_national_number()
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    spec = NewDossier(
        applicant=PersonInput(bad, "An", "Peeters"),
        municipalities=[first_municipality_of("WM01").nis_code],
    )
    with pytest.raises(InvalidInput) as caught:
        services.create_dossier(spec, acting("WM01"))
    assert caught.value.code == "ONGELDIG_RRN"
    assert "voldoet niet aan checksum97" in caught.value.detail
    assert bad not in caught.value.detail


def test_new_dossier_with_an_unknown_municipality_is_refused(areas) -> None:
    dossiers = Dossier.objects.count()
    with pytest.raises(InvalidInput):
        services.create_dossier(
            NewDossier(applicant=_person(), municipalities=["99999"]), acting("WM01")
        )
    assert Dossier.objects.count() == dossiers


# --- reading ---------------------------------------------------------------------------------


def test_read_dossier_logs_a_read_audit_entry(areas) -> None:
    dossier = DossierFactory()
    correlation = str(uuid.uuid4())
    read = services.read_dossier(dossier.number, acting("WM02", correlation))
    assert read.pk == dossier.pk
    [entry] = AuditEntry.objects.filter(dossier=dossier, operation=AuditEntry.Operation.READ)
    assert entry.actor_company == company("WM02")
    assert entry.correlation_id == correlation


def test_read_dossier_by_a_landlord_that_does_not_share_is_not_found_and_not_logged(areas) -> None:
    dossier = DossierFactory()
    with pytest.raises(DossierNotFound):
        services.read_dossier(dossier.number, acting("WM03"))
    assert not AuditEntry.objects.filter(dossier=dossier).exists()


def test_backdated_outcome_may_not_precede_the_offer_it_answers(areas: None) -> None:
    # docs/decisions/0004: datumGebeurtenis may lie in the past, not before the last status change
    dossier = DossierFactory()
    services.perform_action(dossier.number, Action.OFFER, acting("WM02"))
    before = counts()
    with pytest.raises(InvalidInput):
        services.perform_action(
            dossier.number,
            Action.NORES,
            acting("WM02"),
            effective_date=timezone.localdate() - timedelta(days=1),
        )
    assert counts() == before
    dossier.refresh_from_db()
    assert dossier.status == Status.OFFER


def test_outcome_recorded_after_a_freeze_keeps_its_date(areas: None) -> None:
    dossier = DossierFactory()
    offered_on = timezone.localdate() - timedelta(days=20)
    services.perform_action(dossier.number, Action.OFFER, acting("WM02"), effective_date=offered_on)
    answered_on = offered_on + timedelta(days=5)
    services.perform_action(
        dossier.number, Action.NORES, acting("WM02"), effective_date=answered_on
    )
    dossier.refresh_from_db()
    from cir.domain.calendar import add_months

    assert dossier.offer_block_until == add_months(answered_on, 3)
    assert Event.objects.get(audience=EventAudience.RENT_PREMIUM).effective_date == answered_on
