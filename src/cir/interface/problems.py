"""Errors as application/problem+json (RFC 9457) with a stable ``code`` and a Dutch ``detail``."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpResponse
from django.utils.http import http_date
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from cir.domain.transitions import RuleViolation
from cir.logfilters import mask_text
from cir.register.errors import RegisterError, RegisterFrozen

log = logging.getLogger(__name__)

PROBLEM_TYPE_BASE = "https://cir.vlaanderen.be/problemen/"
PROBLEM_CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: "Ongeldige aanvraag",
    401: "Niet aangemeld",
    403: "Geen toegang",
    404: "Niet gevonden",
    405: "Methode niet toegelaten",
    409: "Conflict",
    413: "Aanvraag te groot",
    415: "Mediatype niet ondersteund",
    422: "Niet verwerkbaar",
    423: "Register bevroren",
    500: "Interne fout",
}


class ProblemJSONRenderer(JSONRenderer):
    media_type = PROBLEM_CONTENT_TYPE


class Problem(exceptions.APIException):
    """An error raised by the interface itself (bad header, unknown field, ...)."""

    def __init__(self, status_code: int, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail=detail, code=code)
        self.status_code = status_code
        self.problem_code = code
        self.extra = extra


UNAUTHENTICATED = (
    401,
    "NIET_AANGEMELD",
    "Geen geldig toegangstoken: vraag er een aan via POST /oauth/token/.",
)
FORBIDDEN = (403, "GEEN_TOEGANG", "Deze client heeft geen toegang tot deze resource.")
BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="cir"'}


def problem_body(status_code: int, code: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": PROBLEM_TYPE_BASE + code.lower().replace("_", "-"),
        "title": TITLES.get(status_code, "Fout"),
        "status": status_code,
        "code": code,
        "detail": mask_text(detail),
        **extra,
    }


def problem_response(
    status_code: int, code: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    response = Response(
        problem_body(status_code, code, detail, **extra), status=status_code, headers=headers
    )
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def problem_http(
    status_code: int, code: str, detail: str, headers: dict[str, str] | None = None
) -> HttpResponse:
    """The same problem as :func:`problem_response`, for a view outside DRF."""
    return HttpResponse(
        orjson.dumps(problem_body(status_code, code, detail)),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
        headers=headers,
    )


def _flatten(detail: Any, prefix: str = "") -> list[str]:
    if isinstance(detail, dict):
        out: list[str] = []
        for key, value in detail.items():
            name = key if key != "non_field_errors" else ""
            out.extend(_flatten(value, f"{prefix}{name}: " if name else prefix))
        return out
    if isinstance(detail, list):
        return [line for item in detail for line in _flatten(item, prefix)]
    return [f"{prefix}{detail}"]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RegisterFrozen):
        return problem_response(
            423,
            exc.code,
            exc.detail,
            # RFC 9110: Retry-After is an HTTP-date (or seconds), not ISO 8601.
            headers={"Retry-After": http_date(exc.until.timestamp())},
            freezeTot=exc.until.isoformat(),
        )
    if isinstance(exc, RegisterError):
        return problem_response(exc.status, exc.code, exc.detail)
    if isinstance(exc, RuleViolation):
        return problem_response(409, exc.code, exc.detail)
    if isinstance(exc, RequestDataTooBig):
        return problem_response(
            413, "AANVRAAG_TE_GROOT", "De aanvraag is groter dan het register aanvaardt."
        )
    if isinstance(exc, Problem):
        return problem_response(exc.status_code, exc.problem_code, str(exc.detail), **exc.extra)
    if isinstance(exc, Http404):
        return problem_response(404, "NIET_GEVONDEN", "De gevraagde resource bestaat niet.")
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return problem_response(*UNAUTHENTICATED, headers=BEARER_CHALLENGE)
    if isinstance(exc, exceptions.PermissionDenied):
        return problem_response(*FORBIDDEN)
    if isinstance(exc, exceptions.ParseError):
        return problem_response(400, "ONGELDIGE_JSON", "De inhoud is geen geldige JSON.")
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return problem_response(
            415, "MEDIATYPE_NIET_ONDERSTEUND", "Stuur de inhoud als application/json."
        )
    if isinstance(exc, exceptions.MethodNotAllowed):
        return problem_response(
            405, "METHODE_NIET_TOEGELATEN", "Deze methode is niet toegelaten op deze resource."
        )
    if isinstance(exc, exceptions.ValidationError):
        # Input is echoed back ('"85073003328" is een ongeldige keuze'): mask every line, not
        # only ``detail``, so that no national number appears in full in an answer.
        lines = [mask_text(line) for line in _flatten(exc.detail)]
        return problem_response(
            400, "ONGELDIGE_INVOER", "; ".join(lines) or "Ongeldige invoer.", fouten=lines
        )
    if isinstance(exc, exceptions.APIException):
        return problem_response(exc.status_code, "FOUT", str(exc.detail))
    log.exception("unhandled error in %s", context.get("view"))
    return None


__all__ = ["Problem", "exception_handler", "problem_response", "status"]
