"""The rules of the data migration (invlechting), from ``docs: shared/domain/migration.md``.

:func:`plan_migration` turns validated inputs into a :class:`MigrationPlan`: the dossiers to
create, the persons to create and the report. It writes nothing; the caller writes the plan in
one transaction, so an error raised here leaves the register untouched.

Decisions where migration.md is silent (each is repeated at the code it governs):

- *Export date* (rule 7, "registration after the export date"): the latest ``last_modified`` of
  all input lines, but never later than the reference date. The export cannot be older than its
  newest change, and no export is made after the run that reads it; the cap keeps one absurd
  ``last_modified`` (2099) from hiding every future registration.
- *Impossible dates* also covers a candidate whose effective ``member_since`` (defaulting to the
  registration date) precedes the birth date; a co-resident is judged only on an explicit
  ``member_since``, because a child born after the registration is normal. Birth dates come from
  the population extract; a member missing from it is not judged.
- *Quarantine reasons* are tried in the order duplicate_dossier, unknown_landlord, bad_members,
  invalid_insz, impossible_dates; a dossier is quarantined once, with the first that applies.
- *bad_members*: not exactly one applicant, more than one partner, or one national number listed
  twice in the same dossier.
- *Domicile municipality* of the dossier (rules 2 and 3): for a couple, the applicant's of the most
  recent source, else the partner's (as migration.md says); "unknown" means no population line or
  a null ``domicile_nis``. Rule 4 adds the Flemish domicile of *every* candidate, because the
  rent premium is individual and needs each candidate registered for their own domicile.
- *Flanders* is the union of the operating areas (they cover Flanders, rules.md section 1).
- Rule 3.3 with several local-authority sources uses the most recent one's municipality.
- *Rent premium* (rule 6): only a claimant who is a candidate of the dossier that names them
  counts; ``was_claimant`` is true when the person is named claimant in any of their sources.
- *Identity warnings*: the national register extract is the only place with names and birth
  dates, so "different names or birth dates at different landlords" shows up as several
  population lines for one number (the first line is used); "same name and birth date" compares
  case-folded, trimmed names. The population has no sex field, so the sex digits cannot be
  compared with anything; stdnum folds the BIS month offsets that encode whether the sex is known.
  Birth-date and duplicate-identity warnings cover the persons that appear in any legacy dossier.
- Sequence numbers are drawn per date from ``random.Random(f"{seed}:{date}")``: reproducible,
  independent of hash randomisation and of how many dossiers other dates have. Within one date
  the dossiers are taken in the order of their candidates' national numbers.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Any, Literal

from .errors import TooManyDossiersOnDate
from .inputs import (
    Company,
    Landlord,
    LegacyDossier,
    Member,
    MigrationInputs,
    Person,
    Role,
    gc_paused,
    validate_report,
)
from .insz import InszOracle
from .pacing import EVERY, let_threads_run
from .planned import PersonToCreate, PlannedDossier, PlannedMember

Outcome = Literal["continues", "loses_entitlement", "new_claimant", "not_yet_entitled"]
QuarantineReason = Literal[
    "invalid_insz", "unknown_landlord", "bad_members", "duplicate_dossier", "impossible_dates"
]

STATUS_AFTER_MIGRATION = "REG"
MAX_SEQUENCE = 9999
SCREEN_PART = 16 * EVERY
"""Dossiers :meth:`MigrationPlanner.screening` screens between two of its pauses (a multiple
of :data:`EVERY`: it pauses where the loop lets the threads run)."""
RENT_PREMIUM_YEARS = 4


@dataclass(slots=True)
class RentPremiumOutcome:
    """Rule 6: what happens to one split candidate's rent premium; each gets the letter."""

    insz: str
    dossier_number: str
    was_claimant: bool
    waiting_since: date
    outcome: Outcome
    entitled_from: date


@dataclass(slots=True, eq=False)
class MigrationPlan:
    """Everything the writer needs; dossiers sorted by number, persons by national number.

    Two plans are equal when all of that is, persons included."""

    dossiers: list[PlannedDossier]
    rent_premium: list[RentPremiumOutcome]
    report: dict[str, Any]
    export_date: date
    planner: MigrationPlanner

    @property
    def persons(self) -> list[PersonToCreate]:
        """The persons to create, made when first asked for: the migration's writer makes
        their rows from the population extract directly, and the report needs only their
        numbers (:meth:`MigrationPlanner.persons_to_create`)."""
        return self.planner.persons_to_create()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MigrationPlan):
            return NotImplemented
        return (
            self.dossiers == other.dossiers
            and self.rent_premium == other.rent_premium
            and self.report == other.report
            and self.export_date == other.export_date
            and self.persons == other.persons
        )

    @property
    def letters(self) -> list[RentPremiumOutcome]:
        """The candidates who receive the migration letter (all with a rule-6 outcome)."""
        return self.rent_premium


