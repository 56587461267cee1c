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
from typing import TYPE_CHECKING, Annotated, Any, Literal

import fastjsonschema
import msgspec
import orjson

from .errors import MalformedInput
from .helper import Helper, start_helper

Progress = Callable[[str, int, int | None], None]
"""``progress(phase, advance, total)``: ``advance`` more of ``total`` are done: items of the
reference files, bytes of population.jsonl and of the dossier files."""

Role = Literal["applicant", "partner", "co_resident"]
LandlordType = Literal["SHM", "SVK", "LB"]
DwellingType = Literal["H", "A", "S", "R"]

PROGRESS_BYTES = 4 << 20
"""Bytes read between two calls of ``progress``: the total is the files' sizes, known at once
(counting their lines first was a pass over every byte of the input)."""

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


# The lines of population.jsonl and of the dossier files are decoded straight into these
# structs, which check the schema's rules while parsing, in C (see _read_population and
# _read_dossiers): no second copy of every person, dossier and member.
# The codes of five and eleven digits are checked in two steps: msgspec checks their length
# while parsing, and the reading checks that they are ASCII digits, all the codes of a file at
# once (_check_person_codes, _check_dossier_codes; decision 0023). A pattern would have msgspec
# call Python's re for each code: 1.6 million calls for flanders, more than half a second.
_Digits5 = Annotated[str, msgspec.Meta(min_length=5, max_length=5)]
_Digits11 = Annotated[str, msgspec.Meta(min_length=11, max_length=11)]
_NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]


class _SetByTheReading:
    """The type msgspec sees for the fields the reading fills in after decoding a line (where
    it came from). msgspec decodes no JSON value into it, so a line that names such a field
    goes to the slow path, whose schema refuses it as an unknown property."""


if TYPE_CHECKING:
    _File = str
    _Line = int
else:
    _File = _Line = _SetByTheReading


