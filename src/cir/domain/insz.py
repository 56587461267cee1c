"""National numbers (rijksregisternummer / INSZ): validation through python-stdnum, and masking.

A national number never appears in full in a log line or an error message: :func:`mask` keeps
the birth-date part, which is what a helpdesk employee needs to recognise a typo.
"""

from __future__ import annotations

from stdnum.be import bis, nn
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength


class InvalidNationalNumber(ValueError):
    """The number is not a valid national or BIS number; ``reason`` is Dutch, for the caller."""

    def __init__(self, reason: str, masked: str) -> None:
        super().__init__(f"{masked}: {reason}")
        self.reason = reason
        self.masked = masked


def mask(number: str) -> str:
    digits = "".join(ch for ch in str(number) if ch.isdigit())
    if len(digits) < 6:
        return "*" * len(digits)
    return digits[:6] + "*" * (len(digits) - 6)


def validate(number: str) -> str:
    """Return the compact 11-digit number, or raise :class:`InvalidNationalNumber`.

    The Dutch reasons follow the live interface ("voldoet niet aan checksum97").
    """
    compact = nn.compact(number) if isinstance(number, str) else ""
    try:
        return str(nn.validate(compact))
    except (InvalidLength, InvalidFormat) as exc:
        raise InvalidNationalNumber("moet uit 11 cijfers bestaan", mask(compact)) from exc
    except InvalidChecksum:
        checksum_failure = True
    except InvalidComponent:
        checksum_failure = False
    try:
        return str(bis.validate(compact))
    except InvalidChecksum as exc:
        raise InvalidNationalNumber("voldoet niet aan checksum97", mask(compact)) from exc
    except (InvalidComponent, InvalidFormat, InvalidLength) as exc:
        reason = (
            "voldoet niet aan checksum97"
            if checksum_failure
            else "bevat geen geldige geboortedatum"
        )
        raise InvalidNationalNumber(reason, mask(compact)) from exc


def is_valid(number: str) -> bool:
    try:
        validate(number)
    except InvalidNationalNumber:
        return False
    return True