class _Source:
    """A legacy dossier that survived quarantine, with what the rules ask of it."""

    __slots__ = ("applicant", "co_residents", "dossier", "kh", "landlord", "partner")

    def __init__(
        self,
        dossier: LegacyDossier,
        landlord: Landlord,
        applicant: str,
        partner: str | None,
        co_residents: tuple[str, ...],
    ) -> None:
        self.dossier = dossier
        self.landlord = landlord
        self.applicant = applicant
        self.partner = partner
        self.co_residents = co_residents
        self.kh: tuple[str, ...] = (
            (applicant,) if partner is None else tuple(sorted((applicant, partner)))
        )


class _Draft:
    """A new dossier before it is built: its candidates, sources, date and (rule 5) number."""

    __slots__ = ("candidates", "number", "registration_date", "sources", "split")

    def __init__(self, candidates: tuple[str, ...], sources: list[_Source], split: bool) -> None:
        self.candidates = candidates
        self.sources = sources
        self.split = split
        # Rule 5.1: the oldest registration date of the merged dossiers.
        self.registration_date: date = min(s.dossier.registration_date for s in sources)
        self.number = ""


def add_years(start: date, years: int) -> date:
    """``start`` plus whole years; 29 February becomes 1 March in a year without it.

    Someone who started waiting on 29 February has not waited the full years before the last
    day of February has passed, so the threshold is the day after 28 February. With a 4-year
    threshold this matters only around 2100, which is not a leap year.
    """
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return date(start.year + years, 3, 1)


def rent_premium_outcome(was_claimant: bool, waiting_since: date, reference_date: date) -> Outcome:
    """Rule 6 table: the claimant keeps or loses it; another candidate gets it now or later."""
    entitled = add_years(waiting_since, RENT_PREMIUM_YEARS) <= reference_date
    if was_claimant:
        return "continues" if entitled else "loses_entitlement"
    return "new_claimant" if entitled else "not_yet_entitled"


def export_date_of(dossiers: Sequence[LegacyDossier], reference_date: date) -> date:
    """The date the legacy export is taken to be made (see the module docstring)."""
    latest = max((d.last_modified for d in dossiers), default=reference_date)
    return min(latest, reference_date)


def _most_recent(sources: Sequence[_Source]) -> _Source:
    """Latest registration_date, then latest last_modified, then smallest (landlord, dossier).

    Compared within one group's few sources when asked, rather than ranked once over all
    sources: a global sort of millions of sources costs more than all the questions."""
    most = sources[0]
    for at in range(1, len(sources)):
        if _more_recent(sources[at].dossier, most.dossier):
            most = sources[at]
    return most


def _more_recent(a: LegacyDossier, b: LegacyDossier) -> bool:
    """Whether ``a`` comes before ``b`` in :func:`_most_recent`'s order. Compared field by
    field when asked: a key tuple per source, made for every source during the screening,
    held some 60 MB for flanders, and most sources are never compared."""
    if a.registration_date != b.registration_date:
        return a.registration_date > b.registration_date
    if a.last_modified != b.last_modified:
        return a.last_modified > b.last_modified
    return (a.landlord_id, a.dossier_id) < (b.landlord_id, b.dossier_id)


def _where(dossier: LegacyDossier) -> str:
    return f"{dossier.file}:{dossier.line}"


def _root(parent: list[int], i: int) -> int:
    """Rule 1's union-find: the root of ``i``'s group, halving the path on the way."""
    root = i
    while parent[root] != root:
        root = parent[root]
    while parent[i] != root:
        parent[i], i = root, parent[i]
    return root


