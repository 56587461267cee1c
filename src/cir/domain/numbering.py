"""Dossier numbers ``jjjj.mm.dd.xxxx`` (rules.md section 9).

The number is the registration date and a four-digit sequence, unique in the whole register and
never reused.
"""

from __future__ import annotations

import random
import re
from collections.abc import Collection
from datetime import date

NUMBER_PATTERN = r"^\d{4}\.\d{2}\.\d{2}\.\d{4}$"
_NUMBER_RE = re.compile(NUMBER_PATTERN)
MAX_SEQUENCE = 9999


class NumberingExhausted(RuntimeError):
    """All 9999 sequence numbers of a date are taken."""


def format_number(registration_date: date, sequence: int) -> str:
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise ValueError(f"sequence {sequence} outside 1..{MAX_SEQUENCE}")
    return f"{registration_date:%Y.%m.%d}.{sequence:04d}"


def prefix(registration_date: date) -> str:
    return f"{registration_date:%Y.%m.%d}."


def is_well_formed(number: str) -> bool:
    """Well formed: the pattern, a real calendar date and a sequence from 1 to 9999."""
    if not isinstance(number, str) or not _NUMBER_RE.match(number):
        return False
    try:
        date(int(number[0:4]), int(number[5:7]), int(number[8:10]))
    except ValueError:
        return False
    return int(number[11:]) >= 1


def date_of(number: str) -> date:
    return date(int(number[0:4]), int(number[5:7]), int(number[8:10]))


def sequence_of(number: str) -> int:
    return int(number[11:])


def next_free_sequence(taken: Collection[int]) -> int:
    """New registration (Decision): the lowest sequence number of the date never used yet.

    Numbers are never reused because a number stays on its dossier for good, removed or not;
    ``taken`` therefore holds every number ever given for that date.
    """
    taken_set = set(taken)
    for sequence in range(1, MAX_SEQUENCE + 1):
        if sequence not in taken_set:
            return sequence
    raise NumberingExhausted("alle 9999 dossiernummers van deze datum zijn in gebruik")


def random_free_sequence(rng: random.Random, taken: Collection[int]) -> int:
    """Migration: a random free sequence number of the date, reproducible through ``rng``."""
    if len(taken) >= MAX_SEQUENCE:
        raise NumberingExhausted("alle 9999 dossiernummers van deze datum zijn in gebruik")
    while True:
        sequence = rng.randint(1, MAX_SEQUENCE)
        if sequence not in taken:
            return sequence
