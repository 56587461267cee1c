"""Dossiers as the interface shows them. Plain dicts, built by hand: this is the hot path."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from cir.reference.models import HousingCompany
from cir.register.models import Dossier
from cir.register.queries import SummaryRow, WholeParts, parts_from_prefetched

ROLE_NAMES = {"applicant": "AANVRAGER", "partner": "PARTNER", "co_resident": "MEDEBEWONER"}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _moment(value: Any) -> str | None:
    """A timestamp in UTC with microseconds always present, as the SQL read path writes it."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _summary(
    dossier: Dossier, applicant: Any, primary_kbo: str | None, synchronised: bool
) -> dict[str, Any]:
    """``applicant``: (insz, first name, last name) or None."""
    return {
        "dossierNummer": dossier.number,
        "dossierStatus": dossier.status,
        "dossierType": dossier.dossier_type,
        "versie": dossier.version,
        "inschrijvingsDatum": _iso(dossier.registration_date),
        "creatieDatum": _moment(dossier.created_at),
        "updateDatum": _moment(dossier.updated_at),
        "ontvangstDatum": _moment(dossier.received_at),
        "primaireVerhuurder": primary_kbo,
        "aanvrager": {
            "rijksregisternummer": applicant[0],
            "voorNaam": applicant[1],
            "naam": applicant[2],
        }
        if applicant
        else None,
        "gesynchroniseerd": synchronised,
    }


def search_result(row: SummaryRow) -> dict[str, Any]:
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


_ROLE_ORDER = {"applicant": 0, "partner": 1, "co_resident": 2}


def whole(dossier: Dossier, company: HousingCompany) -> dict[str, Any]:
    """The whole dossier as ``company`` sees it, from a dossier loaded through
    ``services.dossier_queryset``. On PostgreSQL, queries.read_document_logged builds the same
    document in SQL; tests/interface/test_read_path.py holds the two together."""
    parts: WholeParts = parts_from_prefetched(dossier, company)
    own = next((s for s in parts.shares if s[0] == company.pk), None)
    applicant = next((m for m in parts.members if m[0] == "applicant"), None)
    members = sorted(parts.members, key=lambda m: (_ROLE_ORDER[m[0]], m[1]))
    return {
        **_summary(
            dossier,
            applicant[1:4] if applicant else None,
            parts.primary_kbo,
            own is not None and not own[2],
        ),
        "secundaireVerhuurders": sorted(s[3] for s in parts.shares if not s[1]),
        "aanbod": {"verhuurder": parts.offer_kbo, "sinds": _iso(dossier.offer_started_on)}
        if parts.offer_kbo is not None
        else None,
        "aanbodBlokkeringTot": _iso(dossier.offer_block_until),
        "aantalSancties": dossier.sanction_count,
        "redenSchrapping": dossier.removal_reason,
        "leden": [
            {
                "rol": ROLE_NAMES[m[0]],
                "rijksregisternummer": m[1],
                "voorNaam": m[2],
                "naam": m[3],
                "geboorteDatum": m[4],
                "domicilieGemeenteNisCode": m[5],
                "wachtSinds": m[6],
                "deelnameBevestigd": m[7],
            }
            for m in members
        ],
        "voorkeuren": {
            "gemeentes": [
                {
                    "volgorde": position,
                    "gemeenteNisCode": nis,
                    "gemeente": name,
                    "wijken": neighbourhoods,
                }
                for position, nis, name, neighbourhoods in parts.choices
            ],
            "woningTypes": dossier.dwelling_types,
            "andere": dossier.other_preferences,
        },
        "woonsituatie": dossier.housing_situation,
        "contact": dossier.contact,
        "rangschikkingen": [
            {
                "rangLijstType": list_type,
                "criterium1": criterion,
                "lokaleBinding": local_binding,
                "beperkteRegioKeuze": limited_region,
                "gemeenteNisCode": nis,
                "wijk": neighbourhood,
            }
            for list_type, criterion, local_binding, limited_region, nis, neighbourhood in (
                parts.rankings
            )
        ],
        "statusHistoriek": [
            {
                "vanStatus": from_status,
                "naarStatus": to_status,
                "actie": action,
                "datum": on,
            }
            for from_status, to_status, action, on in parts.history
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