class MigrationPlanner:
    """One run of the rules; the state lives here so the steps stay small.

    :func:`plan_migration` runs it whole. A writer that wants to start early calls the steps
    itself: :meth:`screen` or :meth:`screening` (rule 7; the persons to create are known then,
    in the order :meth:`persons_in_input_order` gives them their ids), :meth:`number_all`
    (group and number; optional, :meth:`build_all` does it otherwise), :meth:`build_all` (the
    dossiers one by one, in the order of their groups) and :meth:`finish` (rule 6 and the
    report). Either way the plan is the same."""

    def __init__(
        self,
        inputs: MigrationInputs,
        reference_date: date,
        seed: int,
        taken_numbers: Iterable[str] = frozenset(),
    ) -> None:
        self.inputs = inputs
        self.reference_date = reference_date
        self.seed = seed
        self.taken_numbers = taken_numbers
        self.oracle = InszOracle()
        self.companies: dict[str, Company] = {c.company_id: c for c in inputs.companies}
        self.area_of: dict[str, str] = {
            nis: c.company_id for c in inputs.companies for nis in c.municipalities
        }
        self.persons: dict[str, Person] = first_population_lines(inputs.population)
        self.export_date = export_date_of(inputs.dossiers, reference_date)
        self.quarantine: list[dict[str, Any]] = []
        self.dropped: list[dict[str, Any]] = []
        self.sources: list[_Source] = []
        self.candidate_index: dict[str, int] = {}
        """Every candidate of a source, by national number: its place in the screening's
        lists of waiting dates and of groups (rule 1's union-find)."""
        self._since: list[date] = []
        self._parent: list[int] = []
        self._first_of: list[int] = []
        """For each source, the place of one of its candidates."""
        self._found: list[str] = []
        """The candidates found since :meth:`screening` last paused, in the order of
        :attr:`candidate_index`."""
        self.waiting_since: dict[str, date] = {}
        """Rule 5's individual waiting time of every candidate (its start): made from the
        screening's lists once the dossiers are numbered (:meth:`build_all`)."""
        self.drafts: list[_Draft] = []
        self.split_groups = 0
        self._person_numbers: list[str] | None = None
        self._created: list[PersonToCreate] | None = None
        self._in_input: set[str] | None = None
        self.co_residents: dict[str, None] = {}
        """The valid co-residents of the sources, gathered by the screening for
        :meth:`person_numbers`, in the order it finds them (a dict: ordered, unlike a set)."""
        self.dossiers: list[PlannedDossier] = []
        self.numbered = False
        self.built = False

    # Rule 7 -------------------------------------------------------------------------------

    def screen(self) -> None:
        """Quarantine what cannot be migrated; keep the rest as sources, in input order."""
        for _found in self.screening():
            pass

    def screening(self) -> Iterator[list[str]]:
        """:meth:`screen`, pausing every :data:`SCREEN_PART` dossiers and once at the end to
        give the candidates found since the last pause, in the order of
        :attr:`candidate_index` (the order :meth:`persons_in_input_order` starts with).

        A candidate stays one once found (a dossier is quarantined, or not, before its members
        are taken), so a writer can load their persons while the rest is screened; the
        co-residents who are no candidate are known only at the end
        (:meth:`co_residents_only`)."""
        dossiers = self.inputs.dossiers
        # Duplicates are rare: one pass with a dict finds them (by the position of each line),
        # and only their lines are listed.
        # By landlord, then by dossier id: no tuple to make per dossier, and small dicts.
        first_at: dict[str, dict[str, int]] = {}
        duplicated: dict[int, list[str]] = {}
        for at, dossier in enumerate(dossiers):
            if not at % EVERY:
                let_threads_run()
            of_landlord = first_at.get(dossier.landlord_id)
            if of_landlord is None:
                of_landlord = first_at[dossier.landlord_id] = {}
            known = of_landlord.setdefault(dossier.dossier_id, at)
            if known != at:
                lines = duplicated.setdefault(known, [_where(dossiers[known])])
                lines.append(_where(dossier))
                duplicated[at] = lines
        # The first question about a national number comes now: the helper has had the reading
        # and the pass above to work out its answers.
        helper = self.inputs.helper
        if helper is not None:
            helper.give_answers(self.oracle, self.persons)
        screen_one = self._screen_one
        for at, dossier in enumerate(dossiers):
            if not at % EVERY:
                let_threads_run()
                if not at % SCREEN_PART and self._found:
                    found, self._found = self._found, []
                    yield found
            if duplicated and at in duplicated:
                lines = duplicated[at]
                self._quarantine(
                    dossier,
                    "duplicate_dossier",
                    f"({dossier.landlord_id}, {dossier.dossier_id}) appears on "
                    f"{len(lines)} lines: {', '.join(lines)}",
                )
                continue
            screen_one(dossier)
        found, self._found = self._found, []
        yield found

    def _quarantine(self, dossier: LegacyDossier, reason: QuarantineReason, detail: str) -> None:
        self.quarantine.append(
            {
                "landlord_id": dossier.landlord_id,
                "dossier_id": dossier.dossier_id,
                "reason": reason,
                "detail": detail,
                "file": dossier.file,
                "line": dossier.line,
            }
        )

    def _screen_one(self, dossier: LegacyDossier) -> None:
        landlord = self.inputs.landlords.get(dossier.landlord_id)
        if landlord is None:
            self._quarantine(
                dossier,
                "unknown_landlord",
                f"landlord {dossier.landlord_id} is not in landlords.json",
            )
            return
        # One pass over the members gathers what the checks below ask, in their order.
        members = dossier.members
        applicants = partners = 0
        applicant = ""
        partner: str | None = None
        co_residents: list[str] = []
        invalid_co_residents: list[str] = []
        valid = self.oracle.is_valid
        for member in members:
            role = member.role
            insz = member.insz
            if role == "applicant":
                applicants += 1
                applicant = insz
            elif role == "partner":
                partners += 1
                partner = insz
            elif valid(insz):
                co_residents.append(insz)
            else:
                invalid_co_residents.append(insz)
        problem = self._members_problem(members, applicants, partners)
        if problem is not None:
            self._quarantine(dossier, "bad_members", problem)
            return
        # The candidates' persons are looked up once, for their verdicts and the dates' check.
        persons = self.persons
        valid_found = self.oracle.is_valid_found
        applicant_person = persons.get(applicant)
        partner_person = persons.get(partner) if partner is not None else None
        for role, number, person in (
            ("applicant", applicant, applicant_person),
            ("partner", partner, partner_person),
        ):
            if number is not None and not valid_found(number, persons, person is not None):
                self._quarantine(
                    dossier,
                    "invalid_insz",
                    f"{role} {number} is not a valid national or BIS number",
                )
                return
        problem = self._dates_problem(dossier, applicant_person, partner_person)
        if problem is not None:
            self._quarantine(dossier, "impossible_dates", problem)
            return
        for insz in invalid_co_residents:
            self.dropped.append(
                {
                    "landlord_id": dossier.landlord_id,
                    "dossier_id": dossier.dossier_id,
                    "insz": insz,
                    "file": dossier.file,
                    "line": dossier.line,
                }
            )
        # The candidates' waiting dates (the oldest of their sources) and rule 1's groups are
        # gathered here, with one dict operation per candidate: at x10 every lookup in a dict
        # of millions of national numbers is a trip to memory, and the grouping then needs
        # none. The couple of a source joins one group.
        index = self.candidate_index
        since_of = self._since
        parent = self._parent
        first = -1
        for member in members:
            if member.role != "co_resident":
                since = member.member_since or dossier.registration_date
                new = len(parent)
                at = index.setdefault(member.insz, new)
                if at == new:
                    parent.append(new)
                    since_of.append(since)
                    self._found.append(member.insz)
                elif since < since_of[at]:
                    since_of[at] = since
                if first < 0:
                    first = at
                else:
                    a, b = _root(parent, first), _root(parent, at)
                    if a != b:
                        parent[max(a, b)] = min(a, b)
        self._first_of.append(first)
        if co_residents:
            gathered = self.co_residents
            for insz in co_residents:
                gathered[insz] = None
        self.sources.append(_Source(dossier, landlord, applicant, partner, tuple(co_residents)))

    @staticmethod
    def _members_problem(members: Sequence[Member], applicants: int, partners: int) -> str | None:
        if applicants == 0:
            return "no applicant"
        if applicants > 1:
            return f"{applicants} applicants"
        if partners > 1:
            return f"{partners} partners"
        # Most legacy dossiers have one member: no set to build for them.
        if len(members) > 1 and len({m.insz for m in members}) != len(members):
            numbers = Counter(m.insz for m in members)
            twice = min(insz for insz, n in numbers.items() if n > 1)
            return f"national number {twice} is listed {numbers[twice]} times"
        return None

    def _dates_problem(
        self, dossier: LegacyDossier, applicant: Person | None, partner: Person | None
    ) -> str | None:
        """``applicant`` and ``partner``: their persons (from the population), looked up
        already."""
        if dossier.registration_date > self.export_date:
            return (
                f"registration_date {dossier.registration_date.isoformat()} is after the "
                f"export date {self.export_date.isoformat()}"
            )
        persons = self.persons
        for member in dossier.members:
            # A date, or UNSET (false) when the line leaves it out; most co-residents have
            # none, and then nothing to check (and no person to look up).
            since: date | None = member.member_since or None
            role = member.role
            if since is None:
                if role == "co_resident":
                    continue
                since = dossier.registration_date
            if role == "applicant":
                person = applicant
            elif role == "partner":
                person = partner
            else:
                person = persons.get(member.insz)
            if person is not None and since < person.birth_date:
                return (
                    f"{member.role} {member.insz}: member_since {since.isoformat()} is before "
                    f"the birth date {person.birth_date.isoformat()}"
                )
        return None

    # Rule 1 -------------------------------------------------------------------------------

    def group(self) -> tuple[list[_Draft], int]:
        """Connected groups of candidates; returns the drafts and the number of split groups.

        The screening joined the candidates of each source already (:meth:`_screen_one`); the
        groups come in the order of their first source."""
        parent = self._parent
        first_of = self._first_of
        groups: dict[int, list[_Source]] = {}
        for at, source in enumerate(self.sources):
            if not at % EVERY:
                let_threads_run()
            groups.setdefault(_root(parent, first_of[at]), []).append(source)
        drafts: list[_Draft] = []
        split_groups = 0
        for at, members in enumerate(groups.values()):
            if not at % EVERY:
                let_threads_run()
            # One household in all its sources (most groups): no set of them to make.
            kh = members[0].kh
            if all(s.kh == kh for s in members):
                drafts.append(_Draft(kh, members, split=False))
                continue
            split_groups += 1
            of_candidate: dict[str, list[_Source]] = defaultdict(list)
            for source in members:
                for insz in source.kh:
                    of_candidate[insz].append(source)
            for insz in sorted(of_candidate):
                drafts.append(_Draft((insz,), of_candidate[insz], split=True))
        return drafts, split_groups

    # Rules 2-4 and the waiting time of rule 5 ---------------------------------------------

    def domicile(self, draft: _Draft) -> str | None:
        """The dossier's domicile: a couple's is the applicant's of the most recent source."""
        if len(draft.candidates) == 1:
            return self._domicile_of(draft.candidates[0])
        first = _most_recent(draft.sources).applicant
        second = draft.candidates[1] if draft.candidates[0] == first else draft.candidates[0]
        known = self._domicile_of(first)
        return known if known is not None else self._domicile_of(second)

    def _domicile_of(self, insz: str) -> str | None:
        person = self.persons.get(insz)
        return person.domicile_nis if person is not None else None

    @staticmethod
    def content_source(sources: list[_Source], domicile_company: str | None) -> _Source:
        """Rule 2."""
        if domicile_company is not None:
            own = [s for s in sources if s.landlord.company_id == domicile_company]
            if len(own) == 1:
                return own[0]
            if own:
                of_shm = [s for s in own if s.landlord.type == "SHM"]
                return _most_recent(of_shm or own)
        for kind in ("SHM", "SVK", "LB"):
            of_kind = [s for s in sources if s.landlord.type == kind]
            if of_kind:
                return _most_recent(of_kind)
        raise AssertionError("a new dossier always has a source")  # pragma: no cover

    def primary_company(
        self, sources: list[_Source], domicile: str | None, domicile_company: str | None
    ) -> str:
        """Rule 3."""
        if domicile_company is not None and any(
            domicile in s.dossier.preferences.municipalities for s in sources
        ):
            return domicile_company
        of_companies = [s for s in sources if s.landlord.company_id is not None]
        if of_companies:
            company = _most_recent(of_companies).landlord.company_id
            assert company is not None
            return company
        if domicile_company is not None:
            return domicile_company
        municipality = _most_recent(sources).landlord.municipality
        # inputs.read_inputs guarantees a local authority's municipality lies in some area.
        assert municipality is not None
        return self.area_of[municipality]

    def build(self, draft: _Draft) -> PlannedDossier:
        """Rules 1.4, 1.5, 2, 3, 4 and the dates of rule 5, for a numbered draft."""
        sources = draft.sources
        domicile = self.domicile(draft)
        domicile_company = self.area_of.get(domicile) if domicile is not None else None
        content = self.content_source(sources, domicile_company)
        candidates: tuple[str, ...] = draft.candidates
        if len(candidates) == 2:
            applicant = content.applicant
            other = draft.candidates[1] if draft.candidates[0] == applicant else draft.candidates[0]
            candidates = (applicant, other)
        municipalities: set[str] = set()
        dwelling_types: set[str] = set()
        co_residents: set[str] = set()
        # LegacyDossier's fields, not its properties: from compiled code a property is a call
        # into the interpreter, and this runs for every source.
        for source in sources:
            preferences = source.dossier.preferences
            municipalities.update(preferences.municipalities)
            dwelling_types.update(preferences.dwelling_types)
            co_residents.update(source.co_residents)
        for insz in candidates:
            nis = self._domicile_of(insz)
            if nis is not None and nis in self.area_of:
                municipalities.add(nis)
        co_residents.difference_update(candidates)
        primary = self.primary_company(sources, domicile, domicile_company)
        area_of = self.area_of
        secondary = sorted(
            {area_of[m] for m in municipalities if m in area_of} - {primary},
        )
        roles: tuple[Role, Role] = ("applicant", "partner")
        members = [
            PlannedMember(insz, roles[i], self.waiting_since[insz])
            for i, insz in enumerate(candidates)
        ]
        members.extend(PlannedMember(insz, "co_resident", None) for insz in sorted(co_residents))
        legacy = content.dossier
        return PlannedDossier(
            number=draft.number,
            registration_date=draft.registration_date,
            status=STATUS_AFTER_MIGRATION,
            primary_company_id=primary,
            secondary_company_ids=tuple(secondary),
            members=tuple(members),
            municipalities=tuple(sorted(municipalities)),
            dwelling_types=tuple(sorted(dwelling_types)),
            other=legacy.other,
            housing_situation=legacy.housing_situation,
            contact=legacy.contact,
            # LegacyDossier.key, without the property (see above).
            content_source=(legacy.landlord_id, legacy.dossier_id),
            merged_from=tuple(
                sorted((s.dossier.landlord_id, s.dossier.dossier_id) for s in sources)
            ),
            split=draft.split,
        )

    # Rule 5: numbers ----------------------------------------------------------------------

    def number(self, drafts: list[_Draft]) -> None:
        """Give every draft a random free number of its date; check every date first.

        Only the date and the candidates decide a number, so drafts are numbered before they are
        built, and a writer can write what needs only the numbers before the first is built."""
        taken: dict[str, set[int]] = defaultdict(set)
        for number in self.taken_numbers:
            taken[number[:10]].add(int(number[11:]))
        by_date: dict[date, list[_Draft]] = defaultdict(list)
        for at, draft in enumerate(drafts):
            if not at % EVERY:
                let_threads_run()
            by_date[draft.registration_date].append(draft)
        for day in sorted(by_date):
            prefix = day.isoformat().replace("-", ".")
            free = MAX_SEQUENCE - len({n for n in taken.get(prefix, ()) if 1 <= n <= MAX_SEQUENCE})
            if len(by_date[day]) > free:
                raise TooManyDossiersOnDate(day, len(by_date[day]), free)
        for day in sorted(by_date):
            prefix = day.isoformat().replace("-", ".")
            used = taken.get(prefix)
            pool: Sequence[int] = (
                range(1, MAX_SEQUENCE + 1)
                if not used
                else [n for n in range(1, MAX_SEQUENCE + 1) if n not in used]
            )
            on_day = sorted(by_date[day], key=lambda d: d.candidates)
            rng = random.Random(f"{self.seed}:{day.isoformat()}")
            let_threads_run()
            for draft, sequence in zip(on_day, rng.sample(pool, len(on_day)), strict=True):
                draft.number = f"{prefix}.{sequence:04d}"

    # Rule 6 -------------------------------------------------------------------------------

    def rent_premium(self, drafts: list[_Draft]) -> list[RentPremiumOutcome]:
        outcomes: list[RentPremiumOutcome] = []
        for at, draft in enumerate(drafts):
            if not at % EVERY:
                let_threads_run()
            if not draft.split:
                continue
            insz = draft.candidates[0]
            with_premium = [s for s in draft.sources if s.dossier.rent_premium_claimant is not None]
            if not with_premium:
                continue
            was_claimant = any(s.dossier.rent_premium_claimant == insz for s in with_premium)
            since = self.waiting_since[insz]
            outcomes.append(
                RentPremiumOutcome(
                    insz=insz,
                    dossier_number=draft.number,
                    was_claimant=was_claimant,
                    waiting_since=since,
                    outcome=rent_premium_outcome(was_claimant, since, self.reference_date),
                    entitled_from=add_years(since, RENT_PREMIUM_YEARS),
                )
            )
        outcomes.sort(key=lambda o: (o.dossier_number, o.insz))
        return outcomes

    # Persons and identity warnings --------------------------------------------------------

    def person_numbers(self) -> list[str]:
        """The national numbers of the persons to create, in order (made once, after the
        screening): every candidate and every (valid) co-resident of a source.

        These are exactly the members of the new dossiers: each source goes into at least one
        dossier, whose members are its candidates and the co-residents of its sources. The
        screening has them already: the candidates are the keys of :attr:`candidate_index`,
        the co-residents :attr:`co_residents`."""
        if self._person_numbers is None:
            self._person_numbers = sorted(self.co_residents.keys() | self.candidate_index.keys())
        return self._person_numbers

    def persons_in_input_order(self) -> list[str]:
        """The persons of :meth:`person_numbers` in the order the input first names them (after
        the screening): the candidates in the order of :attr:`candidate_index`, then the
        co-residents who are no candidate, in the order of :attr:`co_residents`. As
        deterministic as the input, and without a sort: the writer gives the persons their ids
        in this order, which it gets in parts (the candidates from :meth:`screening`, then
        :meth:`co_residents_only`; decision 0020). The input names a household's members close
        together, as the population extract lists them, and the dossiers are built in the order
        of their first source (decisions 0012 and 0017): so in this order the persons' rows read
        the extract, and the members' rows find the persons' ids, in the order they lie in
        memory, not at random."""
        return [*self.candidate_index, *self.co_residents_only()]

    def co_residents_only(self) -> list[str]:
        """The co-residents of the sources who are no candidate of any, in the order the input
        first names them (after the screening)."""
        candidates = self.candidate_index
        return [insz for insz in self.co_residents if insz not in candidates]

    def persons_to_create(self) -> list[PersonToCreate]:
        """The persons of :meth:`person_numbers` with what the population extract says of them
        (its first line for each: :attr:`persons`), made once, when :attr:`MigrationPlan.persons`
        is first asked for. A writer makes their rows from the numbers and :attr:`persons`
        directly, and the report needs only the numbers, so a migration that writes never makes
        them."""
        if self._created is not None:
            return self._created
        persons = self.persons
        created: list[PersonToCreate] = []
        for at, insz in enumerate(self.person_numbers()):
            if not at % EVERY:
                let_threads_run()
            person = persons.get(insz)
            if person is None:
                created.append(PersonToCreate(insz, None, None, None, None))
            else:
                created.append(
                    PersonToCreate(
                        insz,
                        person.first_name,
                        person.last_name,
                        person.birth_date,
                        person.domicile_nis,
                    )
                )
        self._created = created
        return created

    def identity_warnings(self, numbers: Iterable[str]) -> list[dict[str, Any]]:
        """The identity warnings about the persons to create (``numbers``, in any order) and
        about every national number of the input."""
        warnings: list[dict[str, Any]] = []
        persons = self.persons
        for at, insz in enumerate(numbers):
            if not at % EVERY:
                let_threads_run()
            if insz not in persons:
                warnings.append(
                    {
                        "kind": "not_in_population",
                        "insz": insz,
                        "detail": "not in population.jsonl; migrated with an unknown domicile",
                    }
                )
        helper = self.inputs.helper
        found = helper.identity_warnings() if helper is not None else None
        if found is None:
            found = input_identity_warnings(
                self.persons, self.inputs.population, self.in_input(), self.oracle
            )
        warnings.extend(found)
        warnings.sort(key=lambda w: (w["kind"], w.get("insz", ""), w["detail"]))
        return warnings

    def in_input(self) -> set[str]:
        """Every national number of every input dossier, quarantined or not (made once)."""
        if self._in_input is None:
            numbers: set[str] = set()
            for at, dossier in enumerate(self.inputs.dossiers):
                if not at % EVERY:
                    let_threads_run()
                for member in dossier.members:
                    numbers.add(member.insz)
            self._in_input = numbers
        return self._in_input

    # The run, in three steps ---------------------------------------------------------------

    def number_all(self) -> list[str]:
        """Rules 1 and 5 (group the sources, number the new dossiers), once; the numbers in
        the order :meth:`build_all` builds the dossiers. A writer can write what needs no more
        than a dossier's number before the dossiers are built."""
        if not self.numbered:
            self.drafts, self.split_groups = self.group()
            self.number(self.drafts)
            self.numbered = True
        return [draft.number for draft in self.drafts]

    def build_all(self) -> Iterator[PlannedDossier]:
        """Rules 1 and 5 (:meth:`number_all`, unless called before), then the new dossiers,
        built one by one (rules 2, 3 and 4) in the order of their groups, not of their numbers.

        The groups come in the order of their first legacy dossier in the input, which is the
        order in which the legacy dossiers, their members and their sources lie in memory:
        built in number order, every dossier fetched its sources from somewhere else in a heap
        of a gigabyte or more (decision 0012). :meth:`finish` sorts the plan by number."""
        self.number_all()
        if not self.waiting_since:
            # The places of candidate_index are 0, 1, 2, ... in its order.
            self.waiting_since = dict(zip(self.candidate_index, self._since, strict=True))
        build = self.build
        for draft in self.drafts:
            dossier = build(draft)
            self.dossiers.append(dossier)
            yield dossier
        self.built = True

    def finish(self) -> MigrationPlan:
        """Rule 6, the identity warnings and the report, once every dossier is built."""
        if not self.built:
            raise RuntimeError("finish() before every dossier was built")
        dossiers = self.dossiers
        dossiers.sort(key=attrgetter("number"))  # built in group order (see build_all)
        outcomes = self.rent_premium(self.drafts)
        # The persons themselves are made only when the plan is asked for them: here their
        # numbers are enough, in the order the screening has them (no sort).
        numbers = self.persons_in_input_order()
        warnings = self.identity_warnings(numbers)
        report = self.report(
            dossiers, len(numbers), outcomes, warnings, self.split_groups, len(self.drafts)
        )
        validate_report(report)
        return MigrationPlan(dossiers, outcomes, report, self.export_date, self)

    def run(self) -> MigrationPlan:
        self.screen()
        for _dossier in self.build_all():
            pass
        return self.finish()

    def report(
        self,
        dossiers: list[PlannedDossier],
        person_count: int,
        outcomes: list[RentPremiumOutcome],
        warnings: list[dict[str, Any]],
        split_groups: int,
        drafts: int,
    ) -> dict[str, Any]:
        groups = drafts - sum(1 for d in dossiers if d.split) + split_groups
        candidates = sum(1 for d in dossiers for m in d.members if m.role != "co_resident")
        return {
            "reference_date": self.reference_date.isoformat(),
            "seed": self.seed,
            "export_date": self.export_date.isoformat(),
            "counts": {
                "legacy_dossiers": len(self.inputs.dossiers),
                "persons": person_count,
                "dossiers_created": len(dossiers),
                "groups_split": split_groups,
                "quarantined": len(self.quarantine),
                "co_residents_dropped": len(self.dropped),
                "legacy_dossiers_merged": len(self.sources),
                "groups": groups,
                "candidates": candidates,
                "population_lines": len(self.inputs.population),
                "identity_warnings": len(warnings),
                "rent_premium_outcomes": len(outcomes),
                "migration_letters": len(outcomes),
            },
            "quarantine": self.quarantine,
            "co_residents_dropped": self.dropped,
            "rent_premium": [
                {
                    "insz": o.insz,
                    "dossier_number": o.dossier_number,
                    "was_claimant": o.was_claimant,
                    "waiting_since": o.waiting_since.isoformat(),
                    "outcome": o.outcome,
                    "entitled_from": o.entitled_from.isoformat(),
                }
                for o in outcomes
            ],
            "migration_letters": [
                {"insz": o.insz, "dossier_number": o.dossier_number} for o in outcomes
            ],
            "identity_warnings": warnings,
        }


