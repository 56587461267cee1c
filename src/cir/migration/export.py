"""The register export (register-dossier.schema.json), streamed in dossier-number order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import orjson

from cir.register.models import Dossier, DossierShare, Member, MunicipalityChoice

ROLE_ORDER = {"applicant": 0, "partner": 1, "co_resident": 2}
BATCH = 5000


def export_lines() -> Iterator[bytes]:
    """Dossiers with a number, sorted by number; members applicant, partner, co-residents by
    national number; municipalities, dwelling types, secondary landlords and merged_from sorted."""
    numbered = Dossier.objects.filter(number__isnull=False).order_by("number")
    ids = list(numbered.values_list("id", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        yield from _chunk(chunk)


def _chunk(ids: list[int]) -> Iterator[bytes]:
    members: dict[int, list[tuple[str, str, Any]]] = defaultdict(list)
    for dossier_id, insz, role, since in Member.objects.filter(dossier_id__in=ids).values_list(
        "dossier_id", "person__insz", "role", "waiting_since"
    ):
        members[dossier_id].append((role, insz, since))
    choices: dict[int, list[str]] = defaultdict(list)
    for dossier_id, nis in MunicipalityChoice.objects.filter(dossier_id__in=ids).values_list(
        "dossier_id", "municipality_id"
    ):
        choices[dossier_id].append(nis)
    secondaries: dict[int, list[str]] = defaultdict(list)
    for dossier_id, company in DossierShare.objects.filter(
        dossier_id__in=ids, is_primary=False
    ).values_list("dossier_id", "company__company_id"):
        secondaries[dossier_id].append(company)
    rows = (
        Dossier.objects.filter(id__in=ids)
        .order_by("number")
        .values_list(
            "id",
            "number",
            "registration_date",
            "status",
            "primary_landlord__company_id",
            "dwelling_types",
            "other_preferences",
            "content_source",
            "merged_from",
        )
    )
    for did, number, reg, status, primary, types, other, source, merged in rows:
        out_members = []
        for role, insz, since in sorted(members[did], key=lambda m: (ROLE_ORDER[m[0]], m[1])):
            entry: dict[str, Any] = {"insz": insz, "role": role}
            if role != "co_resident" and since is not None:
                entry["waiting_since"] = since.isoformat()
            out_members.append(entry)
        preferences: dict[str, Any] = {
            "municipalities": sorted(choices[did]),
            "dwelling_types": sorted(types or []),
        }
        if other:
            preferences["other"] = other
        yield (
            orjson.dumps(
                {
                    "dossier_number": number,
                    "registration_date": reg.isoformat() if reg else None,
                    "status": status,
                    "primary_landlord": primary,
                    "secondary_landlords": sorted(secondaries[did]),
                    "members": out_members,
                    "preferences": preferences,
                    "content_source": source,
                    "merged_from": sorted(merged, key=lambda m: (m["landlord_id"], m["dossier_id"]))
                    if merged
                    else None,
                }
            )
            + b"\n"
        )
