"""What the migration plans to create: the new dossiers, their members and the persons.

These are msgspec structures (cheap to make by the hundred thousand, and to encode). They live
apart from the rules, which may run compiled (:mod:`cir.compiled`): a compiled module keeps only
erased annotations, which msgspec could not use to check or decode these structures.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec

from .inputs import Role

DossierKey = tuple[str, str]


class PlannedMember(msgspec.Struct, gc=False):
    """A member of a new dossier; ``waiting_since`` (individual waiting time) for candidates."""

    insz: str
    role: Role
    waiting_since: date | None


class PlannedDossier(msgspec.Struct, gc=False):
    """A dossier the migration creates (status REG, pending the one-time actualisation)."""

    number: str
    registration_date: date
    status: str
    primary_company_id: str
    secondary_company_ids: tuple[str, ...]
    members: tuple[PlannedMember, ...]
    municipalities: tuple[str, ...]
    dwelling_types: tuple[str, ...]
    other: dict[str, Any] | None
    housing_situation: str | None
    contact: dict[str, Any] | None
    content_source: DossierKey
    merged_from: tuple[DossierKey, ...]
    split: bool


class PersonToCreate(msgspec.Struct, gc=False):
    """A person of a new dossier; names and birth date are ``None`` when not in the extract."""

    insz: str
    first_name: str | None
    last_name: str | None
    birth_date: date | None
    domicile_nis: str | None