def first_population_lines(population: Iterable[Person]) -> dict[str, Person]:
    """The first population line of every national number (the one the migration uses)."""
    persons: dict[str, Person] = {}
    for person in population:
        persons.setdefault(person.insz, person)
    return persons


def input_identity_warnings(
    persons: dict[str, Person],
    population: Sequence[Person],
    in_input: set[str],
    oracle: InszOracle,
) -> list[dict[str, Any]]:
    """The identity warnings about the national numbers of the input dossiers (``in_input``):
    conflicting population lines, birth dates the number contradicts, one identity under
    several numbers; in no particular order. ``persons``: :func:`first_population_lines`.

    Needs nothing but the population extract and the numbers, so the migration's helper
    process (:mod:`.helper`) can work it out while the rules run.
    """
    warnings: list[dict[str, Any]] = []
    if len(persons) != len(population):
        warnings.extend(_conflicting_identities(population, in_input))
    is_valid = oracle.is_valid
    birth_parts = oracle.birth_parts
    by_identity: dict[tuple[str, str, date], list[str]] = defaultdict(list)
    for insz in in_input:
        first = persons.get(insz)
        if first is None:
            continue
        born = first.birth_date
        if (
            is_valid(insz)
            # fully encoded and equal (most numbers) cannot contradict: skip the parts check
            and birth_parts(insz) != (born.year, born.month, born.day)
            and oracle.contradicts(insz, born)
        ):
            year, month, day = oracle.birth_parts(insz)
            encoded = "-".join("??" if p is None else f"{p:02d}" for p in (year, month, day))
            warnings.append(
                {
                    "kind": "insz_birth_date_mismatch",
                    "insz": insz,
                    "detail": f"the number encodes birth date {encoded}, the national "
                    f"register extract says {first.birth_date.isoformat()}",
                }
            )
        key = (
            first.first_name.strip().casefold(),
            first.last_name.strip().casefold(),
            first.birth_date,
        )
        by_identity[key].append(insz)
    for (_first, _last, born), numbers in by_identity.items():
        if len(numbers) > 1:
            numbers.sort()
            warnings.append(
                {
                    "kind": "same_identity_different_insz",
                    "insz": numbers[0],
                    "detail": f"{len(numbers)} national numbers share name and birth date "
                    f"{born.isoformat()}: {', '.join(numbers)}",
                }
            )
    return warnings


