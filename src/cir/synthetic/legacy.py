"""Synthetic migration input: the legacy landlords' exports (see shared/formats/legacy-export.md).

``generate_legacy(out_dir, profile)`` writes::

    out_dir/operating_areas.json      the 42 demo housing companies (cir.synthetic.areas)
    out_dir/landlords.json            legacy SHMs and SVKs (2-4 per company) and ~60 LBs
    out_dir/population.jsonl          national register extract, one person per line
    out_dir/dossiers/<landlord>.jsonl legacy dossiers, one file per legacy landlord

Households are generated one at a time and written at once, so memory stays bounded whatever the
profile (x10 is 1.8 M households): only small per-landlord counters and the anomaly schedule live
across households. The same profile and seed give byte-identical files.

The data is realistic on purpose: households registered at one to four landlords near their
domicile, partners that change over the years (so the migration must split), children as
co-residents, adult children who are candidates themselves, people who moved away. On top of that
a small, scheduled number of deliberate anomalies (invalid numbers, duplicate lines, identity
conflicts, impossible dates, ...) exercise every quarantine reason and identity warning; the
returned summary counts them per kind so a test can compare them with the migration report.
"""

from __future__ import annotations

import random
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any, Literal

import orjson

from cir.synthetic.areas import (
    BRUSSELS,
    WALLONIA,
    OperatingArea,
    demo_operating_areas,
    dumps_areas,
    municipalities_by_region,
    municipality_names,
    municipality_weight,
)
from cir.synthetic.persons import Person, PersonFactory, add_years, corrupt_check_digits

Profile = Literal["demo", "flanders", "x10"]
ProgressCallback = Callable[[str, int, int | None], None]

PROFILES: dict[str, int] = {"demo": 800, "flanders": 180_000, "x10": 1_800_000}

# Registrations run from 2005 until the start of the freeze window of the briefing (17 November
# 2023), the moment the landlords exported their dossiers.
FIRST_REGISTRATION = date(2005, 1, 1)
EXPORT_DATE = date(2023, 11, 17)
LOCAL_AUTHORITIES = 60
_PROGRESS_EVERY = 1000
# Check every n-th generated national number with stdnum: a sample is enough to catch an
# arithmetic bug, and checking all of the x10 profile's numbers would cost half a minute.
_VERIFY_EVERY = 16

# Deliberate anomalies: share of households that get one, and the minimum number in any run so
# that even the small demo has every kind.
ANOMALY_RATES: dict[str, float] = {
    "invalid_insz_candidate": 0.001,  # applicant/partner number fails mod-97 -> quarantine
    "invalid_insz_co_resident": 0.001,  # co-resident number fails mod-97 -> dropped
    "duplicate_dossier": 0.0008,  # the same (landlord_id, dossier_id) twice -> quarantine
    "insz_birth_date_mismatch": 0.0005,  # population birth date differs from the number's
    "same_identity_different_insz": 0.0005,  # also registered with a BIS number elsewhere
    "not_in_population": 0.003,  # a member missing from population.jsonl
    "impossible_dates": 0.0003,  # member_since before the member's birth -> quarantine
    "unknown_landlord": 0.0001,  # landlord_id not in landlords.json -> quarantine
    "bad_members": 0.0001,  # no applicant, or two -> quarantine
    "domicile_outside_flanders": 0.01,  # Brussels or Wallonia: no domicile company
    "domicile_unknown": 0.005,  # domicile_nis null
}
ANOMALY_MINIMUM = 2

# Realistic situations (not errors), drawn with these probabilities where they apply.
P_PARTNER_AT_START = 0.42
P_SINGLE_PARENT = 0.15
P_NEW_PARTNER = 0.08  # of households with 2+ registrations: a different partner later
P_PARTNER_NOT_UPDATED = 0.04  # of couples with 2+ registrations: one landlord lacks the partner
P_PARTNER_JOINED_LATER = 0.15  # of couples: partner's member_since after the registration
P_ROLES_SWAPPED = 0.10  # of couples with 2+ registrations: the partner applies at one landlord
P_ADULT_CHILD = 0.03  # an adult child co-resident registers as a candidate too
P_MOVED = 0.05  # domicile moved out of the chosen area
P_RENT_PREMIUM = 0.30  # of households registered 4+ years before the export
P_OLDER_CO_RESIDENT = 0.02  # a parent of the applicant lives in
REGISTRATION_COUNTS = (1, 2, 3, 4)
REGISTRATION_WEIGHTS = (0.28, 0.36, 0.23, 0.13)

