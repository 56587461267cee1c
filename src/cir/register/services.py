"""Services: the only code that changes the register.

Each service owns its transaction: it locks the dossier, asks the rules, changes state, bumps the
version, and writes status history, action log, audit entry and events in one go. Views, API
views, admin actions and commands call these and nothing else.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from cir.domain import numbering
from cir.domain.freeze import FreezeWindow as FreezeSpan
from cir.domain.freeze import window_at
from cir.domain.insz import mask
from cir.domain.landlords import derive_landlords
from cir.domain.statuses import ACTIVE_STATUSES, Action, Status
from cir.domain.transitions import (
    Actor,
    DossierState,
    Outcome,
    RuleViolation,
    decide,
    effective_date_refusal,
)
from cir.reference.models import HousingCompany, Municipality
from cir.register.errors import DossierNotFound, InvalidInput, RegisterFrozen, VersionConflict
from cir.register.models import (
    CANDIDATE_ROLES,
    ActionRecord,
    ActorKind,
    AuditEntry,
    Dossier,
    DossierShare,
    DossierType,
    Event,
    EventAudience,
    FreezeWindow,
    Member,
    MemberRole,
    MunicipalityChoice,
    Person,
    Ranking,
    StatusChange,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Acting:
    """Who performs a service call, on whose behalf, under which request id."""

    kind: str  # an ActorKind value
    label: str
    company: HousingCompany | None = None
    on_behalf_of: Person | None = None
    correlation_id: str = ""
    with_proxy: bool = False

    @classmethod
    def landlord(cls, company: HousingCompany, label: str, correlation_id: str = "") -> Acting:
        return cls(ActorKind.LANDLORD, label, company=company, correlation_id=correlation_id)

    @classmethod
    def register(cls, label: str = "register", correlation_id: str = "") -> Acting:
        return cls(ActorKind.REGISTER, label, correlation_id=correlation_id)

    @classmethod
    def candidate(cls, person: Person, correlation_id: str = "") -> Acting:
        return cls(
            ActorKind.CANDIDATE,
            f"kandidaat {mask(person.insz)}",
            on_behalf_of=person,
            correlation_id=correlation_id,
        )

    def domain_actor(self) -> Actor:
        if self.kind == ActorKind.CANDIDATE:
            return Actor.candidate(self.on_behalf_of.insz if self.on_behalf_of else "")
        if self.kind == ActorKind.LANDLORD and self.company is not None:
            return Actor("landlord", company=self.company.company_id, with_proxy=self.with_proxy)
        return Actor.register()


# --- freeze ---------------------------------------------------------------------------------


def active_freeze(at: datetime | None = None) -> FreezeSpan | None:
    moment = at or timezone.now()
    windows = [
        FreezeSpan(w.pk, w.start, w.end)
        for w in FreezeWindow.objects.filter(start__lte=moment, end__gt=moment)
    ]
    return window_at(windows, moment)


def ensure_not_frozen(at: datetime | None = None) -> None:
    window = active_freeze(at)
    if window is not None:
        raise RegisterFrozen(window.end)


def add_freeze_window(start: datetime, end: datetime, reason: str = "") -> FreezeWindow:
    if end <= start:
        raise InvalidInput("Het einde van een freeze-periode moet na het begin liggen.")
    return FreezeWindow.objects.create(start=start, end=end, reason=reason)


# --- reading ---------------------------------------------------------------------------------


def dossier_queryset(for_company: HousingCompany | None = None) -> Any:
    """Everything a whole dossier shows, in a fixed number of queries.

    With ``for_company`` only that company's rankings are loaded (all a landlord sees).
    """
    rankings = Ranking.objects.select_related("company")
    if for_company is not None:
        rankings = Ranking.objects.filter(company=for_company)
    return Dossier.objects.select_related("primary_landlord", "offer_company").prefetch_related(
        Prefetch("members", queryset=Member.objects.select_related("person").order_by("id")),
        Prefetch("choices", queryset=MunicipalityChoice.objects.select_related("municipality")),
        Prefetch("shares", queryset=DossierShare.objects.select_related("company")),
        Prefetch("rankings", queryset=rankings),
        "status_history",
    )


def read_dossier_document(
    number: str, bearer_token: str, correlation_id: str
) -> tuple[str, str | None]:
    """PostgreSQL: the hot GET dossier path in one statement: token check, visibility, the
    whole document as JSON text and the READ audit entry (queries.read_document_logged)."""
    import hashlib

    from cir.policy import Scope
    from cir.register.queries import read_document_logged

    checksum = hashlib.sha256(bearer_token.encode("utf-8")).hexdigest()
    return read_document_logged(number, checksum, Scope.LOCAL_SOFTWARE, correlation_id)


def read_dossier(number: str, acting: Acting) -> Dossier:
    """One whole dossier for a landlord, through the ORM; the read itself is logged (audit).

    A landlord that does not share the dossier gets "not found", and nothing is logged. On
    PostgreSQL the interface answers GET dossier with :func:`read_dossier_document` instead;
    this is the reference it is tested against, and the SQLite path.
    """
    company = acting.company
    if company is None:
        raise DossierNotFound(number)
    try:
        dossier = (
            dossier_queryset(for_company=company)
            .filter(number=number, shares__company=company)
            .get()
        )
    except Dossier.DoesNotExist:
        raise DossierNotFound(number) from None
    AuditEntry.objects.create(
        operation=AuditEntry.Operation.READ,
        actor_kind=acting.kind,
        actor_company=company,
        actor_label=acting.label,
        correlation_id=acting.correlation_id,
        dossier=dossier,
        summary="dossier gelezen",
    )
    return dossier


# --- state -----------------------------------------------------------------------------------


class Sharing(NamedTuple):
    """A housing company that shares the locked dossier."""

    company_pk: int
    company_code: str
    is_primary: bool


def _lock(number: str, acting: Acting) -> tuple[Dossier, list[Sharing]]:
    """Lock the dossier row and read who shares it; a landlord that does not share it gets
    "not found"."""
    try:
        dossier = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("primary_landlord", "offer_company")
            .get(number=number)
        )
    except Dossier.DoesNotExist:
        raise DossierNotFound(number) from None
    shares = _sharing(dossier)
    if acting.kind == ActorKind.LANDLORD and not any(
        acting.company is not None and s.company_pk == acting.company.pk for s in shares
    ):
        raise DossierNotFound(number)
    return dossier, shares


def _lock_by_pk(pk: int) -> tuple[Dossier, list[Sharing]]:
    dossier = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("primary_landlord", "offer_company")
        .get(pk=pk)
    )
    return dossier, _sharing(dossier)


def _sharing(dossier: Dossier) -> list[Sharing]:
    return [
        Sharing(*row)
        for row in DossierShare.objects.filter(dossier=dossier).values_list(
            "company_id", "company__company_id", "is_primary"
        )
    ]


def state_of(dossier: Dossier, shares: list[Sharing], *, with_consent: bool = True) -> DossierState:
    """What the rules need; ``with_consent`` reads the members' consent, which only APP needs."""
    secondaries = frozenset(s.company_code for s in shares if not s.is_primary)
    adults_pending = with_consent and any(
        m.participation_confirmed_at is None
        for m in dossier.members.select_related("person")
        if m.role in CANDIDATE_ROLES or _is_adult(m.person, timezone.localdate())
    )
    return DossierState(
        number=dossier.number,
        status=Status(dossier.status),
        primary_company=dossier.primary_landlord.company_id if dossier.primary_landlord else None,
        secondary_companies=secondaries,
        offer_company=dossier.offer_company.company_id if dossier.offer_company else None,
        offer_block_until=dossier.offer_block_until,
        sanction_count=dossier.sanction_count,
        last_activity=dossier.last_activity_on or dossier.registration_date,
        all_adults_confirmed=not adults_pending,
    )