class Person(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """One line of the national register extract (``population.jsonl``); ``line`` says which."""

    insz: _Digits11
    first_name: str
    last_name: str
    birth_date: date
    domicile_nis: _Digits5 | None
    line: _Line = 0


class Member(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A member of a legacy dossier; ``member_since`` as given (``UNSET``, which is false, when
    absent: the format allows leaving it out, not null)."""

    insz: str
    role: Role
    member_since: date | msgspec.UnsetType = msgspec.UNSET


class Preferences(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A legacy dossier's preferences: municipalities (NIS codes), dwelling types and others."""

    municipalities: tuple[_Digits5, ...]
    dwelling_types: tuple[DwellingType, ...]
    other: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET


class RentPremium(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """The rent premium (huurpremie) a legacy dossier's household receives, and who claims it."""

    claimant_insz: str


class LegacyDossier(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """One line of ``dossiers/*.jsonl``; ``file`` and ``line`` say where it came from."""

    landlord_id: _NonEmpty
    dossier_id: _NonEmpty
    registration_date: date
    last_modified: date
    members: Annotated[tuple[Member, ...], msgspec.Meta(min_length=1)]
    preferences: Preferences
    rent_premium: RentPremium | None = None
    housing_situation: str | None = None
    contact: dict[str, Any] | None = None
    file: _File = ""
    line: _Line = 0

    @property
    def key(self) -> tuple[str, str]:
        return (self.landlord_id, self.dossier_id)

    @property
    def other(self) -> dict[str, Any] | None:
        other = self.preferences.other
        return None if other is msgspec.UNSET else other

    @property
    def rent_premium_claimant(self) -> str | None:
        premium = self.rent_premium
        return None if premium is None else premium.claimant_insz


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
    """Parse the ISO dates of the slow path once per distinct string, checking each is a
    calendar date (msgspec parses and checks those of the fast path itself)."""

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


# The fast path: msgspec decodes a line straight into typed structs and checks it on the way, in
# C. These structs accept no line that the schema refuses (patterns use [0-9] where the schema
# says \d, a date must be a calendar date, an optional key may be absent but not null unless the
# schema allows null). A line they refuse goes to the slow path: orjson and the compiled schema
# validator, which either raises with a precise message or accepts (the schema is the contract).


def _lines(
    path: Path, phase: str, progress: Progress | None, total: int | None
) -> Iterator[tuple[int, bytes]]:
    """Yield (1-based line number, raw line) for every non-blank line."""
    pending = 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if progress is not None:
                pending += len(raw)
                if pending >= PROGRESS_BYTES:
                    progress(phase, pending, total)
                    pending = 0
            if raw.isspace() or not raw:
                continue
            yield number, raw
    if progress is not None and pending:
        progress(phase, pending, total)


def _checked(raw: bytes, file: str, number: int, schema_name: str) -> dict[str, Any]:
    """The slow path: the line as a dict if the schema accepts it, else MalformedInput."""
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise MalformedInput(file, number, f"not JSON: {exc.msg}") from None
    try:
        validator(schema_name)(obj)
    except fastjsonschema.JsonSchemaValueException as exc:
        message = exc.message[4:] if exc.message.startswith("data") else exc.message
        raise MalformedInput(
            file, number, f"does not fit {schema_name}.schema.json: {message.strip()}"
        ) from None
    checked: dict[str, Any] = obj
    return checked


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


def _ascii_digits(codes: list[str]) -> bool:
    """Whether every code is made of the ASCII digits 0-9 only (checked all at once)."""
    joined = "".join(codes)
    return not joined or (joined.isascii() and joined.isdigit())


def _line_of(path: Path, number: int) -> bytes:
    for at, raw in _lines(path, "", None, None):
        if at == number:
            return raw
    raise AssertionError(f"{path.name} has no line {number}")  # pragma: no cover


def _person_from_dict(obj: dict[str, Any], number: int, dates: _Dates) -> Person:
    """A line that only the slow path accepted (checked against the schema already)."""
    person = Person(
        obj["insz"],
        obj["first_name"],
        obj["last_name"],
        dates.get(obj["birth_date"], POPULATION, number, "birth_date"),
        obj["domicile_nis"],
    )
    person.line = number
    return person


def _check_person_codes(path: Path, persons: list[Person], slow: set[int], dates: _Dates) -> None:
    """The second step of the codes' check, for the persons read so far: a person whose codes
    are not all ASCII digits goes the slow path, as if msgspec had refused its line (the first
    such line that the schema refuses stops the run). ``slow``: the places of the persons that
    came by the slow path already."""
    codes = [p.insz for p in persons]
    codes += [p.domicile_nis for p in persons if p.domicile_nis is not None]
    if _ascii_digits(codes):
        return
    for at, person in enumerate(persons):
        nis = person.domicile_nis
        if at not in slow and not _ascii_digits([person.insz, nis or ""]):
            number = person.line
            obj = _checked(_line_of(path, number), POPULATION, number, "person")
            persons[at] = _person_from_dict(obj, number, dates)
            slow.add(at)


def _read_population(folder: Path, progress: Progress | None, dates: _Dates) -> tuple[Person, ...]:
    path = folder / POPULATION
    if not path.is_file():
        raise MalformedInput(POPULATION, None, "file is missing from the input folder")
    total = path.stat().st_size if progress is not None else None
    decode = msgspec.json.Decoder(Person).decode
    persons: list[Person] = []
    slow: set[int] = set()
    append = persons.append
    for number, raw in _lines(path, "population", progress, total):
        try:
            person = decode(raw)
        except msgspec.MsgspecError:
            try:
                obj = _checked(raw, POPULATION, number, "person")
            except MalformedInput:
                _check_person_codes(path, persons, slow, dates)  # an earlier line first
                raise
            slow.add(len(persons))
            append(_person_from_dict(obj, number, dates))
            continue
        person.line = number
        append(person)
    _check_person_codes(path, persons, slow, dates)
    return tuple(persons)


def dossier_files(folder: Path) -> list[Path]:
    """The dossier files of an input folder, in the order they are read (by name)."""
    return sorted((folder / DOSSIERS).glob("*.jsonl"), key=lambda p: p.name)


def _read_dossiers(
    folder: Path, progress: Progress | None, dates: _Dates
) -> tuple[LegacyDossier, ...]:
    directory = folder / DOSSIERS
    if not directory.is_dir():
        raise MalformedInput(DOSSIERS, None, "folder is missing from the input folder")
    paths = dossier_files(folder)
    total = sum(p.stat().st_size for p in paths) if progress is not None else None
    decode = msgspec.json.Decoder(LegacyDossier).decode
    dossiers: list[LegacyDossier] = []
    append = dossiers.append
    # Values that recur line after line are kept once: the copies msgspec made of them are
    # freed at once, and the next lines' objects take their memory, where holding them took
    # 100 MB more for flanders (fresh memory, which a virtual machine's host may have to find
    # first). Tuples of municipalities (23 000 different ones for 400 000 dossiers) and of
    # dwelling types, the other preferences (a handful of different ones), the landlord's id.
    municipalities: dict[tuple[str, ...], tuple[str, ...]] = {}
    dwellings: dict[tuple[DwellingType, ...], tuple[DwellingType, ...]] = {}
    others: dict[tuple[tuple[str, type, object], ...], dict[str, Any]] = {}
    landlord_id = ""
    for path in paths:
        file = f"{DOSSIERS}/{path.name}"
        first = len(dossiers)
        slow: set[int] = set()
        for number, raw in _lines(path, "dossiers", progress, total):
            try:
                dossier = decode(raw)
            except msgspec.MsgspecError:
                try:
                    obj = _checked(raw, file, number, "legacy-dossier")
                except MalformedInput:
                    _check_dossier_codes(path, dossiers, first, slow, dates)  # an earlier line
                    raise
                slow.add(len(dossiers))
                append(_dossier_from_dict(obj, file, number, dates))
                continue
            dossier.file = file
            dossier.line = number
            if dossier.landlord_id == landlord_id:
                dossier.landlord_id = landlord_id
            else:
                landlord_id = dossier.landlord_id
            preferences = dossier.preferences
            preferences.municipalities = municipalities.setdefault(
                preferences.municipalities, preferences.municipalities
            )
            preferences.dwelling_types = dwellings.setdefault(
                preferences.dwelling_types, preferences.dwelling_types
            )
            other = preferences.other
            if other is not msgspec.UNSET:
                preferences.other = _one_of(others, other)
            append(dossier)
        _check_dossier_codes(path, dossiers, first, slow, dates)
    return tuple(dossiers)


def _one_of(
    seen: dict[tuple[tuple[str, type, object], ...], dict[str, Any]], value: dict[str, Any]
) -> dict[str, Any]:
    """``value``, or an equal dict met before: the same keys in the same order, with values of
    the same types (1 and true are equal in Python, not in JSON); a value that cannot be a
    dictionary key (a list, an object) keeps its own."""
    try:
        key = tuple([(name, type(item), item) for name, item in value.items()])
        return seen.setdefault(key, value)
    except TypeError:
        return value


def _check_dossier_codes(
    path: Path, dossiers: list[LegacyDossier], first: int, slow: set[int], dates: _Dates
) -> None:
    """:func:`_check_person_codes` for the municipalities of the dossiers of one file, read so
    far from the place ``first`` on."""
    codes: list[str] = []
    for at in range(first, len(dossiers)):
        codes.extend(dossiers[at].preferences.municipalities)
    if _ascii_digits(codes):
        return
    for at in range(first, len(dossiers)):
        dossier = dossiers[at]
        if at not in slow and not _ascii_digits(list(dossier.preferences.municipalities)):
            number = dossier.line
            obj = _checked(_line_of(path, number), dossier.file, number, "legacy-dossier")
            dossiers[at] = _dossier_from_dict(obj, dossier.file, number, dates)
            slow.add(at)


def _dossier_from_dict(obj: dict[str, Any], file: str, number: int, dates: _Dates) -> LegacyDossier:
    """A line that only the slow path accepted (checked against the schema already)."""
    members = tuple(
        Member(
            m["insz"],
            m["role"],
            dates.get(m["member_since"], file, number, "member_since")
            if "member_since" in m
            else msgspec.UNSET,
        )
        for m in obj["members"]
    )
    preferences = obj["preferences"]
    premium = obj.get("rent_premium")
    return LegacyDossier(
        obj["landlord_id"],
        obj["dossier_id"],
        dates.get(obj["registration_date"], file, number, "registration_date"),
        dates.get(obj["last_modified"], file, number, "last_modified"),
        members,
        Preferences(
            tuple(preferences["municipalities"]),
            tuple(preferences["dwelling_types"]),
            preferences.get("other", msgspec.UNSET),
        ),
        RentPremium(premium["claimant_insz"]) if premium is not None else None,
        obj.get("housing_situation"),
        obj.get("contact"),
        file,
        number,
    )


def read_inputs(folder: str | Path, progress: Progress | None = None) -> MigrationInputs:
    """Read and validate a migration input folder; raise :class:`MalformedInput` on the first
    problem. ``progress(phase, advance, total)`` is called every few megabytes (see
    :data:`Progress`)."""
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
            dossiers = _read_dossiers(root, progress, dates)
    except BaseException:
        if helper is not None:
            helper.close()
        raise
    return MigrationInputs(companies, landlords, population, dossiers, helper)


def validate_report(report: dict[str, Any]) -> None:
    """Raise ``fastjsonschema.JsonSchemaValueException`` if the report breaks its schema."""
    validator("migration-report")(report)
