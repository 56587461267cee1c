"""Demo data for the embedded database: synthetic dossiers walked to every status through the
register's real services and actions. Clearly synthetic: generated persons, demo companies."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from cir.domain.calendar import add_months
from cir.domain.statuses import Action, Status
from cir.reference.models import HousingCompany
from cir.register import services
from cir.register.models import Dossier, DossierType, Person
from cir.register.services import Acting, NewDossier, PersonInput

REMOVAL_ACTIONS = {
    "woning aanvaard": "accepted",
    "vrijwillig": Action.VOL,
    "overleden": Action.DEC,
    "voldoet niet aan de voorwaarden": "not_met",
    "tweede ongegronde weigering of niet-reactie": "two_sanctions",
}


def _person(data: dict[str, Any]) -> PersonInput:
    return PersonInput(
        insz=data["insz"],
        first_name=data["first_name"],
        last_name=data["last_name"],
        birth_date=date.fromisoformat(data["birth_date"]) if data.get("birth_date") else None,
        domicile_nis=data.get("domicile_nis"),
        email=data.get("email", ""),
        phone=data.get("phone", ""),
    )


def seed_dossier(spec: dict[str, Any], today: date) -> Dossier | None:
    """Create one dossier and walk it to ``spec["status"]`` with the real actions."""
    register = Acting.register("demo")
    new = NewDossier(
        applicant=_person(spec["applicant"]),
        partner=_person(spec["partner"]) if spec.get("partner") else None,
        co_residents=[_person(p) for p in spec.get("co_residents", [])],
        municipalities=spec["preferences"]["municipalities"],
        dwelling_types=spec["preferences"]["dwelling_types"],
        other_preferences=spec["preferences"].get("other") or {},
        housing_situation=spec.get("housing_situation") or "",
        registration_date=date.fromisoformat(spec["registration_date"]),
        dossier_type=DossierType.ONLINE,
    )
    dossier = services.create_dossier(new, register)
    target = Status(spec["status"])
    adults = list(Person.objects.filter(memberships__dossier=dossier).order_by("memberships__id"))
    applicant = adults[0]
    if target == Status.SAVED:
        services.confirm_participation(dossier, applicant, Acting.candidate(applicant))
        return dossier
    for person in adults:
        services.confirm_participation(dossier, person, Acting.candidate(person))
    reg_date = new.registration_date or today
    met = bool(spec.get("has_number")) or target not in (Status.CHKS, Status.INFOS, Status.RFSD)
    dossier = services.perform_action_on(
        dossier.pk,
        Action.APP,
        Acting.candidate(applicant),
        conditions_met=met,
        effective_date=min(today, reg_date),
    )
    pv_company = dossier.primary_landlord
    if pv_company is None:
        return dossier
    pv = Acting.landlord(pv_company, "demo")

    def act(action: Action, acting: Acting = pv, on: date | None = None, **kw: Any) -> Dossier:
        return services.perform_action_on(dossier.pk, action, acting, effective_date=on, **kw)

    if target == Status.REG:
        return dossier
    if target in (Status.CHKS, Status.INFOS) and met:
        dossier = act(Action.ACTUA, register, conditions_met=False)
    if target == Status.INFOS:
        return act(Action.REQI)
    if target == Status.CHKS:
        return dossier
    if target == Status.RFSD:
        return act(Action.RJCT)
    if target == Status.CHKO:
        act(Action.ACTUA, register, conditions_met=False)
        act(Action.NCOMP)
        return act(Action.OBJ, Acting.candidate(applicant))
    if target == Status.OFFER:
        return act(Action.OFFER)
    if target == Status.WAITS:
        return act(Action.WAIT)
    reason = spec.get("status_reason") or "vrijwillig"
    how = REMOVAL_ACTIONS.get(reason, Action.VOL)
    if how == "accepted":
        act(Action.OFFER)
        return act(Action.ACC)
    if how == "not_met":
        act(Action.ACTUA, register, conditions_met=False)
        return act(Action.NCOMP)
    if how == "two_sanctions":
        first = today - timedelta(days=200)
        act(Action.OFFER, on=first)
        act(Action.NORES, on=first)
        second = add_months(first, 3)
        act(Action.OFFER, on=second)
        return act(Action.REF, on=second)
    assert isinstance(how, Action)
    return act(how)


def add_sanctioned_examples(dossiers: Iterable[Dossier], today: date) -> int:
    """A few registered dossiers with a running offer block, as the local software sees them."""
    count = 0
    for dossier in dossiers:
        if dossier.status != Status.REG or dossier.primary_landlord is None:
            continue
        pv = Acting.landlord(dossier.primary_landlord, "demo")
        services.perform_action_on(dossier.pk, Action.OFFER, pv, effective_date=today)
        services.perform_action_on(dossier.pk, Action.NORES, pv, effective_date=today)
        count += 1
    return count


def seed_register(
    specs: Iterable[dict[str, Any]],
    progress: Callable[[int], None] | None = None,
) -> list[Dossier]:
    today = timezone.localdate()
    created: list[Dossier] = []
    for spec in specs:
        people = [spec["applicant"], spec.get("partner"), *spec.get("co_residents", [])]
        numbers = [p["insz"] for p in people if p]
        # Synthetic generators may draw a number the migrated demo already holds: skip that
        # household rather than merge two synthetic people into one.
        if Person.objects.filter(insz__in=numbers).exists():
            if progress:
                progress(1)
            continue
        with transaction.atomic():
            dossier = seed_dossier(spec, today)
        if dossier is not None:
            created.append(dossier)
        if progress:
            progress(1)
    return created


def company(code: str) -> HousingCompany:
    return HousingCompany.objects.get(company_id=code)
