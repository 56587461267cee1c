"""Synthetic persons with computed national numbers (rijksregisternummers).

Numbers are *generated* here, which needs the check arithmetic; every generated number is then
judged by python-stdnum (``stdnum.be.nn`` / ``stdnum.be.bis``), the library the register itself
uses for validation, so a bug in the arithmetic fails loudly instead of producing bad test data.

A national number is ``yymmdd`` + a three-digit serial (odd for men, even for women) + two check
digits ``97 - (first 9 digits mod 97)``, where the 9 digits get a ``2`` prefix for people born in
2000 or later. A BIS number adds 20 (sex unknown) or 40 (sex known) to the month.

Typical use::

    factory = PersonFactory(random.Random(7))
    jef = factory.adult(born_between=(1940, 2005), sex="M")
    laura = factory.partner_for(jef)
    felix = factory.child(jef.birth_date, born_before=date(2020, 1, 1))
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache
from typing import Literal

from stdnum.be import bis, nn

from cir.synthetic.areas import flemish_municipalities, municipality_weight

Sex = Literal["M", "F"]

MALE_FIRST_NAMES: tuple[str, ...] = (
    "Jef", "Jan", "Peter", "Luc", "Marc", "Dirk", "Koen", "Tom", "Bart", "Wim",
    "Geert", "Kris", "Steven", "Filip", "Johan", "Patrick", "Frank", "Erik", "Paul", "Jos",
    "Pieter", "Joris", "Stijn", "Wouter", "Jeroen", "Bram", "Thomas", "Nick", "Kevin", "Dries",
    "Jonas", "Lucas", "Arthur", "Louis", "Noah", "Liam", "Jules", "Victor", "Finn", "Mattis",
    "Lars", "Seppe", "Warre", "Wout", "Ruben", "Tibo", "Robbe", "Milan", "Senne", "Vic",
    "Felix", "Leon", "Staf", "Rik", "Herman", "Willy", "Gilbert", "Roger", "Eddy", "Walter",
    "Hugo", "Guido", "André", "Etienne", "Lieven", "Hans", "Sven", "Gert", "Tim", "Yves",
    "Mohamed", "Youssef", "Ahmed", "Adam", "Ayoub", "Omar", "Bilal", "Ibrahim", "Mehmet", "Emre",
    "Piotr", "Tomasz", "Andrei", "Ion", "Dimitri", "Kobe", "Maarten", "Michiel", "Simon", "Ward",
    "Lowie", "Mathis", "Jasper", "Jarne", "Brent", "Glenn", "Sam", "Bert", "Ivo", "Emiel",
)  # fmt: skip

FEMALE_FIRST_NAMES: tuple[str, ...] = (
    "Laura", "Marie", "An", "Els", "Sofie", "Katrien", "Lies", "Sarah", "Nathalie", "Veerle",
    "Inge", "Kathleen", "Griet", "Hilde", "Ann", "Kristel", "Martine", "Linda", "Rita", "Maria",
    "Godelieve", "Mariette", "Jeannine", "Monique", "Christiane", "Marleen", "Greet", "Annick",
    "Karolien", "Evelien", "Elke", "Tine", "Leen", "Charlotte", "Emma", "Louise", "Olivia", "Mila",
    "Elena", "Noor", "Lotte", "Julie", "Fien", "Lore", "Hanne", "Femke", "Eline", "Jana",
    "Lien", "Nele", "Ilse", "Anja", "Caroline", "Isabelle", "Mieke", "Lutgarde", "Paula", "Agnes",
    "Yvonne", "Simonne", "Fatima", "Khadija", "Amina", "Salma", "Yasmina", "Aisha", "Zeynep",
    "Elif", "Anna", "Katarzyna", "Agnieszka", "Lisa", "Ioana", "Zoë", "Febe", "Nina", "Lena",
    "Amber", "Jolien", "Stefanie", "Liesbeth", "Ellen", "Astrid", "Heidi", "Sandra", "Vanessa",
    "Kelly", "Joke", "Wendy", "Kim", "Ine", "Axelle", "Margot", "Sien", "Roos", "Merel", "Ella",
    "Camille", "Hélène", "Ines",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens",
    "Wouters", "De Smet", "Dubois", "Hermans", "Aerts", "Pauwels", "Michiels", "Lambrechts",
    "Van Damme", "De Clercq", "Vermeulen", "Van den Broeck", "Desmet", "Verstraete", "Smets",
    "Martens", "Stevens", "Bogaerts", "Claeys", "Cools", "Van de Velde", "Vandenberghe",
    "De Backer", "Hendrickx", "Segers", "Verbruggen", "Lemmens", "Coppens", "Van Dyck",
    "Thys", "Geerts", "Verhoeven", "Van Hoof", "Baert", "Vanderstraeten",
    "De Vos", "Van Aken", "Wuyts", "Leemans", "Verlinden", "Mees", "Bosmans",
    "Van Looy", "Vandamme", "Engelen", "Nys", "Beckers", "Heylen", "Dierckx", "Van Laere",
    "De Cock", "Vervoort", "Cornelis", "Moens", "Vervaet", "Van Gucht", "Dewulf", "Roels",
    "Buyse", "Vanhove", "Verschueren", "Sels", "Schepens", "De Wilde", "Franssen", "Dockx",
    "Luyten", "Ceulemans", "Vanhoutte", "De Meyer", "Van Hecke", "Vandewalle", "Hoste",
    "Blommaert", "Callens", "El Amrani", "Benali", "Yilmaz", "Kaya", "Nowak", "Kowalski",
    "Popescu", "Ionescu", "Öztürk", "Bakker", "De Groot", "Smits", "Van Rompuy", "Timmermans",
    "Vercammen", "Daems", "Pinxten",
)  # fmt: skip

# Serials per birth date: 1..997; odd for men (499 values), even for women (498 values).
_MALE_SERIALS = 499
_FEMALE_SERIALS = 498
# Step through the serials in a scrambled but fixed order (both steps are coprime with the
# count), so early serials are not all 001, 003, ...; real numbers are not handed out in order.
_MALE_STEP = 211
_FEMALE_STEP = 205
# Name choice: both coprime with 100 (the length of every name list) so ranks map injectively.
_NAME_STEP = 7919
_DAY_STEP = 3571
_EMAIL_DOMAINS = ("example.org", "example.com", "example.net")


@dataclass(frozen=True, slots=True)
class Person:
    """A synthetic person; ``sex`` follows the serial parity of ``insz``."""

    insz: str
    first_name: str
    last_name: str
    birth_date: date
    sex: Sex
    domicile_nis: str | None
    email: str
    phone: str

    def population_record(self) -> dict[str, str | None]:
        """The person as one line of ``population.jsonl`` (``person.schema.json``)."""
        return {
            "insz": self.insz,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "birth_date": self.birth_date.isoformat(),
            "domicile_nis": self.domicile_nis,
        }

    def as_dict(self) -> dict[str, str | None]:
        """All fields as plain JSON-ready values."""
        record = self.population_record()
        record.update(sex=self.sex, email=self.email, phone=self.phone)
        return record

    def contact(self) -> dict[str, str]:
        return {"email": self.email, "phone": self.phone}


def add_years(day: date, years: int) -> date:
    """``day`` shifted by whole years; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _check_digits(first9: str, born_2000_or_later: bool) -> int:
    value = int("2" + first9) if born_2000_or_later else int(first9)
    return 97 - value % 97