_HOUSING_SITUATIONS = (
    "Huurt privaat, te klein.",
    "Huurt privaat, te duur voor het inkomen.",
    "Woont in bij familie.",
    "Woont in bij vrienden na scheiding.",
    "Huurwoning ongeschikt verklaard.",
    "Uithuiszetting aangekondigd.",
    "Woont in een studio, gezin groeit.",
    "Dakloos, verblijft in de nachtopvang.",
    "Huurt privaat, woning niet aangepast aan handicap.",
    "Eigen woning verkocht na scheiding.",
    "Woont op camping.",
    "Huurcontract opgezegd door eigenaar.",
)


@dataclass(slots=True, eq=False)
class _Landlord:
    index: int
    landlord_id: str
    name: str
    type: str  # SHM, SVK or LB
    company: int  # index of the company whose area holds it (for an LB: its municipality's)
    municipality: str | None
    weight: float
    running: int = 0
    per_day: array[int] | None = None

    def record(self, companies: list[OperatingArea]) -> dict[str, str]:
        record = {"landlord_id": self.landlord_id, "name": self.name, "type": self.type}
        if self.type == "LB":
            assert self.municipality is not None
            record["municipality"] = self.municipality
        else:
            record["company_id"] = companies[self.company]["company_id"]
        return record


@dataclass(slots=True)
class _Dossier:
    """One legacy dossier under construction; members are (person, role, member_since)."""

    landlord: _Landlord
    registration: int  # ordinal
    last_modified: int  # ordinal
    members: list[tuple[Person, str, int | None]] = field(default_factory=list)
    municipalities: list[str] = field(default_factory=list)
    dwelling_types: str = ""
    other: dict[str, Any] | None = None
    rent_premium: str | None = None
    housing_situation: str | None = None
    contact: dict[str, str] | None = None
    landlord_id: str | None = None  # set to override (unknown landlord)
    dossier_id: str = ""
    insz_override: dict[str, str] = field(default_factory=dict)
    duplicate: Literal["", "same", "changed"] = ""


