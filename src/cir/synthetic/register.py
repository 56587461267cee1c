"""Synthetic dossier specs for the register's own demo (independent of the migration).

``demo_register_dossiers(areas, count, seed)`` yields plain dicts; the register's services turn
them into database rows (and walk each dossier to its target status through the real actions).
Every candidate (applicant or partner) appears in one spec only, as the register requires; a
co-resident belongs to one spec too, which is simpler than the rules demand but never wrong.

Spec shape::

    {"registration_date": "2021-03-04",   # ISO; for SAVED the date the draft was started
     "status": "REG",                     # SAVED CHKS INFOS CHKO REG OFFER WAITS RJCT RFSD
     "has_number": True,                  # whether the dossier ever became REG (rules 3, 9)
     "status_reason": None,               # Dutch removal reason for RJCT, else None
     "applicant": {...person...}, "partner": {...} | None, "co_residents": [{...}, ...],
     "preferences": {"municipalities": [...ordered...], "dwelling_types": ["A", "H"],
                     "other": {"bedrooms_min": 2}},
     "primary_company": "WM07",           # per the new-registration decision of rules 1
     "housing_situation": "..." | None,
     "contact": {"email": "...", "phone": "+324..."}}

A person is ``{"insz", "first_name", "last_name", "birth_date", "sex", "domicile_nis", "email",
"phone"}``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from cir.synthetic.areas import (
    BRUSSELS,
    OperatingArea,
    municipalities_by_region,
    municipality_weight,
)
from cir.synthetic.persons import Person, PersonFactory, add_years

STATUS_WEIGHTS: dict[str, float] = {
    "REG": 0.70,
    "CHKS": 0.07,
    "INFOS": 0.03,
    "CHKO": 0.01,
    "SAVED": 0.05,
    "OFFER": 0.04,
    "WAITS": 0.03,
    "RJCT": 0.05,
    "RFSD": 0.02,
}
DEFAULT_REFERENCE_DATE = date(2025, 6, 30)
FIRST_REGISTRATION = date(2005, 1, 1)

_RJCT_REASONS = (
    ("woning aanvaard", 0.45),
    ("vrijwillig", 0.2),
    ("voldoet niet aan de voorwaarden", 0.12),
    ("geen activiteit gedurende twee jaar", 0.1),
    ("overleden", 0.06),
    ("tweede ongegronde weigering of niet-reactie", 0.05),
    ("fraude", 0.02),
)
_HOUSING_SITUATIONS = (
    "Huurt privaat, te klein.",
    "Huurt privaat, te duur voor het inkomen.",
    "Woont in bij familie.",
    "Huurwoning ongeschikt verklaard.",
    "Uithuiszetting aangekondigd.",
    "Woont in een studio, gezin groeit.",
    "Huurt privaat, woning niet aangepast aan handicap.",
    "Huurcontract opgezegd door eigenaar.",
)


def demo_register_dossiers(
    areas: Sequence[OperatingArea],
    count: int,
    seed: int,
    *,
    reference_date: date = DEFAULT_REFERENCE_DATE,
) -> Iterator[dict[str, Any]]:
    """Yield ``count`` deterministic dossier specs for the given operating areas.

    ``reference_date`` is "today" for the demo: registrations lie between 2005 and that date,
    drafts and reviews shortly before it. It is fixed by default so that a seed always gives
    the same data.
    """
    rng = random.Random(seed)
    area_of: dict[str, tuple[int, int]] = {}
    for c, area in enumerate(areas):
        for pos, nis in enumerate(area["municipalities"]):
            area_of[nis] = (c, pos)
    domiciles = sorted(area_of)
    if not domiciles:
        raise ValueError("no operating areas given")
    factory = PersonFactory(
        random.Random(seed * 104_729 + 3),
        domiciles=domiciles,
        domicile_weights=[municipality_weight(nis) for nis in domiciles],
    )
    brussels = municipalities_by_region().get(BRUSSELS, ())
    statuses = list(STATUS_WEIGHTS)
    status_weights = list(STATUS_WEIGHTS.values())
    reasons = [r for r, _ in _RJCT_REASONS]
    reason_weights = [w for _, w in _RJCT_REASONS]
    today = reference_date.toordinal()

    for _ in range(count):
        status = rng.choices(statuses, status_weights)[0]
        registration = _registration_date(rng, status, today)
        domicile = factory.domicile()
        outside = bool(brussels) and rng.random() < 0.01
        applicant = factory.adult(
            (1935, 2005),
            adult_on=date.fromordinal(registration),
            domicile_nis=rng.choice(brussels) if outside else domicile,
        )
        partner: Person | None = None
        if rng.random() < 0.4:
            partner = factory.partner_for(applicant, adult_on=date.fromordinal(registration))
        co_residents: list[Person] = []
        if rng.random() < (0.5 if partner else 0.2):
            for _ in range(1 + int(rng.random() * 3)):
                try:
                    co_residents.append(
                        factory.child(
                            applicant.birth_date,
                            born_before=reference_date,
                            born_after=add_years(reference_date, -25),
                            last_name=applicant.last_name,
                            domicile_nis=applicant.domicile_nis,
                        )
                    )
                except ValueError:
                    break
        municipalities = _choices(rng, areas, area_of, domicile, include_domicile=not outside)
        company = (
            areas[area_of[domicile][0]]["company_id"]
            if domicile in municipalities
            else areas[area_of[municipalities[0]][0]]["company_id"]
        )
        adults = 1 + (partner is not None)
        dwelling_types = _dwelling_types(rng, adults, len(co_residents))
        other: dict[str, Any] = {}
        if rng.random() < 0.6:
            other["bedrooms_min"] = max(1, min(4, len(co_residents) + (adults > 1)))
        reason = rng.choices(reasons, reason_weights)[0] if status == "RJCT" else None
        yield {
            "registration_date": date.fromordinal(registration).isoformat(),
            "status": status,
            "has_number": _has_number(rng, status),
            "status_reason": reason,
            "applicant": applicant.as_dict(),
            "partner": partner.as_dict() if partner else None,
            "co_residents": [p.as_dict() for p in co_residents],
            "preferences": {
                "municipalities": municipalities,
                "dwelling_types": dwelling_types,
                "other": other,
            },
            "primary_company": company,
            "housing_situation": (rng.choice(_HOUSING_SITUATIONS) if rng.random() < 0.7 else None),
            "contact": applicant.contact(),
        }


def _registration_date(rng: random.Random, status: str, today: int) -> int:
    # Drafts and reviews are recent by nature; the waiting list itself reaches back to 2005.
    if status == "SAVED":
        return today - int(rng.random() * 60)
    if status in ("CHKS", "INFOS", "RFSD", "CHKO"):
        return today - int(rng.random() * 365)
    start = FIRST_REGISTRATION.toordinal()
    return start + int((today - start) * rng.random() ** 0.7)


def _has_number(rng: random.Random, status: str) -> bool:
    if status in ("REG", "OFFER", "WAITS", "RJCT"):
        return True
    if status in ("SAVED", "RFSD"):
        return False
    if status == "CHKO":
        # an appeal follows either a refusal (no number) or a removal (number kept)
        return rng.random() < 0.5
    # "ingeschreven in onderzoek": registered dossiers that an actualisation sent to review
    return rng.random() < 0.3


def _choices(
    rng: random.Random,
    areas: Sequence[OperatingArea],
    area_of: dict[str, tuple[int, int]],
    domicile: str,
    *,
    include_domicile: bool,
) -> list[str]:
    """Ordered municipality choices around the domicile (the domicile first most of the time)."""
    company, position = area_of[domicile]
    area = areas[company]["municipalities"]
    chosen: list[str] = []
    # Most candidates keep the pre-ticked domicile municipality (rules 1).
    if include_domicile and rng.random() < 0.92:
        chosen.append(domicile)
    for _ in range(int(rng.random() * 5)):
        pos = position + rng.choice((-3, -2, -1, 1, 2, 3))
        if 0 <= pos < len(area) and area[pos] not in chosen:
            chosen.append(area[pos])
    if rng.random() < 0.1 and len(areas) > 1:
        neighbour = areas[min(company + 1, len(areas) - 1) if company == 0 else company - 1]
        extra = rng.choice(neighbour["municipalities"])
        if extra not in chosen:
            chosen.append(extra)
    if not chosen:
        chosen.append(area[(position + 1) % len(area)] if len(area) > 1 else domicile)
    return chosen


def _dwelling_types(rng: random.Random, adults: int, children: int) -> list[str]:
    if children:
        types = [t for t, p in (("H", 0.8), ("A", 0.5)) if rng.random() < p]
        return types or ["H"]
    if adults == 2:
        types = [t for t, p in (("H", 0.5), ("A", 0.75)) if rng.random() < p]
        return types or ["A"]
    types = [t for t, p in (("H", 0.1), ("A", 0.75), ("S", 0.4), ("R", 0.04)) if rng.random() < p]
    return types or ["A"]