def _conflicting_identities(
    population: Sequence[Person], in_input: set[str]
) -> list[dict[str, Any]]:
    """One national number on several population lines with different identities."""
    lines: dict[str, list[Person]] = defaultdict(list)
    for person in population:
        if person.insz in in_input:
            lines[person.insz].append(person)
    warnings: list[dict[str, Any]] = []
    for insz, found in lines.items():
        first, *others = found
        identity = (first.first_name, first.last_name, first.birth_date)
        conflicting = [p for p in others if (p.first_name, p.last_name, p.birth_date) != identity]
        if conflicting:
            described = "; ".join(
                f"line {p.line}: {p.first_name} {p.last_name} {p.birth_date.isoformat()}"
                for p in (first, *conflicting)
            )
            warnings.append(
                {
                    "kind": "insz_conflicting_identity",
                    "insz": insz,
                    "detail": f"population.jsonl gives different identities ({described}); "
                    f"line {first.line} is used",
                }
            )
    return warnings


def plan_migration(
    inputs: MigrationInputs,
    reference_date: date,
    seed: int,
    taken_numbers: Iterable[str] = frozenset(),
) -> MigrationPlan:
    """Apply rules 1-7 of migration.md to validated inputs; write nothing.

    ``taken_numbers`` are dossier numbers already in the register (``jjjj.mm.dd.xxxx``); the
    migration never reuses them. Raises :class:`TooManyDossiersOnDate` before returning
    anything when a date would need more than 9999 numbers.
    """
    with gc_paused():
        return MigrationPlanner(inputs, reference_date, seed, taken_numbers).run()