def national_number(birth: date, serial: int, *, verify: bool = True) -> str:
    """The national number of someone born on ``birth`` with daily serial ``serial`` (1..997)."""
    if not 1 <= serial <= 997:
        raise ValueError("serial must be 1..997")
    first9 = f"{birth.year % 100:02d}{birth.month:02d}{birth.day:02d}{serial:03d}"
    number = f"{first9}{_check_digits(first9, birth.year >= 2000):02d}"
    if verify and nn.get_birth_date(number) != birth:
        raise AssertionError(f"generated national number {number} does not encode {birth}")
    return number


def bis_number(birth: date, serial: int, *, sex_known: bool = True, verify: bool = True) -> str:
    """A BIS number (month + 40 when the sex is known, + 20 when not) for ``birth``."""
    if not 1 <= serial <= 997:
        raise ValueError("serial must be 1..997")
    month = birth.month + (40 if sex_known else 20)
    first9 = f"{birth.year % 100:02d}{month:02d}{birth.day:02d}{serial:03d}"
    number = f"{first9}{_check_digits(first9, birth.year >= 2000):02d}"
    if verify and (not bis.is_valid(number) or bis.get_birth_date(number) != birth):
        raise AssertionError(f"generated BIS number {number} is invalid")
    return number


def corrupt_check_digits(number: str, rng: random.Random | None = None) -> str:
    """The same 9 leading digits with check digits that fail mod-97 for either century.

    This is the typical typo a landlord's export contains; such a number is not a valid national
    number nor a valid BIS number.
    """
    first9 = number[:9]
    good = {_check_digits(first9, False), _check_digits(first9, True)}
    candidates = [c for c in range(100) if c not in good]
    check = (rng or random.Random(number)).choice(candidates)
    result = f"{first9}{check:02d}"
    if nn.is_valid(result) or bis.is_valid(result):
        raise AssertionError(f"corrupted number {result} is still valid")
    return result


def sex_of_serial(serial: int) -> Sex:
    return "M" if serial % 2 else "F"


