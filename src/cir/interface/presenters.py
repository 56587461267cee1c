"""Dossiers as the interface shows them. Plain dicts, built by hand: this is the hot path."""

from __future__ import annotations

from typing import Any

from cir.reference.models import HousingCompany
from cir.register.models import Dossier, DossierShare

ROLE_NAMES = {"applicant": "AANVRAGER", "partner": "PARTNER", "co_resident": "MEDEBEWONER"}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def summary(dossier: Dossier, share: DossierShare | None) -> dict[str, Any]:
    applicant = next((m for m in dossier.members.all() if m.role == "applicant"), None)
    return {
        "dossierNummer": dossier.number,
        "dossierStatus": dossier.status,
        "dossierType": dossier.dossier_type,
        "versie": dossier.version,
        "inschrijvingsDatum": _iso(dossier.registration_date),
        "creatieDatum": _iso(dossier.created_at),
        "updateDatum": _iso(dossier.updated_at),
        "ontvangstDatum": _iso(dossier.received_at),
        "primaireVerhuurder": dossier.primary_landlord.kbo if dossier.primary_landlord else None,
        "aanvrager": {
            "rijksregisternummer": applicant.person.insz,
            "voorNaam": applicant.person.first_name,
            "naam": applicant.person.last_name,
        }
        if applicant
        else None,
        "gesynchroniseerd": share is not None and not share.unsynchronised,
    }


def whole(dossier: Dossier, company: HousingCompany) -> dict[str, Any]:
    shares = list(dossier.shares.all())
    own = next((s for s in shares if s.company_id == company.pk), None)
    members = sorted(
        dossier.members.all(),
        key=lambda m: (("applicant", "partner", "co_resident").index(m.role), m.person.insz),
    )
    return {
        **summary(dossier, own),
        "secundaireVerhuurders": sorted(s.company.kbo for s in shares if not s.is_primary),
        "aanbod": {"verhuurder": dossier.offer_company.kbo, "sinds": _iso(dossier.offer_started_on)}
        if dossier.offer_company
        else None,
        "aanbodBlokkeringTot": _iso(dossier.offer_block_until),
        "aantalSancties": dossier.sanction_count,
        "redenSchrapping": dossier.removal_reason,
        "leden": [
            {
                "rol": ROLE_NAMES[m.role],
                "rijksregisternummer": m.person.insz,
                "voorNaam": m.person.first_name,
                "naam": m.person.last_name,
                "geboorteDatum": _iso(m.person.birth_date),
                "domicilieGemeenteNisCode": m.person.domicile_id,
                "wachtSinds": _iso(m.waiting_since),
                "deelnameBevestigd": m.participation_confirmed_at is not None,
            }
            for m in members
        ],
        "voorkeuren": {
            "gemeentes": [
                {
                    "volgorde": c.position,
                    "gemeenteNisCode": c.municipality_id,
                    "gemeente": c.municipality.name_nl,
                    "wijken": c.neighbourhoods,
                }
                for c in sorted(dossier.choices.all(), key=lambda c: c.position)
            ],
            "woningTypes": dossier.dwelling_types,
            "andere": dossier.other_preferences,
        },
        "woonsituatie": dossier.housing_situation,
        "contact": dossier.contact,
        "rangschikkingen": [
            {
                "rangLijstType": r.list_type,
                "criterium1": r.criterion,
                "lokaleBinding": r.local_binding,
                "beperkteRegioKeuze": r.limited_region_choice,
                "gemeenteNisCode": r.municipality_id,
                "wijk": r.neighbourhood,
            }
            for r in dossier.rankings.all()
            if r.company_id == company.pk
        ],
        "statusHistoriek": [
            {
                "vanStatus": h.from_status,
                "naarStatus": h.to_status,
                "actie": h.action,
                "datum": _iso(h.effective_date),
            }
            for h in dossier.status_history.all()
        ],
        "inhoudsbron": dossier.content_source,
        "samengevoegdUit": dossier.merged_from,
    }


def action_result(dossier: Dossier, action: str) -> dict[str, Any]:
    return {
        "dossierNummer": dossier.number,
        "actie": action,
        "dossierStatus": dossier.status,
        "versie": dossier.version,
        "aanbodBlokkeringTot": _iso(dossier.offer_block_until),
        "aantalSancties": dossier.sanction_count,
        "redenSchrapping": dossier.removal_reason,
    }