class _Generator:
    def __init__(self, out_dir: Path, households: int, seed: int) -> None:
        self.out_dir = out_dir
        self.households = households
        self.rng = random.Random(seed)
        self.areas = demo_operating_areas()
        self.factory = PersonFactory(random.Random(seed * 7919 + 1), verify_every=_VERIFY_EVERY)
        self.anomalies: dict[str, int] = dict.fromkeys(ANOMALY_RATES, 0)
        self.features: dict[str, int] = {
            "single_registration": 0,
            "multiple_registrations": 0,
            "couples": 0,
            "new_partner": 0,
            "partner_not_updated": 0,
            "partner_joined_later": 0,
            "roles_swapped": 0,
            "children": 0,
            "older_co_resident": 0,
            "adult_child_candidate": 0,
            "moved_out_of_chosen_area": 0,
            "rent_premium": 0,
        }
        self.dossier_lines = 0
        self.population_lines = 0
        self.adult_child_households = 0
        self._iso: dict[int, str] = {}
        self._build_landlords()
        self._build_schedule()

    # -- reference data --------------------------------------------------------------------

    def _build_landlords(self) -> None:
        rng = random.Random(f"landlords-{self.rng.random()}")
        names = municipality_names()
        areas = self.areas
        self.company_of: dict[str, int] = {}
        self.position: dict[str, int] = {}
        for c, area in enumerate(areas):
            for pos, nis in enumerate(area["municipalities"]):
                self.company_of[nis] = c
                self.position[nis] = pos
        province = [area["municipalities"][0][0] for area in areas]
        # Areas are contiguous runs within a province, so the previous and next company of the
        # same province are the plausible "neighbouring" companies.
        self.neighbours: list[list[int]] = [
            [n for n in (c - 1, c + 1) if 0 <= n < len(areas) and province[n] == province[c]]
            for c in range(len(areas))
        ]
        landlords: list[_Landlord] = []
        shm = svk = 0
        days = EXPORT_DATE.toordinal() - FIRST_REGISTRATION.toordinal() + 1
        for c, area in enumerate(areas):
            count = rng.choice((2, 2, 3, 3, 3, 4))
            towns = rng.sample(area["municipalities"], min(count, len(area["municipalities"])))
            for i in range(count):
                town = names[towns[i % len(towns)]]
                if i == 0 or rng.random() < 0.5:
                    shm += 1
                    landlords.append(
                        _Landlord(
                            index=len(landlords),
                            landlord_id=f"SHM-{shm:03d}",
                            name=f"Demo-huisvestingsmaatschappij {town}",
                            type="SHM",
                            company=c,
                            municipality=None,
                            weight=rng.uniform(3.0, 8.0),
                            per_day=array("H", bytes(2 * days)),
                        )
                    )
                else:
                    svk += 1
                    landlords.append(
                        _Landlord(
                            index=len(landlords),
                            landlord_id=f"SVK-{svk:03d}",
                            name=f"Demo-sociaal verhuurkantoor {town}",
                            type="SVK",
                            company=c,
                            municipality=None,
                            weight=rng.uniform(1.0, 3.0),
                        )
                    )
        flemish = sorted(self.company_of)
        for nis in sorted(rng.sample(flemish, LOCAL_AUTHORITIES)):
            kind = "OCMW" if rng.random() < 0.6 else "Gemeente"
            landlords.append(
                _Landlord(
                    index=len(landlords),
                    landlord_id=f"LB-{nis}",
                    name=f"Demo-{kind} {names[nis]}",
                    type="LB",
                    company=self.company_of[nis],
                    municipality=nis,
                    weight=rng.uniform(0.3, 1.2),
                )
            )
        self.landlords = landlords
        self.unknown_landlord_ids = [f"SHM-{900 + i}" for i in range(10)]
        # Per home company: the landlords a household of that area plausibly registers with,
        # weighted (own company first, then neighbouring companies, local authorities nearby).
        self.pools: list[tuple[list[_Landlord], list[float]]] = []
        for c in range(len(areas)):
            pool: list[_Landlord] = []
            weights: list[float] = []
            for landlord in landlords:
                if landlord.company == c:
                    factor = 4.0 if landlord.type != "LB" else 3.0
                elif landlord.company in self.neighbours[c]:
                    factor = 0.8 if landlord.type != "LB" else 0.3
                else:
                    continue
                pool.append(landlord)
                weights.append(landlord.weight * factor)
            cumulative = []
            total = 0.0
            for weight in weights:
                total += weight
                cumulative.append(total)
            self.pools.append((pool, cumulative))
        regions = municipalities_by_region()
        self.outside = list(regions[BRUSSELS]) + list(regions[WALLONIA])
        self.flemish = flemish
        self.flemish_cum: list[float] = []
        total = 0.0
        for nis in flemish:
            total += municipality_weight(nis)
            self.flemish_cum.append(total)

    def _build_schedule(self) -> None:
        rng = random.Random(f"schedule-{self.rng.random()}")
        self.schedule: dict[int, list[str]] = {}
        for kind, rate in ANOMALY_RATES.items():
            count = min(self.households, max(ANOMALY_MINIMUM, round(rate * self.households)))
            for index in rng.sample(range(self.households), count):
                self.schedule.setdefault(index, []).append(kind)

    def iso(self, ordinal: int) -> str:
        text = self._iso.get(ordinal)
        if text is None:
            text = self._iso[ordinal] = date.fromordinal(ordinal).isoformat()
        return text

    # -- random helpers ----------------------------------------------------------------------

    def _between(self, start: int, end: int) -> int:
        """A uniform ordinal in ``start..end`` (``start`` when the range is empty)."""
        if end <= start:
            return start
        return start + int(self.rng.random() * (end - start + 1))

    def _flemish_municipality(self) -> str:
        return self.rng.choices(self.flemish, cum_weights=self.flemish_cum)[0]

    def _registration_date(self) -> int:
        # Old dossiers are cleaned up over the years, so recent registrations are more common.
        start = FIRST_REGISTRATION.toordinal()
        span = EXPORT_DATE.toordinal() - start
        return start + int(span * self.rng.random() ** 0.7)

    def _landlords_for(self, home: str, count: int) -> list[_Landlord]:
        pool, cumulative = self.pools[self.company_of[home]]
        chosen: list[_Landlord] = []
        for _ in range(count * 4):
            landlord = self.rng.choices(pool, cum_weights=cumulative)[0]
            if landlord not in chosen:
                chosen.append(landlord)
                if len(chosen) == count:
                    break
        return chosen

    def _preferences(self, landlord: _Landlord, home: str) -> list[str]:
        rng = self.rng
        area = self.areas[landlord.company]["municipalities"]
        home_company = self.company_of[home]
        chosen: list[str] = []
        if landlord.type == "LB":
            assert landlord.municipality is not None
            chosen.append(landlord.municipality)
            nearby = home_company == landlord.company and home != landlord.municipality
            if nearby and rng.random() < 0.6:
                chosen.insert(0, home)
            return chosen
        if home_company == landlord.company:
            anchor = self.position[home]
            if rng.random() < 0.9:
                chosen.append(home)
        else:
            anchor = int(rng.random() * len(area))
            chosen.append(area[anchor])
        for _ in range(int(rng.random() * 4)):
            pos = anchor + rng.choice((-2, -1, 1, 2))
            if 0 <= pos < len(area) and area[pos] not in chosen:
                chosen.append(area[pos])
        if not chosen:
            chosen.append(area[anchor])
        if rng.random() < 0.08 and self.neighbours[landlord.company]:
            other = self.areas[rng.choice(self.neighbours[landlord.company])]["municipalities"]
            extra = other[int(rng.random() * len(other))]
            if extra not in chosen:
                chosen.append(extra)
        return chosen

    def _dwelling_types(self, adults: int, children: int, elderly: bool) -> str:
        rng = self.rng
        if children:
            types = ("H" if rng.random() < 0.8 else "") + ("A" if rng.random() < 0.5 else "")
            return types or "H"
        if adults == 2:
            types = ("H" if rng.random() < 0.5 else "") + ("A" if rng.random() < 0.75 else "")
            return types or "A"
        types = (
            ("H" if rng.random() < 0.1 and not elderly else "")
            + ("A" if rng.random() < 0.75 else "")
            + ("S" if rng.random() < 0.4 else "")
            + ("R" if rng.random() < 0.04 and not elderly else "")
        )
        return types or "A"

    # -- households --------------------------------------------------------------------------

    def household(self, index: int) -> tuple[list[Person], list[_Dossier]]:
        """Persons (for the population) and legacy dossiers of one household (+ adult child)."""
        rng = self.rng
        factory = self.factory
        kinds = self.schedule.get(index, ())
        features = self.features
        export = EXPORT_DATE.toordinal()

        home = self._flemish_municipality()  # where the household wants to live / lived
        domicile: str | None = home
        if "domicile_outside_flanders" in kinds:
            domicile = rng.choice(self.outside)
        elif "domicile_unknown" in kinds:
            domicile = None
        elif rng.random() < P_MOVED:
            features["moved_out_of_chosen_area"] += 1
            while self.company_of.get(domicile or "") == self.company_of[home]:
                domicile = self._flemish_municipality()

        first = self._registration_date()
        count = rng.choices(REGISTRATION_COUNTS, REGISTRATION_WEIGHTS)[0]
        if "same_identity_different_insz" in kinds or "duplicate_dossier" in kinds:
            count = max(count, 2)
        applicant = factory.adult(
            (1935, 2005), adult_on=date.fromordinal(first), domicile_nis=domicile
        )
        persons = [applicant]
        landlords = self._landlords_for(home, count)
        count = len(landlords)
        features["single_registration" if count == 1 else "multiple_registrations"] += 1
        dates = sorted([first] + [self._between(first, export) for _ in range(count - 1)])
        dossiers = [
            _Dossier(landlord=ll, registration=d, last_modified=self._between(d, export))
            for ll, d in zip(landlords, dates, strict=True)
        ]

        # Partner situation.
        partner: Person | None = None
        second: Person | None = None  # the new partner after a break-up
        switch = 0  # ordinal at which partner changes / joins
        situation = "single"
        roll = rng.random()
        if roll < P_PARTNER_AT_START:
            partner = factory.partner_for(applicant, adult_on=date.fromordinal(first))
            persons.append(partner)
            features["couples"] += 1
            situation = "couple"
            # scaled so that about P_NEW_PARTNER of all multi-registration households change
            # partner, nine in ten of them starting as a couple (the rest: "not_updated" below)
            if count >= 2 and rng.random() < P_NEW_PARTNER / P_PARTNER_AT_START * 0.9:
                situation = "new_partner"
            elif count >= 2 and rng.random() < P_PARTNER_NOT_UPDATED:
                situation = "not_updated"
            elif rng.random() < P_PARTNER_JOINED_LATER:
                situation = "joined_later"
        elif count >= 2 and roll < P_PARTNER_AT_START + P_NEW_PARTNER * 0.2:
            # single at first registration, a partner later that one landlord never heard of
            partner = factory.partner_for(applicant, adult_on=date.fromordinal(dates[-1]))
            persons.append(partner)
            features["couples"] += 1
            situation = "not_updated"
        if situation == "new_partner":
            second = factory.partner_for(applicant, adult_on=date.fromordinal(dates[-1]))
            persons.append(second)
            switch = self._between(dates[0] + 1, max(dates[-1], dates[0] + 1))
            features["new_partner"] += 1
        elif situation in ("not_updated", "joined_later"):
            switch = self._between(dates[0] + 1, max(dossiers[-1].last_modified, dates[0] + 1))
            key = "partner_not_updated" if situation == "not_updated" else "partner_joined_later"
            features[key] += 1

        # Children (co-residents), and sometimes a parent of the applicant living in.
        # ("children" also holds an older relative who lives in: every co-resident)
        children: list[Person] = []
        want_children = 0
        has_children = rng.random() < (
            0.5 if partner is not None else P_SINGLE_PARENT / (1 - P_PARTNER_AT_START)
        )
        if has_children:
            want_children = 1 + int(rng.random() * 3)
        adult_child = rng.random() < P_ADULT_CHILD
        if (adult_child or "invalid_insz_co_resident" in kinds) and not want_children:
            want_children = 1
        last_modified = max(d.last_modified for d in dossiers)
        for n in range(want_children):
            try:
                if adult_child and n == 0:
                    child = factory.child(
                        applicant.birth_date,
                        last_name=applicant.last_name,
                        born_before=date(2004, 6, 30),
                        domicile_nis=domicile,
                    )
                else:
                    child = factory.child(
                        applicant.birth_date,
                        last_name=applicant.last_name,
                        born_before=date.fromordinal(last_modified),
                        born_after=date(1990, 1, 1),
                        domicile_nis=domicile,
                    )
            except ValueError:
                continue
            children.append(child)
        elder_wanted = "invalid_insz_co_resident" in kinds or rng.random() < P_OLDER_CO_RESIDENT
        if elder_wanted and (not children or rng.random() < 0.3):
            elder = factory.adult(
                (applicant.birth_date.year - 32, applicant.birth_date.year - 20),
                domicile_nis=domicile,
            )
            children.append(elder)
            features["older_co_resident"] += 1
        if children:
            features["children"] += 1
        persons.extend(children)

        # Members of every dossier.
        elderly = date.fromordinal(first).year - applicant.birth_date.year >= 65
        for j, dossier in enumerate(dossiers):
            members = dossier.members
            # Some landlord software writes member_since even when it equals the registration.
            explicit = dossier.registration if rng.random() < 0.3 else None
            members.append((applicant, "applicant", explicit))
            current = partner
            since: int | None = None
            if situation == "new_partner":
                last = j == len(dossiers) - 1
                if last or (j > 0 and dossier.registration >= switch):
                    current = second
                    if dossier.registration < switch:
                        since = switch
                        dossier.last_modified = max(dossier.last_modified, switch)
                elif j > 0 and dossier.last_modified >= switch and rng.random() < 0.5:
                    current, since = second, switch
            elif situation == "not_updated":
                if j == 0:
                    current = None
                elif dossier.registration < switch:
                    since = switch
                    dossier.last_modified = max(dossier.last_modified, switch)
            elif situation == "joined_later" and dossier.registration < switch:
                since = switch
                dossier.last_modified = max(dossier.last_modified, switch)
            if current is not None:
                members.append((current, "partner", since))
                if situation == "couple" and j > 0 and rng.random() < P_ROLES_SWAPPED:
                    members[0] = (current, "applicant", None)
                    members[1] = (applicant, "partner", None)
                    features["roles_swapped"] += 1
            for child in children:
                born = child.birth_date.toordinal()
                if born <= dossier.last_modified:
                    child_since = born if born > dossier.registration else None
                    members.append((child, "co_resident", child_since))
            if len(members) == 1 and "invalid_insz_co_resident" in kinds and children:
                members.append((children[0], "co_resident", None))
            adults = 2 if current is not None else 1
            kids = sum(1 for m in members if m[1] == "co_resident")
            dossier.dwelling_types = self._dwelling_types(adults, kids, elderly)
            dossier.municipalities = self._preferences(dossier.landlord, home)
            if rng.random() < 0.6:
                dossier.other = {"bedrooms_min": max(1, min(4, kids + (adults > 1)))}
            elif elderly and rng.random() < 0.5:
                dossier.other = {"ground_floor": True}
            if rng.random() < 0.7:
                dossier.housing_situation = rng.choice(_HOUSING_SITUATIONS)
            roll = rng.random()
            if roll < 0.75:
                dossier.contact = applicant.contact()
            elif roll < 0.9:
                # contact details change over the years; landlords keep different versions
                dossier.contact = {"email": applicant.email, "phone": factory.phone()}

        # Rent premium: only for households registered at least four years before the export.
        if first <= add_years(EXPORT_DATE, -4).toordinal() and rng.random() < P_RENT_PREMIUM:
            features["rent_premium"] += 1
            claimant = applicant
            if partner is not None and situation != "not_updated" and rng.random() < 0.25:
                claimant = partner
            for j, dossier in enumerate(dossiers):
                if (j == 0 or rng.random() < 0.7) and any(
                    m[0] is claimant for m in dossier.members
                ):
                    dossier.rent_premium = claimant.insz

        # Adult child who is a candidate in its own right (and co-resident with the parents).
        if adult_child and children and children[0].birth_date < date(2005, 11, 1):
            own = self._adult_child_dossiers(children[0], home, persons)
            if own:
                dossiers.extend(own)
                features["adult_child_candidate"] += 1
                self.adult_child_households += 1

        self._apply_anomalies(kinds, persons, dossiers, applicant, partner, children)
        return persons, dossiers

    def _adult_child_dossiers(
        self, child: Person, home: str, persons: list[Person]
    ) -> list[_Dossier]:
        rng = self.rng
        export = EXPORT_DATE.toordinal()
        start = max(add_years(child.birth_date, 18).toordinal(), FIRST_REGISTRATION.toordinal())
        if start >= export:
            return []
        count = 1 if rng.random() < 0.7 else 2
        landlords = self._landlords_for(home, count)
        own_partner = None
        if rng.random() < 0.25:
            own_partner = self.factory.partner_for(child, adult_on=date.fromordinal(export))
            persons.append(own_partner)
        result = []
        for landlord in landlords:
            registration = self._between(start, export)
            dossier = _Dossier(landlord, registration, self._between(registration, export))
            dossier.members.append((child, "applicant", None))
            if own_partner is not None:
                dossier.members.append((own_partner, "partner", None))
            dossier.municipalities = self._preferences(landlord, home)
            dossier.dwelling_types = self._dwelling_types(1 + (own_partner is not None), 0, False)
            dossier.contact = child.contact()
            result.append(dossier)
        return result

    def _apply_anomalies(
        self,
        kinds: tuple[str, ...] | list[str],
        persons: list[Person],
        dossiers: list[_Dossier],
        applicant: Person,
        partner: Person | None,
        children: list[Person],
    ) -> None:
        rng = self.rng
        counts = self.anomalies
        for kind in kinds:
            if kind in ("domicile_outside_flanders", "domicile_unknown"):
                counts[kind] += 1
            elif kind == "invalid_insz_candidate":
                victim = partner if partner is not None and rng.random() < 0.3 else applicant
                bad = corrupt_check_digits(victim.insz, rng)
                holders = [d for d in dossiers if any(m[0] is victim for m in d.members)]
                if rng.random() < 0.5:
                    # a typo at one landlord; the others have the right number
                    rng.choice(holders).insz_override[victim.insz] = bad
                else:
                    # the wrong number everywhere, so the national register does not know it
                    for dossier in holders:
                        dossier.insz_override[victim.insz] = bad
                    persons.remove(victim)
                counts[kind] += 1
            elif kind == "invalid_insz_co_resident":
                places = [(d, m[0]) for d in dossiers for m in d.members if m[1] == "co_resident"]
                if places:
                    dossier, member = rng.choice(places)
                    dossier.insz_override[member.insz] = corrupt_check_digits(member.insz, rng)
                    counts[kind] += 1
            elif kind == "duplicate_dossier":
                rng.choice(dossiers).duplicate = "same" if rng.random() < 0.5 else "changed"
                counts[kind] += 1
            elif kind == "insz_birth_date_mismatch":
                victim = applicant
                if victim in persons:
                    shift = rng.choice((1, -1, 31, -31, 365, -365, 3652))
                    wrong = victim.birth_date + timedelta(days=shift)
                    persons[persons.index(victim)] = _WrongBirthDate.of(victim, wrong)
                    counts[kind] += 1
            elif kind == "same_identity_different_insz":
                twin = self.factory.with_bis_number(applicant)
                persons.append(twin)
                holders = [d for d in dossiers if any(m[0] is applicant for m in d.members)]
                target = holders[-1] if len(holders) > 1 else holders[0]
                target.insz_override[applicant.insz] = twin.insz
                if target.rent_premium == applicant.insz:
                    target.rent_premium = twin.insz
                counts[kind] += 1
            elif kind == "not_in_population":
                present = [p for p in persons if not isinstance(p, _WrongBirthDate)]
                if present:
                    persons.remove(rng.choice(present))
                    counts[kind] += 1
            elif kind == "impossible_dates":
                dossier = rng.choice(dossiers)
                position = int(rng.random() * len(dossier.members))
                person, role, _ = dossier.members[position]
                before = person.birth_date.toordinal() - 1 - int(rng.random() * 3000)
                dossier.members[position] = (person, role, before)
                counts[kind] += 1
            elif kind == "unknown_landlord":
                rng.choice(dossiers).landlord_id = rng.choice(self.unknown_landlord_ids)
                counts[kind] += 1
            elif kind == "bad_members":
                dossier = rng.choice(dossiers)
                members = dossier.members
                if len(members) > 1 and members[1][1] == "partner" and rng.random() < 0.5:
                    members[1] = (members[1][0], "applicant", members[1][2])
                else:
                    members[0] = (members[0][0], "partner", members[0][2])
                counts[kind] += 1

    # -- output ------------------------------------------------------------------------------

    def dossier_id(self, landlord: _Landlord, registration: int) -> str:
        # Each kind of landlord software numbered its dossiers differently; the migration must
        # not rely on any format.
        landlord.running += 1
        day = date.fromordinal(registration)
        if landlord.per_day is not None:
            offset = registration - FIRST_REGISTRATION.toordinal()
            landlord.per_day[offset] += 1
            return f"{day.year}.{day.month:02d}.{day.day:02d}.{landlord.per_day[offset]:03d}"
        if landlord.type == "SVK":
            return f"{day.year}/{landlord.running:06d}"
        return f"K{landlord.running:07d}"

    def dossier_record(self, dossier: _Dossier) -> dict[str, Any]:
        iso = self.iso
        override = dossier.insz_override
        members = []
        for person, role, since in dossier.members:
            member: dict[str, str] = {"insz": override.get(person.insz, person.insz), "role": role}
            if since is not None:
                member["member_since"] = iso(since)
            members.append(member)
        preferences: dict[str, Any] = {
            "municipalities": dossier.municipalities,
            "dwelling_types": list(dossier.dwelling_types),
        }
        if dossier.other is not None:
            preferences["other"] = dossier.other
        record: dict[str, Any] = {
            "landlord_id": dossier.landlord_id or dossier.landlord.landlord_id,
            "dossier_id": dossier.dossier_id,
            "registration_date": iso(dossier.registration),
            "last_modified": iso(dossier.last_modified),
            "members": members,
            "preferences": preferences,
        }
        if dossier.rent_premium is not None:
            claimant = override.get(dossier.rent_premium, dossier.rent_premium)
            record["rent_premium"] = {"claimant_insz": claimant}
        if dossier.housing_situation is not None:
            record["housing_situation"] = dossier.housing_situation
        if dossier.contact is not None:
            record["contact"] = dossier.contact
        return record

    def run(self, progress: ProgressCallback | None) -> dict[str, Any]:
        out = self.out_dir
        (out / "dossiers").mkdir(parents=True, exist_ok=True)
        (out / "operating_areas.json").write_bytes(dumps_areas(self.areas))
        landlords = [landlord.record(self.areas) for landlord in self.landlords]
        (out / "landlords.json").write_bytes(
            orjson.dumps(landlords, option=orjson.OPT_INDENT_2) + b"\n"
        )
        files: dict[int, IO[bytes]] = {}
        dumps = orjson.dumps
        total = self.households
        if progress is not None:
            progress("households", 0, total)
        try:
            with (out / "population.jsonl").open("wb", buffering=1 << 20) as population:
                for index in range(total):
                    persons, dossiers = self.household(index)
                    population.write(
                        b"".join(dumps(p.population_record()) + b"\n" for p in persons)
                    )
                    self.population_lines += len(persons)
                    for dossier in dossiers:
                        landlord = dossier.landlord
                        handle = files.get(landlord.index)
                        if handle is None:
                            path = out / "dossiers" / f"{landlord.landlord_id}.jsonl"
                            handle = files[landlord.index] = path.open("wb", buffering=1 << 16)
                        dossier.dossier_id = self.dossier_id(landlord, dossier.registration)
                        record = self.dossier_record(dossier)
                        line = dumps(record) + b"\n"
                        handle.write(line)
                        self.dossier_lines += 1
                        if dossier.duplicate:
                            if dossier.duplicate == "changed":
                                # the second export of the same dossier differs, as when a
                                # landlord's two systems both exported it
                                record["last_modified"] = self.iso(
                                    self._between(dossier.registration, EXPORT_DATE.toordinal())
                                )
                                record.pop("contact", None)
                                line = dumps(record) + b"\n"
                            handle.write(line)
                            self.dossier_lines += 1
                    if progress is not None and (index + 1) % _PROGRESS_EVERY == 0:
                        progress("households", index + 1, total)
        finally:
            for handle in files.values():
                handle.close()
        if progress is not None:
            progress("households", total, total)
        dossier_files = sorted(f"dossiers/{self.landlords[i].landlord_id}.jsonl" for i in files)
        return {
            "households": total,
            "adult_child_households": self.adult_child_households,
            "legacy_dossiers": self.dossier_lines,
            "persons": self.population_lines,
            "landlords": {
                kind: sum(1 for ll in self.landlords if ll.type == kind)
                for kind in ("SHM", "SVK", "LB")
            },
            "companies": len(self.areas),
            "files": ["operating_areas.json", "landlords.json", "population.jsonl", *dossier_files],
            "anomalies": dict(self.anomalies),
            "features": dict(self.features),
        }