def _is_adult(person: Person, on: date) -> bool:
    if person.birth_date is None:
        return True
    b = person.birth_date
    return (on.year - b.year - ((on.month, on.day) < (b.month, b.day))) >= 18


def snapshot(dossier: Dossier) -> dict[str, Any]:
    return {
        "number": dossier.number,
        "status": dossier.status,
        "version": dossier.version,
        "primary_landlord": dossier.primary_landlord.company_id
        if dossier.primary_landlord
        else None,
        "offer_company": dossier.offer_company.company_id if dossier.offer_company else None,
        "offer_block_until": dossier.offer_block_until.isoformat()
        if dossier.offer_block_until
        else None,
        "sanction_count": dossier.sanction_count,
        "removal_reason": dossier.removal_reason,
    }


# --- actions ---------------------------------------------------------------------------------


def perform_action(
    number: str,
    action: Action,
    acting: Acting,
    *,
    comment: str = "",
    payload: dict[str, Any] | None = None,
    effective_date: date | None = None,
    expected_version: int | None = None,
    conditions_met: bool | None = None,
) -> Dossier:
    """Apply ``action`` to the dossier with ``number``, atomically.

    Two concurrent calls on one dossier serialise on the row lock; the second sees the first's
    result and is judged on it (an OFFER that lost the race gets IN_AANBOD_ELDERS).
    """
    ensure_not_frozen()
    with transaction.atomic():
        dossier, shares = _lock(number, acting)
        return _perform_locked(
            dossier,
            shares,
            action,
            acting,
            comment=comment,
            payload=payload or {},
            effective_date=effective_date,
            expected_version=expected_version,
            conditions_met=conditions_met,
        )


