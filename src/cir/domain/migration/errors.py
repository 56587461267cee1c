"""Errors of the data migration (invlechting).

National numbers never appear in full in an exception message: use :func:`mask_insz`.
"""

from __future__ import annotations

from datetime import date


def mask_insz(insz: str) -> str:
    """Keep the birth-date part (what a helpdesk needs to spot a typo), hide the rest."""
    return insz[:6] + "*" * max(len(insz) - 6, 0)


class MigrationError(Exception):
    """Base class: the migration stops and nothing is written."""


class MalformedInput(MigrationError):
    """A file of the input folder is not JSON or does not fit its schema.

    ``line`` is 1-based; it is ``None`` for a problem of a whole JSON-array file (the message
    then names the item by its 1-based position).
    """

    def __init__(self, file: str, line: int | None, message: str) -> None:
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {message}")
        self.file = file
        self.line = line
        self.message = message


class TooManyDossiersOnDate(MigrationError):
    """More dossiers on one registration date than free four-digit sequence numbers."""

    def __init__(self, registration_date: date, needed: int, free: int) -> None:
        super().__init__(
            f"{needed} dossiers need a number on {registration_date.isoformat()}, "
            f"but only {free} sequence numbers (1-9999) are free on that date"
        )
        self.registration_date = registration_date
        self.needed = needed
        self.free = free
