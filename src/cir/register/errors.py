"""Errors the register's services raise; the interface turns each into a problem+json answer."""

from __future__ import annotations

from datetime import datetime

from cir.domain.transitions import RuleViolation

__all__ = [
    "DossierNotFound",
    "InvalidInput",
    "RegisterError",
    "RegisterFrozen",
    "RuleViolation",
    "VersionConflict",
]


class RegisterError(Exception):
    status = 400
    code = "FOUT"

    def __init__(self, detail: str, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code


class DossierNotFound(RegisterError):
    """Also for a dossier that exists but that the caller does not share."""

    status = 404
    code = "DOSSIER_NIET_GEVONDEN"

    def __init__(self, number: str) -> None:
        super().__init__(f"Dossier {number} werd niet gevonden.")


class RegisterFrozen(RegisterError):
    status = 423
    code = "FREEZE"

    def __init__(self, until: datetime) -> None:
        from django.utils import timezone

        local = timezone.localtime(until)
        super().__init__(
            "Het register is bevroren (freeze-periode): wijzigingen worden niet verwerkt tot "
            f"{local:%d/%m/%Y %H:%M}. Raadplegen blijft mogelijk."
        )
        self.until = until


class VersionConflict(RegisterError):
    status = 409
    code = "VERSIE_CONFLICT"


class InvalidInput(RegisterError):
    status = 400
    code = "ONGELDIGE_INVOER"