def perform_action_on(
    dossier_pk: int,
    action: Action,
    acting: Acting,
    *,
    effective_date: date | None = None,
    conditions_met: bool | None = None,
    comment: str = "",
) -> Dossier:
    """As :func:`perform_action`, for a dossier that may have no number yet (SAVED, CHKS)."""
    ensure_not_frozen()
    with transaction.atomic():
        dossier, shares = _lock_by_pk(dossier_pk)
        return _perform_locked(
            dossier,
            shares,
            action,
            acting,
            comment=comment,
            payload={},
            effective_date=effective_date,
            expected_version=None,
            conditions_met=conditions_met,
        )


def _perform_locked(
    dossier: Dossier,
    shares: list[Sharing],
    action: Action,
    acting: Acting,
    *,
    comment: str,
    payload: dict[str, Any],
    effective_date: date | None,
    expected_version: int | None,
    conditions_met: bool | None,
) -> Dossier:
    today = timezone.localdate()
    on = effective_date or today
    # The last status change only matters for a back-dated action.
    last_change = (
        StatusChange.objects.filter(dossier=dossier)
        .order_by("-id")
        .values_list("effective_date", flat=True)
        .first()
        if on < today
        else None
    )
    refusal = effective_date_refusal(on, today, last_change)
    if refusal:
        raise InvalidInput(refusal)
    if expected_version is not None and expected_version != dossier.version:
        raise VersionConflict(
            f"Dossier {dossier.number} is intussen gewijzigd (versie {dossier.version}, "
            f"u verwerkte versie {expected_version}). Haal het dossier opnieuw op."
        )
    before = snapshot(dossier)
    state = state_of(dossier, shares, with_consent=action == Action.APP)
    outcome = decide(action, state, acting.domain_actor(), on, conditions_met=conditions_met)
    _apply_outcome(dossier, outcome, acting)
    if outcome.assign_number:
        _assign_number(dossier, on)
    dossier.version += 1
    if acting.kind != ActorKind.REGISTER:
        dossier.last_activity_on = max(on, dossier.last_activity_on or on)
    _save_numbered(dossier, renumber=outcome.assign_number)
    if (outcome.before.status in ACTIVE_STATUSES) != (outcome.after.status in ACTIVE_STATUSES):
        _sync_candidacy(
            dossier, "Een kandidaat-huurder van dit dossier heeft al een ander actief dossier."
        )
    if outcome.status_changed:
        StatusChange.objects.create(
            dossier=dossier,
            from_status=outcome.before.status.value,
            to_status=outcome.after.status.value,
            action=action.value,
            effective_date=on,
            removal_reason=dossier.removal_reason,
        )
    ActionRecord.objects.create(
        dossier=dossier,
        action=action.value,
        actor_kind=acting.kind,
        actor_company=acting.company,
        actor_label=acting.label,
        on_behalf_of=acting.on_behalf_of,
        correlation_id=acting.correlation_id,
        comment=comment,
        payload=payload,
        effective_date=on,
        version_after=dossier.version,
    )
    _audit(dossier, AuditEntry.Operation.ACTION, acting, f"actie {action.value}", before)
    _changed(dossier, shares, action.value, on, premium_events=outcome.events)
    return dossier


def _apply_outcome(dossier: Dossier, outcome: Outcome, acting: Acting) -> None:
    after = outcome.after
    dossier.status = after.status.value
    dossier.sanction_count = after.sanction_count
    dossier.offer_block_until = after.offer_block_until
    if after.status == Status.OFFER and outcome.before.status != Status.OFFER:
        dossier.offer_company = acting.company
        dossier.offer_started_on = outcome.effective_date
    elif after.status != Status.OFFER:
        dossier.offer_company = None
        dossier.offer_started_on = None
    if outcome.removal_reason is not None:
        dossier.removal_reason = outcome.removal_reason.value
    elif after.status not in (Status.RJCT, Status.RFSD):
        dossier.removal_reason = ""


