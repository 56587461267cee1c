"""Build migration inputs in memory or as an input folder, with valid national numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import pytest
from msgspec import UNSET
from stdnum.be import nn

from cir.domain.migration import (
    Company,
    Landlord,
    LegacyDossier,
    Member,
    MigrationInputs,
    MigrationPlan,
    Person,
    Preferences,
    RentPremium,
    plan_migration,
)
from cir.synthetic.legacy import generate_legacy

REFERENCE = date(2024, 1, 2)


@cache
def make_insz(birth: date, serial: int = 1) -> str:
    """A valid national number for ``birth``; the check digits are found by asking stdnum."""
    nine = f"{birth:%y%m%d}{serial:03d}"
    for check in range(100):
        candidate = f"{nine}{check:02d}"
        if nn.is_valid(candidate) and nn.get_birth_date(candidate) == birth:
            return candidate
    raise ValueError(f"no valid national number for {birth} / {serial}")


def invalid_insz(valid: str) -> str:
    """The same number with broken check digits."""
    broken = f"{valid[:9]}{(int(valid[9:]) + 1) % 100:02d}"
    assert not nn.is_valid(broken)
    return broken


@dataclass
class World:
    """Companies WM01 (11001, 11002), WM02 (12001, 12002), WM03 (13001); landlords:
    SHM-1, SVK-1 of WM01; SHM-2, SVK-2 of WM02; SHM-3 of WM03; LB-12002 (in WM02's area)."""

    companies: list[Company] = field(
        default_factory=lambda: [
            Company("WM01", "Een", "0400000001", ("11001", "11002")),
            Company("WM02", "Twee", "0400000002", ("12001", "12002")),
            Company("WM03", "Drie", "0400000003", ("13001",)),
        ]
    )
    landlords: dict[str, Landlord] = field(
        default_factory=lambda: {
            ll.landlord_id: ll
            for ll in [
                Landlord("SHM-1", "Shm een", "SHM", "WM01", None),
                Landlord("SVK-1", "Svk een", "SVK", "WM01", None),
                Landlord("SHM-2", "Shm twee", "SHM", "WM02", None),
                Landlord("SVK-2", "Svk twee", "SVK", "WM02", None),
                Landlord("SHM-3", "Shm drie", "SHM", "WM03", None),
                Landlord("LB-12002", "OCMW", "LB", None, "12002"),
            ]
        }
    )
    population: list[Person] = field(default_factory=list)
    dossiers: list[LegacyDossier] = field(default_factory=list)
    _serial: int = 0

    def person(
        self,
        first_name: str,
        birth: date = date(1985, 7, 30),
        domicile: str | None = "11001",
        *,
        in_population: bool = True,
    ) -> str:
        self._serial += 1
        insz = make_insz(birth, self._serial)
        if in_population:
            line = len(self.population) + 1
            self.population.append(Person(insz, first_name, "Peeters", birth, domicile, line))
        return insz

    def dossier(
        self,
        landlord_id: str,
        dossier_id: str,
        registered: date,
        applicant: str | None,
        partner: str | None = None,
        *,
        co_residents: tuple[str, ...] = (),
        since: dict[str, date] | None = None,
        municipalities: tuple[str, ...] = ("11001",),
        dwelling_types: tuple[str, ...] = ("A",),
        other: dict[str, Any] | None = None,
        claimant: str | None = None,
        modified: date | None = None,
        situation: str | None = None,
        members: tuple[Member, ...] | None = None,
    ) -> LegacyDossier:
        since = since or {}
        if members is None:
            listed: list[Member] = []
            if applicant is not None:
                listed.append(Member(applicant, "applicant", since.get(applicant, UNSET)))
            if partner is not None:
                listed.append(Member(partner, "partner", since.get(partner, UNSET)))
            listed.extend(Member(c, "co_resident", since.get(c, UNSET)) for c in co_residents)
            members = tuple(listed)
        legacy = LegacyDossier(
            landlord_id=landlord_id,
            dossier_id=dossier_id,
            registration_date=registered,
            last_modified=modified or registered,
            members=members,
            preferences=Preferences(
                municipalities, dwelling_types, UNSET if other is None else other
            ),
            rent_premium=None if claimant is None else RentPremium(claimant),
            housing_situation=situation or f"situation of {dossier_id}",
            contact={"email": f"{dossier_id}@example.org"},
            file="dossiers/a.jsonl",
            line=len(self.dossiers) + 1,
        )
        self.dossiers.append(legacy)
        return legacy

    def inputs(self) -> MigrationInputs:
        return MigrationInputs(
            tuple(self.companies),
            dict(self.landlords),
            tuple(self.population),
            tuple(self.dossiers),
        )

    def plan(
        self, reference_date: date = REFERENCE, seed: int = 7, taken: frozenset[str] = frozenset()
    ) -> MigrationPlan:
        return plan_migration(self.inputs(), reference_date, seed, taken)

    def write(self, folder: Path) -> Path:
        """The world as an input folder (the format of legacy-export.md)."""
        (folder / "dossiers").mkdir(parents=True, exist_ok=True)
        (folder / "operating_areas.json").write_bytes(
            orjson.dumps(
                [
                    {
                        "company_id": c.company_id,
                        "name": c.name,
                        "kbo": c.kbo,
                        "municipalities": list(c.municipalities),
                    }
                    for c in self.companies
                ]
            )
        )
        landlords = []
        for ll in self.landlords.values():
            item: dict[str, Any] = {"landlord_id": ll.landlord_id, "name": ll.name, "type": ll.type}
            if ll.type == "LB":
                item["municipality"] = ll.municipality
            else:
                item["company_id"] = ll.company_id
            landlords.append(item)
        (folder / "landlords.json").write_bytes(orjson.dumps(landlords))
        (folder / "population.jsonl").write_bytes(
            b"".join(
                orjson.dumps(
                    {
                        "insz": p.insz,
                        "first_name": p.first_name,
                        "last_name": p.last_name,
                        "birth_date": p.birth_date.isoformat(),
                        "domicile_nis": p.domicile_nis,
                    }
                )
                + b"\n"
                for p in self.population
            )
        )
        (folder / "dossiers" / "a.jsonl").write_bytes(
            b"".join(orjson.dumps(dossier_json(d)) + b"\n" for d in self.dossiers)
        )
        return folder


def dossier_json(d: LegacyDossier) -> dict[str, Any]:
    members: list[dict[str, Any]] = []
    for m in d.members:
        entry: dict[str, Any] = {"insz": m.insz, "role": m.role}
        if m.member_since:
            entry["member_since"] = m.member_since.isoformat()
        members.append(entry)
    preferences: dict[str, Any] = {
        "municipalities": list(d.preferences.municipalities),
        "dwelling_types": list(d.preferences.dwelling_types),
    }
    if d.other is not None:
        preferences["other"] = d.other
    out: dict[str, Any] = {
        "landlord_id": d.landlord_id,
        "dossier_id": d.dossier_id,
        "registration_date": d.registration_date.isoformat(),
        "last_modified": d.last_modified.isoformat(),
        "members": members,
        "preferences": preferences,
        "housing_situation": d.housing_situation,
        "contact": d.contact,
    }
    if d.rent_premium_claimant is not None:
        out["rent_premium"] = {"claimant_insz": d.rent_premium_claimant}
    return out


def dossier_of(plan: MigrationPlan, insz: str) -> Any:
    """The planned dossier where ``insz`` is a candidate."""
    found = [
        d for d in plan.dossiers for m in d.members if m.insz == insz and m.role != "co_resident"
    ]
    assert len(found) == 1, f"{insz} is a candidate in {len(found)} dossiers"
    return found[0]


def demo_input_folder(tmp_path_factory: pytest.TempPathFactory, seed: int) -> Path:
    """The ``demo`` profile's input folder for ``seed``, in a new temporary directory (for a
    module-scoped fixture: generating it takes a second)."""
    folder = tmp_path_factory.mktemp("legacy") / "demo"
    generate_legacy(folder, "demo", seed=seed)
    return folder
