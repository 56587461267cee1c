"""Synthetic persons: national numbers are valid per stdnum and encode birth date and sex."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

import belgica
from hypothesis import given
from hypothesis import strategies as st
from stdnum.be import bis, nn

from cir.synthetic.persons import (
    PersonFactory,
    add_years,
    bis_number,
    corrupt_check_digits,
    national_number,
)


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)),
    st.integers(min_value=1, max_value=997),
)
def test_national_number_valid_and_encodes_birth_and_sex(birth: date, serial: int) -> None:
    number = national_number(birth, serial)
    assert nn.is_valid(number)
    assert nn.get_birth_date(number) == birth
    assert nn.get_gender(number) == ("M" if serial % 2 else "F")
    bad = corrupt_check_digits(number, random.Random(serial))
    assert bad[:9] == number[:9]
    assert not nn.is_valid(bad) and not bis.is_valid(bad)


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)),
    st.integers(min_value=1, max_value=997),
)
def test_bis_number_valid(birth: date, serial: int) -> None:
    number = bis_number(birth, serial)
    assert bis.is_valid(number) and not nn.is_valid(number)
    assert bis.get_birth_date(number) == birth
    assert bis.get_gender(number) == ("M" if serial % 2 else "F")
    unknown_sex = bis_number(birth, serial, sex_known=False)
    assert bis.is_valid(unknown_sex) and bis.get_gender(unknown_sex) is None


def test_factory_persons_valid_unique_both_centuries() -> None:
    factory = PersonFactory(random.Random(3))
    persons = [factory.adult(born_between=(1940, 2005)) for _ in range(5000)]
    parents = [p for p in persons[:2000] if p.birth_date < date(2000, 1, 1)]
    persons += [factory.child(p.birth_date, born_before=date(2023, 1, 1)) for p in parents]
    numbers = [p.insz for p in persons]
    assert len(set(numbers)) == len(numbers)
    for person in persons:
        assert nn.is_valid(person.insz), person
        assert nn.get_birth_date(person.insz) == person.birth_date
        assert nn.get_gender(person.insz) == person.sex
        assert re.fullmatch(r"\+324\d{8}", person.phone)
        assert re.fullmatch(r"[a-z.]+\d+@example\.(org|com|net)", person.email), person.email
    # no accidental homonyms: same names and birth date is an identity warning of its own
    identities = {(p.first_name, p.last_name, p.birth_date) for p in persons}
    assert len(identities) == len(persons)
    assert any(p.birth_date.year < 2000 for p in persons)
    assert any(p.birth_date.year >= 2000 for p in persons)
    assert {p.sex for p in persons} == {"M", "F"}


def test_full_birth_date_moves_on_and_stays_unique() -> None:
    factory = PersonFactory(random.Random(1))
    day = date(2001, 5, 17)
    persons = [factory.person(day, "M") for _ in range(1200)]
    assert len({p.insz for p in persons}) == 1200
    assert sum(p.birth_date == day for p in persons) == 499  # odd serials 001..997
    for person in persons:
        assert nn.get_birth_date(person.insz) == person.birth_date
        assert nn.get_gender(person.insz) == "M"


def test_same_seed_same_persons() -> None:
    first = [PersonFactory(random.Random(9)).adult() for _ in range(3)]
    second = [PersonFactory(random.Random(9)).adult() for _ in range(3)]
    assert first == second


def test_adult_child_partner_constraints() -> None:
    factory = PersonFactory(random.Random(5))
    on = date(2010, 3, 1)
    for _ in range(500):
        adult = factory.adult((1940, 2005), adult_on=on)
        # a full birth date moves a person by a day or two at most
        assert adult.birth_date <= add_years(on, -18) + timedelta(days=2)
        partner = factory.partner_for(adult, adult_on=on)
        assert partner.domicile_nis == adult.domicile_nis
        assert partner.insz != adult.insz
        if adult.birth_date < date(1990, 1, 1):
            child = factory.child(adult.birth_date, born_before=date(2024, 1, 1))
            assert add_years(adult.birth_date, 18) <= child.birth_date <= date(2024, 1, 2)


def test_invalid_and_bis_helpers() -> None:
    factory = PersonFactory(random.Random(2))
    for _ in range(200):
        bad = factory.invalid_national_number()
        assert len(bad) == 11 and bad.isdigit()
        assert not nn.is_valid(bad) and not bis.is_valid(bad)
    person = factory.adult()
    twin = factory.with_bis_number(person)
    assert bis.is_valid(twin.insz) and not nn.is_valid(twin.insz)
    assert (twin.first_name, twin.last_name, twin.birth_date) == (
        person.first_name,
        person.last_name,
        person.birth_date,
    )
    assert bis.get_birth_date(twin.insz) == person.birth_date


def test_domicile_is_flemish_nis() -> None:
    flemish = {m["id"] for m in belgica.municipalities() if m["region"] == "02000"}
    factory = PersonFactory(random.Random(4))
    assert all(factory.adult().domicile_nis in flemish for _ in range(300))