def _assign_number(dossier: Dossier, on: date) -> None:
    if dossier.registration_date is None:
        dossier.registration_date = on
    dossier.number = next_free_number(dossier.registration_date)
    for member in dossier.members.filter(role__in=CANDIDATE_ROLES, waiting_since__isnull=True):
        member.waiting_since = dossier.registration_date
        member.save(update_fields=["waiting_since"])


def _save_numbered(dossier: Dossier, *, renumber: bool) -> None:
    """Save the dossier. A number just given can be taken meanwhile by a concurrent
    registration of the same date: the unique index makes this transaction wait for the other
    one and then refuses; the dossier then takes the next free number (rules.md section 9)."""
    while True:
        try:
            with transaction.atomic():
                dossier.save()
            return
        except IntegrityError:
            taken = (
                renumber
                and Dossier.objects.filter(number=dossier.number).exclude(pk=dossier.pk).exists()
            )
            if not taken:
                raise
            assert dossier.registration_date is not None
            dossier.number = next_free_number(dossier.registration_date)


def next_free_number(registration_date: date) -> str:
    taken = [
        numbering.sequence_of(n)
        for n in Dossier.objects.filter(
            number__startswith=numbering.prefix(registration_date)
        ).values_list("number", flat=True)
        if n is not None
    ]
    return numbering.format_number(registration_date, numbering.next_free_sequence(taken))


def _sync_candidacy(dossier: Dossier, refusal: str) -> None:
    """Let the dossier's candidates hold (or release) their candidacy as its status says; the
    database refuses a second active dossier per candidate, and ``refusal`` says so (409)."""
    active = Status(dossier.status) in ACTIVE_STATUSES
    try:
        with transaction.atomic():
            dossier.members.filter(role__in=CANDIDATE_ROLES).exclude(holds_candidacy=active).update(
                holds_candidacy=active
            )
    except IntegrityError as exc:
        raise RuleViolation("KANDIDAAT_HEEFT_ANDER_DOSSIER", refusal) from exc


def _audit(
    dossier: Dossier,
    operation: str,
    acting: Acting,
    summary: str,
    before: dict[str, Any] | None,
) -> None:
    AuditEntry.objects.create(
        operation=operation,
        actor_kind=acting.kind,
        actor_company=acting.company,
        actor_label=acting.label,
        on_behalf_of=acting.on_behalf_of,
        correlation_id=acting.correlation_id,
        dossier=dossier,
        summary=summary,
        before=before,
        after=snapshot(dossier),
    )


def _changed(
    dossier: Dossier,
    shares: list[Sharing],
    kind: str,
    on: date,
    premium_events: Iterable[str] = (),
) -> None:
    """A change: every sharing landlord must pull the dossier again, and gets an event; the
    rent-premium service gets the events that concern it."""
    DossierShare.objects.filter(dossier=dossier).update(unsynchronised=True)
    landlord_payload = {
        "dossierNummer": dossier.number,
        "status": dossier.status,
        "versie": dossier.version,
    }
    events = [
        Event(
            audience=EventAudience.LANDLORD,
            company_id=company_id,
            dossier=dossier,
            kind=kind,
            effective_date=on,
            payload=landlord_payload,
        )
        for company_id in (s.company_pk for s in shares)
    ]
    premium = list(premium_events)
    if premium:
        candidates = list(
            dossier.members.filter(role__in=CANDIDATE_ROLES)
            .order_by("role")
            .values_list("person__insz", flat=True)
        )
        for premium_kind in premium:
            payload: dict[str, Any] = {
                "dossierNummer": dossier.number,
                "rijksregisternummers": candidates,
                "actie": kind,
            }
            if premium_kind == "REMOVED":
                payload["reden"] = dossier.removal_reason
            events.append(
                Event(
                    audience=EventAudience.RENT_PREMIUM,
                    dossier=dossier,
                    kind=premium_kind,
                    effective_date=on,
                    payload=payload,
                )
            )
    Event.objects.bulk_create(events)


# --- synchronisation -------------------------------------------------------------------------


