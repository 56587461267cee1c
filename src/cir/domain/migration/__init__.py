"""Data migration (invlechting): the pure-Python rules, without Django.

Read an input folder with :func:`read_inputs`, plan with :func:`plan_migration`, and write the
:class:`MigrationPlan` in one transaction (the caller's job). :func:`plan_to_export_lines` gives
the migrated dossiers in the ``cir export-register`` shape.

The rules and the national-number checks run compiled (mypyc) when a fresh build of them
exists; see :mod:`cir.compiled`.
"""

from cir.compiled import activate

COMPILED = activate(__name__, __path__)

from .errors import MalformedInput, MigrationError, TooManyDossiersOnDate, mask_insz
from .inputs import (
    Company,
    Landlord,
    LegacyDossier,
    Member,
    MigrationInputs,
    Person,
    Preferences,
    Progress,
    RentPremium,
    read_inputs,
    schema,
    validate_report,
)
from .rules import (
    MigrationPlan,
    MigrationPlanner,
    PersonToCreate,
    PlannedDossier,
    PlannedMember,
    RentPremiumOutcome,
    add_years,
    export_date_of,
    plan_migration,
    plan_to_export_lines,
    rent_premium_outcome,
)

__all__ = [
    "Company",
    "Landlord",
    "LegacyDossier",
    "MalformedInput",
    "Member",
    "MigrationError",
    "MigrationInputs",
    "MigrationPlan",
    "MigrationPlanner",
    "Person",
    "PersonToCreate",
    "PlannedDossier",
    "PlannedMember",
    "Preferences",
    "Progress",
    "RentPremium",
    "RentPremiumOutcome",
    "TooManyDossiersOnDate",
    "add_years",
    "export_date_of",
    "mask_insz",
    "plan_migration",
    "plan_to_export_lines",
    "read_inputs",
    "rent_premium_outcome",
    "schema",
    "validate_report",
]
