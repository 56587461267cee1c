"""Dossiers as the interface shows them. Plain dicts, built by hand: this is the hot path."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from cir.reference.models import HousingCompany
from cir.register.models import Dossier
from cir.register.queries import SummaryRow

ROLE_NAMES = {"applicant": "AANVRAGER", "partner": "PARTNER", "co_resident": "MEDEBEWONER"}
_ROLE_ORDER = {"applicant": 0, "partner": 1, "co_resident": 2}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _moment(value: Any) -> str | None:
    """A timestamp in UTC with microseconds always present, as the SQL read path writes it."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def search_result(row: SummaryRow) -> dict[str, Any]:
    """A dossier as a search lists it; the whole dossier starts with the same fields."""
    return {
        "dossierNummer": row.number,
        "dossierStatus": row.status,
        "dossierType": row.dossier_type,
        "versie": row.version,
        "inschrijvingsDatum": _iso(row.registration_date),
        "creatieDatum": _moment(row.created_at),
        "updateDatum": _moment(row.updated_at),
        "ontvangstDatum": _moment(row.received_at),
        "primaireVerhuurder": row.primary_kbo,
        "aanvrager": {
            "rijksregisternummer": row.applicant[0],
            "voorNaam": row.applicant[1],
            "naam": row.applicant[2],
        }
        if row.applicant
        else None,
        "gesynchroniseerd": not row.unsynchronised,
    }


def whole(dossier: Dossier, company: HousingCompany) -> dict[str, Any]:
    """The whole dossier as ``company`` sees it, from a dossier loaded through
    ``services.dossier_queryset``. On PostgreSQL, queries.read_document_logged builds the same
    document in SQL; tests/interface/test_read_path.py holds the two together."""
    shares = list(dossier.shares.all())
    own = next((s for s in shares if s.company_id == company.pk), None)
    members = sorted(dossier.members.all(), key=lambda m: (_ROLE_ORDER[m.role], m.person.insz))
    applicant = next((m.person for m in members if m.role == "applicant"), None)
    row = SummaryRow(
        number=dossier.number,
        status=dossier.status,
        dossier_type=dossier.dossier_type,
        version=dossier.version,
        registration_date=dossier.registration_date,
        created_at=dossier.created_at,
        updated_at=dossier.updated_at,
        received_at=dossier.received_at,
        primary_kbo=dossier.primary_landlord.kbo if dossier.primary_landlord else None,
        unsynchronised=own is None or own.unsynchronised,
        applicant=(applicant.insz, applicant.first_name, applicant.last_name)
        if applicant
        else None,
    )
    return {
        **search_result(row),
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
            for r in sorted(dossier.rankings.all(), key=lambda r: r.pk)
            if r.company_id == company.pk
        ],
        "statusHistoriek": [
            {
                "vanStatus": h.from_status,
                "naarStatus": h.to_status,
                "actie": h.action,
                "datum": _iso(h.effective_date),
            }
            for h in sorted(dossier.status_history.all(), key=lambda h: h.pk)
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