def acknowledge(number: str, acting: Acting, version: int | None = None) -> DossierShare:
    """bevestigDossierVerwerking: the landlord processed the dossier up to ``version``.

    Without a version it acknowledges the current one. A dossier changed after the acknowledged
    version stays unsynchronised, so no update is lost between pull and acknowledgement.
    Decision: allowed during a freeze window, since it changes no dossier (see docs/decisions).
    """
    with transaction.atomic():
        try:
            share = (
                DossierShare.objects.select_for_update(of=("self",))
                .select_related("dossier")
                .get(dossier__number=number, company=acting.company)
            )
        except DossierShare.DoesNotExist:
            raise DossierNotFound(number) from None
        current = share.dossier.version
        if version is not None and version > current:
            raise InvalidInput(
                f"Versie {version} van dossier {number} bestaat niet; de huidige versie is "
                f"{current}."
            )
        target = current if version is None else version
        share.acknowledged_version = max(share.acknowledged_version, target)
        share.unsynchronised = share.acknowledged_version < current
        share.acknowledged_at = timezone.now()
        share.save(update_fields=["acknowledged_version", "unsynchronised", "acknowledged_at"])
        AuditEntry.objects.create(
            operation=AuditEntry.Operation.ACKNOWLEDGE,
            actor_kind=acting.kind,
            actor_company=acting.company,
            actor_label=acting.label,
            correlation_id=acting.correlation_id,
            dossier=share.dossier,
            summary=f"verwerking bevestigd tot versie {share.acknowledged_version}",
        )
        return share


# --- rankings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankingInput:
    list_type: str
    criterion: str
    local_binding: str
    limited_region_choice: str
    municipality_nis: str | None = None
    neighbourhood: str = ""


def replace_rankings(number: str, acting: Acting, rankings: Sequence[RankingInput]) -> Dossier:
    """wijzigDossierRangschikkingen: the caller's rankings of this dossier become ``rankings``."""
    from cir.domain.statuses import PILLAR_CRITERIA, Pillar

    ensure_not_frozen()
    nis_codes = {r.municipality_nis for r in rankings if r.municipality_nis}
    known = set(Municipality.objects.filter(nis_code__in=nis_codes).values_list("pk", flat=True))
    for r in rankings:
        if r.criterion not in PILLAR_CRITERIA[Pillar(r.list_type)]:
            allowed = ", ".join(sorted(PILLAR_CRITERIA[Pillar(r.list_type)]))
            raise InvalidInput(
                f"criterium1 {r.criterion} past niet bij {r.list_type}; toegelaten: {allowed}.",
                code="ONGELDIG_CRITERIUM",
            )
        if r.municipality_nis and r.municipality_nis not in known:
            raise InvalidInput(
                f"Onbekende gemeente {r.municipality_nis}.", code="ONBEKENDE_GEMEENTE"
            )
    with transaction.atomic():
        dossier, shares = _lock(number, acting)
        if Status(dossier.status) not in ACTIVE_STATUSES:
            raise RuleViolation(
                "DOSSIER_NIET_ACTIEF",
                f"Dossier {number} is {dossier.status}: rangschikkingen kunnen niet meer wijzigen.",
            )
        before = snapshot(dossier)
        Ranking.objects.filter(dossier=dossier, company=acting.company).delete()
        Ranking.objects.bulk_create(
            Ranking(
                dossier=dossier,
                company=acting.company,
                list_type=r.list_type,
                criterion=r.criterion,
                local_binding=r.local_binding,
                limited_region_choice=r.limited_region_choice,
                municipality_id=r.municipality_nis,
                neighbourhood=r.neighbourhood,
            )
            for r in rankings
        )
        dossier.version += 1
        dossier.save(update_fields=["version", "updated_at"])
        _audit(dossier, AuditEntry.Operation.RANKING, acting, "rangschikkingen vervangen", before)
        _changed(dossier, shares, "RANKING", timezone.localdate())
        return dossier


# --- creating dossiers -------------------------------------------------------------------------


@dataclass
class PersonInput:
    insz: str
    first_name: str
    last_name: str
    birth_date: date | None = None
    domicile_nis: str | None = None
    email: str = ""
    phone: str = ""


@dataclass
class NewDossier:
    applicant: PersonInput
    partner: PersonInput | None = None
    co_residents: list[PersonInput] = field(default_factory=list)
    municipalities: list[str] = field(default_factory=list)  # ordered choice
    dwelling_types: list[str] = field(default_factory=list)
    other_preferences: dict[str, Any] = field(default_factory=dict)
    housing_situation: str = ""
    registration_date: date | None = None
    dossier_type: str = DossierType.ONLINE