@cache
def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and c.isalnum())


class PersonFactory:
    """Deterministic source of unique synthetic persons.

    All randomness comes from ``rng``; the same seed gives the same persons. Numbers are unique
    per factory: serials are handed out per birth date and sex, and when a date runs out of
    serials the birth date moves one day (no set of issued numbers is kept, so memory stays
    bounded however many persons are made).

    ``domiciles``/``domicile_weights`` default to every Flemish municipality weighted by its
    number of postal codes. ``verify_every`` checks every n-th generated number with stdnum
    (1 = every number); bulk generators may check a sample to save time.
    """

    def __init__(
        self,
        rng: random.Random,
        *,
        domiciles: Sequence[str] | None = None,
        domicile_weights: Sequence[float] | None = None,
        verify_every: int = 1,
    ) -> None:
        self.rng = rng
        if domiciles is None:
            domiciles = flemish_municipalities()
            if domicile_weights is None:
                domicile_weights = [municipality_weight(nis) for nis in domiciles]
        self._domiciles = list(domiciles)
        weights = domicile_weights or [1.0] * len(self._domiciles)
        self._cum_weights: list[float] = []
        total = 0.0
        for weight in weights:
            total += weight
            self._cum_weights.append(total)
        self._issued: dict[tuple[int, bool], int] = {}
        self._bis_issued: dict[tuple[int, bool], int] = {}
        self._verify_every = max(1, verify_every)
        self._made = 0
        self._salt = rng.randrange(1_000_000)

    # -- numbers ---------------------------------------------------------------------------

    def _take_serial(
        self, issued: dict[tuple[int, bool], int], birth: date, male: bool
    ) -> tuple[date, int, int]:
        """(birth date, serial, how many numbers that date and sex had before this one)."""
        ordinal = birth.toordinal()
        capacity = _MALE_SERIALS if male else _FEMALE_SERIALS
        while True:
            key = (ordinal, male)
            count = issued.get(key, 0)
            if count < capacity:
                issued[key] = count + 1
                break
            ordinal += 1
        if male:
            serial = (count * _MALE_STEP + ordinal * 37) % _MALE_SERIALS * 2 + 1
        else:
            serial = (count * _FEMALE_STEP + ordinal * 41) % _FEMALE_SERIALS * 2 + 2
        return date.fromordinal(ordinal), serial, count

    def _verify_now(self) -> bool:
        self._made += 1
        return self._made % self._verify_every == 1 or self._verify_every == 1

    def national_number(self, birth: date, sex: Sex) -> tuple[date, str]:
        """A fresh national number; returns the (possibly shifted) birth date with it."""
        birth, serial, _ = self._take_serial(self._issued, birth, sex == "M")
        return birth, national_number(birth, serial, verify=self._verify_now())

    def bis_number(self, birth: date, sex: Sex) -> str:
        """A fresh BIS number (sex known) for someone born on ``birth``."""
        # BIS numbers share no digits with national numbers (month + 40), so their own
        # counter keeps them unique; a full date shifts the next number's date, which is
        # acceptable for a BIS number but never happens at realistic volumes.
        shifted, serial, _ = self._take_serial(self._bis_issued, birth, sex == "M")
        return bis_number(shifted, serial, verify=self._verify_now())

    def invalid_national_number(self, birth: date | None = None) -> str:
        """A number that looks like a national number but fails the mod-97 check."""
        if birth is None:
            birth = self.birth_date(1940, 2005)
        serial = self.rng.randrange(1, 998)
        return corrupt_check_digits(national_number(birth, serial, verify=False), self.rng)

    # -- attributes ------------------------------------------------------------------------

    def birth_date(self, first_year: int, last_year: int, *, latest: date | None = None) -> date:
        """A uniformly drawn date in ``first_year``..``last_year`` (not after ``latest``)."""
        start = date(first_year, 1, 1).toordinal()
        end = date(last_year, 12, 31).toordinal()
        if latest is not None:
            end = min(end, latest.toordinal())
        if end < start:
            raise ValueError("empty birth-date range")
        return date.fromordinal(start + int(self.rng.random() * (end - start + 1)))

    def domicile(self) -> str:
        """A Flemish municipality, weighted by size."""
        return self.rng.choices(self._domiciles, cum_weights=self._cum_weights)[0]

    def first_name(self, sex: Sex) -> str:
        names = MALE_FIRST_NAMES if sex == "M" else FEMALE_FIRST_NAMES
        return names[int(self.rng.random() * len(names))]

    def last_name(self) -> str:
        return LAST_NAMES[int(self.rng.random() * len(LAST_NAMES))]

    def email(self, first_name: str, last_name: str) -> str:
        # Plain ASCII local part: "Zoë Öztürk" becomes zoe.ozturk; the number keeps homonyms'
        # addresses apart.
        random = self.rng.random
        local = f"{_ascii(first_name)}.{_ascii(last_name)}".lower()
        return f"{local}{1 + int(random() * 999)}@{_EMAIL_DOMAINS[int(random() * 3)]}"

    def phone(self) -> str:
        """A Belgian mobile number, +32 4xx xx xx xx."""
        random = self.rng.random
        return f"+324{60 + int(random() * 40)}{int(random() * 1_000_000):06d}"

    # -- persons ---------------------------------------------------------------------------

    def person(
        self,
        birth: date,
        sex: Sex,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        domicile_nis: str | Literal["draw"] | None = "draw",
    ) -> Person:
        """A person born on (or, when that date is full, just after) ``birth``.

        Names not given are derived from the person's rank among those born that day, so two
        persons of one factory never share first name, last name and birth date by accident:
        that combination is the identity warning "same_identity_different_insz", which the
        legacy data must contain only where it is planned.
        """
        birth, serial, rank = self._take_serial(self._issued, birth, sex == "M")
        insz = national_number(birth, serial, verify=self._verify_now())
        names = MALE_FIRST_NAMES if sex == "M" else FEMALE_FIRST_NAMES
        # rank -> (first, last) is injective for ranks below 10 000 (steps coprime with 100);
        # the per-day offset and the factory's salt spread the names over days and seeds.
        mixed = rank * _NAME_STEP + birth.toordinal() * _DAY_STEP + self._salt
        if last_name is None:
            index = mixed % (len(names) * len(LAST_NAMES))
            first = first_name or names[index % len(names)]
            last = LAST_NAMES[index // len(names)]
        else:
            # with an inherited last name, only the first name can differ: distinct for the
            # first hundred persons of that day and sex, which covers every realistic profile
            first, last = first_name or names[mixed % len(names)], last_name
        return Person(
            insz=insz,
            first_name=first,
            last_name=last,
            birth_date=birth,
            sex=sex,
            domicile_nis=self.domicile() if domicile_nis == "draw" else domicile_nis,
            email=self.email(first, last),
            phone=self.phone(),
        )

    def adult(
        self,
        born_between: tuple[int, int] = (1940, 2005),
        *,
        adult_on: date | None = None,
        sex: Sex | None = None,
        last_name: str | None = None,
        domicile_nis: str | Literal["draw"] | None = "draw",
    ) -> Person:
        """An adult born in the given years; at least 18 on ``adult_on`` when given."""
        latest = add_years(adult_on, -18) if adult_on is not None else None
        birth = self.birth_date(*born_between, latest=latest)
        return self.person(
            birth,
            sex or ("M" if self.rng.random() < 0.5 else "F"),
            last_name=last_name,
            domicile_nis=domicile_nis,
        )

    def partner_for(
        self, person: Person, *, same_sex_share: float = 0.03, adult_on: date | None = None
    ) -> Person:
        """A partner of similar age (mostly of the other sex), sharing the domicile."""
        rng = self.rng
        sex: Sex = person.sex if rng.random() < same_sex_share else _other(person.sex)
        offset = int(rng.gauss(2 if sex == "M" else -2, 3.5) * 365.25)
        birth = person.birth_date + timedelta(days=offset)
        if adult_on is not None:
            birth = min(birth, add_years(adult_on, -18))
        return self.person(birth, sex, domicile_nis=person.domicile_nis)

    def child(
        self,
        parent_birth: date,
        *,
        born_before: date | None = None,
        born_after: date | None = None,
        last_name: str | None = None,
        domicile_nis: str | Literal["draw"] | None = "draw",
    ) -> Person:
        """A child born when the parent was 18 to 45 years old, in ``born_after``..``born_before``.

        Raises ``ValueError`` when the window is empty (e.g. the parent is too young).
        """
        start = add_years(parent_birth, 18).toordinal()
        end = add_years(parent_birth, 45).toordinal()
        if born_before is not None:
            end = min(end, born_before.toordinal())
        if born_after is not None:
            start = max(start, born_after.toordinal())
        if end < start:
            raise ValueError("no possible birth date for a child of this parent")
        rng = self.rng
        birth = date.fromordinal(start + int(rng.random() * (end - start + 1)))
        sex: Sex = "M" if rng.random() < 0.5 else "F"
        return self.person(birth, sex, last_name=last_name, domicile_nis=domicile_nis)

    def with_bis_number(self, person: Person) -> Person:
        """The same identity (name, birth date) under a BIS number, as a second registration."""
        return replace(person, insz=self.bis_number(person.birth_date, person.sex))


def _other(sex: Sex) -> Sex:
    return "F" if sex == "M" else "M"