def plan_to_export_lines(plan: MigrationPlan) -> list[dict[str, Any]]:
    """The migrated dossiers in the ``register-dossier.schema.json`` shape, by dossier number."""
    with gc_paused():
        return [_export_line(d) for d in sorted(plan.dossiers, key=lambda d: d.number)]


def _export_line(dossier: PlannedDossier) -> dict[str, Any]:
    members: list[dict[str, Any]] = []
    for member in dossier.members:
        entry: dict[str, Any] = {"insz": member.insz, "role": member.role}
        if member.waiting_since is not None:
            entry["waiting_since"] = member.waiting_since.isoformat()
        members.append(entry)
    preferences: dict[str, Any] = {
        "municipalities": list(dossier.municipalities),
        "dwelling_types": list(dossier.dwelling_types),
    }
    if dossier.other is not None:
        preferences["other"] = dossier.other
    return {
        "dossier_number": dossier.number,
        "registration_date": dossier.registration_date.isoformat(),
        "status": dossier.status,
        "primary_landlord": dossier.primary_company_id,
        "secondary_landlords": list(dossier.secondary_company_ids),
        "members": members,
        "preferences": preferences,
        "content_source": {
            "landlord_id": dossier.content_source[0],
            "dossier_id": dossier.content_source[1],
        },
        "merged_from": [
            {"landlord_id": landlord_id, "dossier_id": dossier_id}
            for landlord_id, dossier_id in dossier.merged_from
        ],
    }