def upsert_person(data: PersonInput) -> Person:
    from cir.domain.insz import InvalidNationalNumber, validate

    try:
        insz = validate(data.insz)
    except InvalidNationalNumber as exc:
        raise InvalidInput(
            f"Rijksregisternummer {exc.masked} {exc.reason}.", code="ONGELDIG_RRN"
        ) from exc
    person, _created = Person.objects.update_or_create(
        insz=insz,
        defaults={
            "first_name": data.first_name,
            "last_name": data.last_name,
            "birth_date": data.birth_date,
            "domicile_id": data.domicile_nis,
            "email": data.email,
            "phone1": data.phone,
        },
    )
    return person


def create_dossier(spec: NewDossier, acting: Acting) -> Dossier:
    """A new dossier in SAVED (opgeslagen), with its members, choices and landlords.

    The candidate's domicile municipality is added to the choices when it lies in Flanders and
    is missing (rules.md section 1: always registered for the domicile municipality).
    """
    ensure_not_frozen()
    with transaction.atomic():
        applicant = upsert_person(spec.applicant)
        choices = list(dict.fromkeys(spec.municipalities))
        domicile = spec.applicant.domicile_nis
        municipalities = {
            m.nis_code: m
            for m in Municipality.objects.filter(nis_code__in=[*choices, domicile or ""])
        }
        unknown = [nis for nis in choices if nis not in municipalities]
        if unknown:
            raise InvalidInput(f"Onbekende gemeente(n): {', '.join(unknown)}.")
        flemish_domicile = (
            domicile is not None
            and domicile in municipalities
            and municipalities[domicile].is_flemish
        )
        if flemish_domicile and domicile is not None and domicile not in choices:
            choices.insert(0, domicile)
        company_of = {
            nis: m.housing_company.company_id
            for nis, m in municipalities.items()
            if m.housing_company_id is not None and m.housing_company is not None
        }
        primary_id, secondary_ids = derive_landlords(domicile, choices, company_of)
        companies = {
            c.company_id: c
            for c in HousingCompany.objects.filter(company_id__in=[primary_id, *secondary_ids])
        }
        dossier = Dossier.objects.create(
            status=Status.SAVED.value,
            dossier_type=spec.dossier_type,
            registration_date=spec.registration_date,
            primary_landlord=companies.get(primary_id) if primary_id else None,
            dwelling_types=sorted(set(spec.dwelling_types)),
            other_preferences=spec.other_preferences,
            housing_situation=spec.housing_situation,
            contact={"email": spec.applicant.email, "phone": spec.applicant.phone},
            received_at=timezone.now(),
            last_activity_on=timezone.localdate(),
        )
        Member.objects.create(dossier=dossier, person=applicant, role=MemberRole.APPLICANT)
        if spec.partner is not None:
            Member.objects.create(
                dossier=dossier, person=upsert_person(spec.partner), role=MemberRole.PARTNER
            )
        for co_resident in spec.co_residents:
            Member.objects.create(
                dossier=dossier, person=upsert_person(co_resident), role=MemberRole.CO_RESIDENT
            )
        MunicipalityChoice.objects.bulk_create(
            MunicipalityChoice(dossier=dossier, position=i, municipality=municipalities[nis])
            for i, nis in enumerate(choices, start=1)
        )
        DossierShare.objects.bulk_create(
            [
                DossierShare(dossier=dossier, company=companies[primary_id], is_primary=True)
                for _ in [0]
                if primary_id
            ]
            + [DossierShare(dossier=dossier, company=companies[c]) for c in secondary_ids]
        )
        _sync_candidacy(
            dossier, "Een kandidaat-huurder heeft al een actief dossier; één dossier per kandidaat."
        )
        _audit(dossier, AuditEntry.Operation.CREATE, acting, "dossier aangemaakt", None)
        return dossier


def confirm_participation(dossier: Dossier, person: Person, acting: Acting) -> None:
    """An adult of the dossier confirms taking part (needed before APP)."""
    ensure_not_frozen()
    with transaction.atomic():
        locked, _ = _lock_by_pk(dossier.pk)
        if locked.status != Status.SAVED:
            raise RuleViolation(
                "ACTIE_NIET_TOEGELATEN_IN_STATUS",
                "Deelname bevestigen kan enkel voor een opgeslagen dossier.",
            )
        updated = Member.objects.filter(
            dossier=locked, person=person, participation_confirmed_at__isnull=True
        ).update(participation_confirmed_at=timezone.now())
        if updated:
            locked.version += 1
            locked.save(update_fields=["version", "updated_at"])
            _audit(locked, AuditEntry.Operation.CHANGE, acting, "deelname bevestigd", None)