class _WrongBirthDate(Person):
    """Marks a person whose population line states a birth date that the number contradicts."""

    __slots__ = ()

    @classmethod
    def of(cls, person: Person, wrong: date) -> _WrongBirthDate:
        return cls(
            insz=person.insz,
            first_name=person.first_name,
            last_name=person.last_name,
            birth_date=wrong,
            sex=person.sex,
            domicile_nis=person.domicile_nis,
            email=person.email,
            phone=person.phone,
        )


def generate_legacy(
    out_dir: Path,
    profile: Profile,
    seed: int = 1,
    progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    """Write a synthetic migration input folder to ``out_dir`` and return a summary.

    ``profile``: ``demo`` (~800 households), ``flanders`` (180 000 households, ~400 000 legacy
    dossiers) or ``x10`` (1.8 M households). ``progress(stage, done, total)`` is called every
    1000 households. Existing files with the same names are overwritten.
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {sorted(PROFILES)}")
    generator = _Generator(Path(out_dir), PROFILES[profile], seed)
    summary = generator.run(progress)
    summary["profile"] = profile
    summary["seed"] = seed
    return summary


def iter_jsonl(path: Path) -> Iterator[Any]:
    """Read back a JSON Lines file (for tests and tools)."""
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                yield orjson.loads(line)
