"""Read and validate the input folder of the data migration.

The folder holds ``operating_areas.json``, ``landlords.json``, ``population.jsonl`` and
``dossiers/*.jsonl`` (read in file-name order). Every file is checked against its JSON Schema
(``schemas/``, the project's copy of the contract) before any rule runs: the first line that is
not JSON or does not fit stops the run with :class:`MalformedInput`, naming file and line.

Beyond the schemas, a date must be a real calendar date (the schema's ``format: date`` is only
advisory in JSON Schema), and the reference files must be coherent: company ids and landlord ids
unique, areas not overlapping, every SHM/SVK naming a known company and every local authority a
municipality inside some operating area. Blank lines in JSON Lines files are skipped.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import fastjsonschema
import orjson

from .errors import MalformedInput
from .helper import Helper, start_helper

Progress = Callable[[str, int, int | None], None]
"""``progress(phase, advance, total)``: ``advance`` lines were read since the last call."""

Role = Literal["applicant", "partner", "co_resident"]
LandlordType = Literal["SHM", "SVK", "LB"]

PROGRESS_EVERY = 20_000

OPERATING_AREAS = "operating_areas.json"
LANDLORDS = "landlords.json"
POPULATION = "population.jsonl"
DOSSIERS = "dossiers"


@dataclass(slots=True)
class Company:
    """A housing company (woonmaatschappij) and its operating area (werkingsgebied)."""

    company_id: str
    name: str
    kbo: str
    municipalities: tuple[str, ...]


@dataclass(slots=True)
class Landlord:
    """A legacy landlord: SHM or SVK (part of ``company_id``) or local authority (LB)."""

    landlord_id: str
    name: str
    type: LandlordType
    company_id: str | None
    municipality: str | None


@dataclass(slots=True)
class Person:
    """One line of the national register extract (``population.jsonl``)."""

    insz: str
    first_name: str
    last_name: str
    birth_date: date
    domicile_nis: str | None
    line: int


@dataclass(slots=True)
class Member:
    """A member of a legacy dossier; ``member_since`` as given (``None`` when absent)."""

    insz: str
    role: Role
    member_since: date | None


@dataclass(slots=True)
class LegacyDossier:
    """One line of ``dossiers/*.jsonl``; ``file`` and ``line`` say where it came from."""

    landlord_id: str
    dossier_id: str
    registration_date: date
    last_modified: date
    members: tuple[Member, ...]
    municipalities: tuple[str, ...]
    dwelling_types: tuple[str, ...]
    other: dict[str, Any] | None
    rent_premium_claimant: str | None
    housing_situation: str | None
    contact: dict[str, Any] | None
    file: str
    line: int

    @property
    def key(self) -> tuple[str, str]:
        return (self.landlord_id, self.dossier_id)


@dataclass(slots=True)
class MigrationInputs:
    """Everything the rules need, read and validated."""

    companies: tuple[Company, ...]
    landlords: dict[str, Landlord]
    population: tuple[Person, ...]
    dossiers: tuple[LegacyDossier, ...]
    helper: Helper | None = None
    """The helper process working beside the reading and the rules (see :mod:`.helper`)."""


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building millions of acyclic objects.

    Every few thousand allocations CPython would otherwise scan the whole growing heap; for the
    flanders profile that costs more time than parsing itself. On the way out the survivors are
    moved to the permanent generation (``gc.freeze``): otherwise the first collections after
    ``gc.enable`` would still walk all of them (about a second each for flanders). Reference
    counting frees them as usual; only cyclic garbage among them would wait for ``gc.unfreeze``.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


@cache
def schema(name: str) -> dict[str, Any]:
    """The project's copy of a JSON Schema, e.g. ``schema("legacy-dossier")``."""
    text = resources.files(f"{__package__}.schemas").joinpath(f"{name}.schema.json").read_bytes()
    loaded: dict[str, Any] = orjson.loads(text)
    return loaded


@cache
def validator(name: str) -> Callable[[Any], Any]:
    """A compiled validator for one schema (fastjsonschema generates Python code once)."""
    # fastjsonschema knows drafts 4-7; these schemas use nothing newer than draft 7.
    definition = dict(schema(name))
    definition["$schema"] = "http://json-schema.org/draft-07/schema#"
    compiled: Callable[[Any], Any] = fastjsonschema.compile(definition)
    return compiled


class _Dates:
    """Parse ISO dates once per distinct string; the shared ``date`` objects also save memory."""

    __slots__ = ("seen",)

    def __init__(self) -> None:
        self.seen: dict[str, date] = {}

    def get(self, text: str, file: str, line: int | None, field: str) -> date:
        found = self.seen.get(text)
        if found is None:
            try:
                found = date.fromisoformat(text)
            except ValueError:
                raise MalformedInput(
                    file, line, f"{field} {text!r} is not a calendar date"
                ) from None
            self.seen[text] = found
        return found


def _load_array(folder: Path, file: str, schema_name: str) -> list[dict[str, Any]]:
    path = folder / file
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise MalformedInput(file, None, "file is missing from the input folder") from None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise MalformedInput(file, exc.lineno, f"not JSON: {exc.msg}") from None
    try:
        validator(schema_name)(data)
    except fastjsonschema.JsonSchemaValueException as exc:
        raise MalformedInput(file, None, _item_message(exc)) from None
    items: list[dict[str, Any]] = data
    return items


def _item_message(exc: fastjsonschema.JsonSchemaValueException) -> str:
    path = exc.message.split(" ", 1)
    # "data[3].kbo must match ..." -> "item 4: .kbo must match ..."
    head = path[0]
    if head.startswith("data[") and "]" in head:
        index = int(head[5 : head.index("]")])
        rest = head[head.index("]") + 1 :] or "item"
        return (
            f"item {index + 1} does not fit the schema: {rest} {path[1] if len(path) > 1 else ''}"
        )
    return f"does not fit the schema: {exc.message}"


# Fast paths: cheap checks that accept only objects the schema accepts too. Whatever they do not
# recognise goes to the compiled schema validator, which either raises with a precise message or
# accepts. A date string is recognised once it has passed the validator and the calendar check.
_PERSON_KEYS = frozenset({"insz", "first_name", "last_name", "birth_date", "domicile_nis"})
_DOSSIER_REQUIRED = frozenset(
    {"landlord_id", "dossier_id", "registration_date", "last_modified", "members", "preferences"}
)
_DOSSIER_ALLOWED = _DOSSIER_REQUIRED | {"rent_premium", "housing_situation", "contact"}
_MEMBER_REQUIRED = frozenset({"insz", "role"})
_MEMBER_ALLOWED = _MEMBER_REQUIRED | {"member_since"}
_PREFERENCES_REQUIRED = frozenset({"municipalities", "dwelling_types"})
_PREFERENCES_ALLOWED = _PREFERENCES_REQUIRED | {"other"}
_PREMIUM_KEYS = frozenset({"claimant_insz"})
_ROLES = frozenset({"applicant", "partner", "co_resident"})
_DWELLING_TYPES = frozenset({"H", "A", "S", "R"})


def _is_digits(value: object, length: int) -> bool:
    # str.isdigit() alone would accept non-ASCII digits; the slow path judges those.
    return type(value) is str and len(value) == length and value.isascii() and value.isdigit()


def _person_fast(obj: Any, seen_dates: dict[str, date]) -> bool:
    if type(obj) is not dict or obj.keys() != _PERSON_KEYS:
        return False
    birth = obj["birth_date"]
    nis = obj["domicile_nis"]
    return (
        _is_digits(obj["insz"], 11)
        and type(obj["first_name"]) is str
        and type(obj["last_name"]) is str
        and type(birth) is str
        and birth in seen_dates
        and (nis is None or _is_digits(nis, 5))
    )


def _members_fast(members: Any, seen_dates: dict[str, date]) -> bool:
    if type(members) is not list or not members:
        return False
    for member in members:
        if type(member) is not dict:
            return False
        member_keys = member.keys()
        if not (member_keys >= _MEMBER_REQUIRED and member_keys <= _MEMBER_ALLOWED):
            return False
        role = member["role"]
        if type(member["insz"]) is not str or type(role) is not str or role not in _ROLES:
            return False
        since = member.get("member_since")
        if since is not None and (type(since) is not str or since not in seen_dates):
            return False
    return True


def _preferences_fast(preferences: Any) -> bool:
    if type(preferences) is not dict:
        return False
    keys = preferences.keys()
    if not (keys >= _PREFERENCES_REQUIRED and keys <= _PREFERENCES_ALLOWED):
        return False
    municipalities = preferences["municipalities"]
    dwelling_types = preferences["dwelling_types"]
    if type(municipalities) is not list or type(dwelling_types) is not list:
        return False
    for nis in municipalities:
        if not _is_digits(nis, 5):
            return False
    for kind in dwelling_types:
        if type(kind) is not str or kind not in _DWELLING_TYPES:
            return False
    return "other" not in preferences or type(preferences["other"]) is dict


def _dossier_fast(obj: Any, seen_dates: dict[str, date]) -> bool:
    if type(obj) is not dict:
        return False
    keys = obj.keys()
    if not (keys >= _DOSSIER_REQUIRED and keys <= _DOSSIER_ALLOWED):
        return False
    landlord_id = obj["landlord_id"]
    dossier_id = obj["dossier_id"]
    registered = obj["registration_date"]
    modified = obj["last_modified"]
    if not (
        type(landlord_id) is str
        and landlord_id
        and type(dossier_id) is str
        and dossier_id
        and type(registered) is str
        and registered in seen_dates
        and type(modified) is str
        and modified in seen_dates
        and _members_fast(obj["members"], seen_dates)
        and _preferences_fast(obj["preferences"])
    ):
        return False
    premium = obj.get("rent_premium")
    if premium is not None and (
        type(premium) is not dict
        or premium.keys() != _PREMIUM_KEYS
        or type(premium["claimant_insz"]) is not str
    ):
        return False
    situation = obj.get("housing_situation")
    if situation is not None and type(situation) is not str:
        return False
    contact = obj.get("contact")
    return contact is None or type(contact) is dict


_FAST_PATHS: dict[str, Callable[[Any, dict[str, date]], bool]] = {
    "person": _person_fast,
    "legacy-dossier": _dossier_fast,
}


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            count += chunk.count(b"\n")
    return count


def _jsonl(
    path: Path,
    file: str,
    schema_name: str,
    phase: str,
    progress: Progress | None,
    total: int | None,
    dates: _Dates,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (1-based line number, validated object) for every non-blank line."""
    check = validator(schema_name)
    fast = _FAST_PATHS[schema_name]
    seen_dates = dates.seen
    loads = orjson.loads
    pending = 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if progress is not None:
                pending += 1
                if pending == PROGRESS_EVERY:
                    progress(phase, pending, total)
                    pending = 0
            if raw.isspace() or not raw:
                continue
            try:
                obj = loads(raw)
            except orjson.JSONDecodeError as exc:
                raise MalformedInput(file, number, f"not JSON: {exc.msg}") from None
            if fast(obj, seen_dates):
                yield number, obj
                continue
            try:
                check(obj)
            except fastjsonschema.JsonSchemaValueException as exc:
                message = exc.message[4:] if exc.message.startswith("data") else exc.message
                raise MalformedInput(
                    file, number, f"does not fit {schema_name}.schema.json: {message.strip()}"
                ) from None
            yield number, obj
    if progress is not None and pending:
        progress(phase, pending, total)


def _read_companies(folder: Path) -> tuple[Company, ...]:
    items = _load_array(folder, OPERATING_AREAS, "operating-areas")
    companies: list[Company] = []
    seen_ids: set[str] = set()
    owner: dict[str, str] = {}
    for position, item in enumerate(items, start=1):
        company_id = item["company_id"]
        if company_id in seen_ids:
            raise MalformedInput(
                OPERATING_AREAS, None, f"item {position}: company_id {company_id!r} repeated"
            )
        seen_ids.add(company_id)
        for nis in item["municipalities"]:
            other = owner.setdefault(nis, company_id)
            if other != company_id:
                raise MalformedInput(
                    OPERATING_AREAS,
                    None,
                    f"item {position}: municipality {nis} is in the areas of both "
                    f"{other} and {company_id}; operating areas do not overlap",
                )
        companies.append(
            Company(
                company_id=sys.intern(company_id),
                name=item["name"],
                kbo=item["kbo"],
                municipalities=tuple(sys.intern(m) for m in dict.fromkeys(item["municipalities"])),
            )
        )
    return tuple(companies)


def _read_landlords(folder: Path, companies: tuple[Company, ...]) -> dict[str, Landlord]:
    items = _load_array(folder, LANDLORDS, "landlords")
    company_ids = {c.company_id for c in companies}
    flemish = {m for c in companies for m in c.municipalities}
    landlords: dict[str, Landlord] = {}
    for position, item in enumerate(items, start=1):
        landlord_id = sys.intern(item["landlord_id"])
        if landlord_id in landlords:
            raise MalformedInput(
                LANDLORDS, None, f"item {position}: landlord_id {landlord_id!r} repeated"
            )
        kind: LandlordType = item["type"]
        company_id = item.get("company_id")
        municipality = item.get("municipality")
        if kind == "LB":
            # A local authority belongs to no housing company, whatever the file says.
            company_id = None
            if municipality not in flemish:
                raise MalformedInput(
                    LANDLORDS,
                    None,
                    f"item {position}: local authority {landlord_id!r} names municipality "
                    f"{municipality}, which is in no operating area",
                )
        elif company_id not in company_ids:
            raise MalformedInput(
                LANDLORDS,
                None,
                f"item {position}: {kind} {landlord_id!r} names company {company_id!r}, "
                f"which is not in {OPERATING_AREAS}",
            )
        landlords[landlord_id] = Landlord(
            landlord_id=landlord_id,
            name=item["name"],
            type=kind,
            company_id=sys.intern(company_id) if company_id is not None else None,
            municipality=sys.intern(municipality) if municipality is not None else None,
        )
    return landlords


def _read_population(folder: Path, progress: Progress | None, dates: _Dates) -> tuple[Person, ...]:
    path = folder / POPULATION
    if not path.is_file():
        raise MalformedInput(POPULATION, None, "file is missing from the input folder")
    total = _count_lines(path) if progress is not None else None
    intern = sys.intern
    persons: list[Person] = []
    for number, obj in _jsonl(path, POPULATION, "person", "population", progress, total, dates):
        nis = obj["domicile_nis"]
        persons.append(
            Person(
                obj["insz"],
                obj["first_name"],
                obj["last_name"],
                dates.get(obj["birth_date"], POPULATION, number, "birth_date"),
                intern(nis) if nis is not None else None,
                number,
            )
        )
    return tuple(persons)


def _read_dossiers(
    folder: Path, progress: Progress | None, dates: _Dates
) -> tuple[LegacyDossier, ...]:
    directory = folder / DOSSIERS
    if not directory.is_dir():
        raise MalformedInput(DOSSIERS, None, "folder is missing from the input folder")
    paths = sorted(directory.glob("*.jsonl"), key=lambda p: p.name)
    total = sum(_count_lines(p) for p in paths) if progress is not None else None
    intern = sys.intern
    dossiers: list[LegacyDossier] = []
    for path in paths:
        file = f"{DOSSIERS}/{path.name}"
        for number, obj in _jsonl(path, file, "legacy-dossier", "dossiers", progress, total, dates):
            members = tuple(
                Member(
                    m["insz"],
                    m["role"],
                    dates.get(m["member_since"], file, number, "member_since")
                    if "member_since" in m
                    else None,
                )
                for m in obj["members"]
            )
            preferences = obj["preferences"]
            premium = obj.get("rent_premium")
            dossiers.append(
                LegacyDossier(
                    intern(obj["landlord_id"]),
                    obj["dossier_id"],
                    dates.get(obj["registration_date"], file, number, "registration_date"),
                    dates.get(obj["last_modified"], file, number, "last_modified"),
                    members,
                    tuple(intern(m) for m in preferences["municipalities"]),
                    tuple(intern(t) for t in preferences["dwelling_types"]),
                    preferences.get("other"),
                    premium["claimant_insz"] if premium is not None else None,
                    obj.get("housing_situation"),
                    obj.get("contact"),
                    file,
                    number,
                )
            )
    return tuple(dossiers)


def read_inputs(folder: str | Path, progress: Progress | None = None) -> MigrationInputs:
    """Read and validate a migration input folder; raise :class:`MalformedInput` on the first
    problem. ``progress(phase, advance, total)`` is called every few thousand lines."""
    root = Path(folder)
    companies = _read_companies(root)
    if progress is not None:
        progress("operating_areas", len(companies), len(companies))
    landlords = _read_landlords(root, companies)
    if progress is not None:
        progress("landlords", len(landlords), len(landlords))
    dates = _Dates()
    helper = start_helper(root)
    try:
        with gc_paused():
            population = _read_population(root, progress, dates)
            if helper is not None:
                helper.ask_answers([p.insz for p in population])
            dossiers = _read_dossiers(root, progress, dates)
    except BaseException:
        if helper is not None:
            helper.close()
        raise
    return MigrationInputs(companies, landlords, population, dossiers, helper)


def validate_report(report: dict[str, Any]) -> None:
    """Raise ``fastjsonschema.JsonSchemaValueException`` if the report breaks its schema."""
    validator("migration-report")(report)
