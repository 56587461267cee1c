"""The local-software interface (/v1/socZek/socialeHuisvesting/) and the rent-premium feed.

Views parse input, call the services and shape the answer; nothing else.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cir.domain.statuses import Action
from cir.interface import presenters
from cir.interface import serializers as s
from cir.interface.models import IdempotentRequest
from cir.interface.problems import (
    BEARER_CHALLENGE,
    FORBIDDEN,
    PROBLEM_CONTENT_TYPE,
    UNAUTHENTICATED,
    Problem,
    problem_http,
    problem_response,
)
from cir.policy import Scope, may_read_premium_feed, may_use_local_software_interface
from cir.premium.feed import read_feed
from cir.reference.models import Municipality
from cir.register import services
from cir.register.errors import DossierNotFound, RegisterError
from cir.register.queries import (
    AUTH_FORBIDDEN,
    AUTH_NO_TOKEN,
    SearchCriteria,
    page_of,
    search_shares,
)
from cir.register.services import Acting, RankingInput

CORRELATION_HEADER = "x-correlation-id"

PROBLEMS = {
    400: OpenApiResponse(s.ProblemOut, description="Ongeldige aanvraag (problem+json)"),
    401: OpenApiResponse(s.ProblemOut, description="Geen geldig toegangstoken"),
    404: OpenApiResponse(s.ProblemOut, description="Dossier niet gevonden of niet gedeeld"),
    409: OpenApiResponse(s.ProblemOut, description="Actie niet toegelaten (regels)"),
    413: OpenApiResponse(s.ProblemOut, description="Aanvraag te groot"),
    423: OpenApiResponse(s.ProblemOut, description="Freeze-periode: niets verwerkt"),
}
CORRELATION_PARAMETER = OpenApiParameter(
    CORRELATION_HEADER,
    OpenApiTypes.UUID,
    OpenApiParameter.HEADER,
    required=True,
    description="UUID van de aanvraag; een herhaling met dezelfde id geeft het eerste antwoord.",
)


def _binding(request: Request) -> Any:
    auth = request.auth
    application = getattr(auth, "application", None)
    return getattr(application, "binding", None)


def _has_scope(request: Request, scope: str) -> bool:
    token = request.auth
    return token is not None and hasattr(token, "allow_scopes") and token.allow_scopes([scope])


class IsLocalSoftware(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return _has_scope(request, Scope.LOCAL_SOFTWARE) and may_use_local_software_interface(
            _binding(request)
        )


class IsRentPremiumService(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return _has_scope(request, Scope.RENT_PREMIUM) and may_read_premium_feed(_binding(request))


def correlation_id_of(request: Any) -> str:
    """The request's ``x-correlation-id`` as a canonical UUID, or a 400 problem."""
    raw = request.headers.get(CORRELATION_HEADER)
    if not raw:
        raise Problem(
            400, "CORRELATIE_ID_ONTBREEKT", "De header x-correlation-id (een UUID) ontbreekt."
        )
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise Problem(
            400, "CORRELATIE_ID_ONGELDIG", "De header x-correlation-id moet een UUID zijn."
        ) from None


class CorrelatedView(APIView):
    """Every call carries an ``x-correlation-id`` (a UUID)."""

    max_body_bytes = 256 * 1024

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > self.max_body_bytes:
            raise Problem(
                413, "AANVRAAG_TE_GROOT", "De aanvraag is groter dan het register aanvaardt."
            )
        self.correlation_id = correlation_id_of(request)
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        if getattr(self, "correlation_id", None):
            response[CORRELATION_HEADER] = self.correlation_id
        if response.status_code >= 400 and isinstance(response, Response):
            response["Content-Type"] = PROBLEM_CONTENT_TYPE
        return response


class LocalSoftwareView(CorrelatedView):
    permission_classes = [IsLocalSoftware]

    def acting(self, request: Request) -> Acting:
        binding = _binding(request)
        return Acting.landlord(
            binding.company,
            f"client {binding.application.client_id}",
            correlation_id=self.correlation_id,
        )


class IdempotentChange(LocalSoftwareView):
    """A changing call: a retry with the same correlation id returns the first answer.

    The change and the stored answer commit together; answers that a retry should not repeat
    (423 during a freeze, server errors) are not stored.
    """

    REPLAYABLE = range(200, 500)

    def post(self, request: Request) -> Response:
        binding = _binding(request)
        client_id = binding.application.client_id
        body_hash = hashlib.sha256(
            json.dumps(request.data, sort_keys=True, default=str).encode()
        ).hexdigest()
        try:
            with transaction.atomic():
                stored = self._replay(client_id, request, body_hash)
                if stored is not None:
                    return stored
                response = self._answer(request)
                if response.status_code in self.REPLAYABLE and response.status_code != 423:
                    IdempotentRequest.objects.create(
                        client_id=client_id,
                        correlation_id=self.correlation_id,
                        method=request.method or "POST",
                        path=request.path,
                        request_hash=body_hash,
                        status_code=response.status_code,
                        response_body=response.data,
                    )
                return response
        except IntegrityError:
            # A concurrent duplicate committed first: its answer is the first answer.
            stored = self._replay(client_id, request, body_hash)
            if stored is None:
                raise
            return stored

    def _replay(self, client_id: str, request: Request, body_hash: str) -> Response | None:
        previous = IdempotentRequest.objects.filter(
            client_id=client_id, correlation_id=self.correlation_id
        ).first()
        if previous is None:
            return None
        if previous.request_hash != body_hash or previous.path != request.path:
            return problem_response(
                422,
                "CORRELATIE_ID_HERGEBRUIKT",
                "Deze x-correlation-id werd al gebruikt voor een andere aanvraag; gebruik een "
                "nieuwe UUID per aanvraag.",
            )
        response = Response(previous.response_body, status=previous.status_code)
        response["x-herhaling"] = "true"
        if previous.status_code >= 400:
            response.content_type = PROBLEM_CONTENT_TYPE
        return response

    def _answer(self, request: Request) -> Response:
        try:
            with transaction.atomic():
                return self.change(request)
        except Exception as exc:
            response = self.handle_exception(exc)
            if response.status_code >= 500:
                raise
            return response

    def change(self, request: Request) -> Response:
        raise NotImplementedError


def _validated(serializer_class: type[s.StrictSerializer], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class SearchView(LocalSoftwareView):
    @extend_schema(
        operation_id="zoekDossiers",
        summary="Dossiers zoeken",
        description=(
            "Zoekt in de dossiers die de verhuurder deelt (als primaire of secundaire "
            "verhuurder). Met `nietGesynchroniseerd` enkel de dossiers die gewijzigd zijn sinds "
            "de laatste bevestiging: haal ze op, verwerk ze, bevestig ze met "
            "bevestigDossierVerwerking en vraag opnieuw pagina 1 tot de lijst leeg is."
        ),
        request=s.SearchRequest,
        responses={200: s.SearchResponse, **PROBLEMS},
        parameters=[CORRELATION_PARAMETER],
        tags=["dossiers"],
    )
    def post(self, request: Request) -> Response:
        data = _validated(s.SearchRequest, request.data)
        criteria = SearchCriteria(
            dossier_number=data.get("dossierNummer"),
            status=data.get("dossierStatus"),
            dossier_type=data.get("dossierType"),
            applicant_insz=data.get("aanvragerRijksregisternummer"),
            postal_code=data.get("postCode"),
            created_from=data.get("creatieDatumVanaf"),
            created_until=data.get("creatieDatumTot"),
            updated_from=data.get("updateDatumVanaf"),
            updated_until=data.get("updateDatumTot"),
            received_from=data.get("ontvangstDatumVanaf"),
            received_until=data.get("ontvangstDatumTot"),
            unsynchronised_only=data["nietGesynchroniseerd"],
        )
        acting = self.acting(request)
        assert acting.company is not None
        rows, total = page_of(
            search_shares(acting.company, criteria), data["pagina"], data["paginaGrootte"]
        )
        return Response(
            {
                "dossiers": [presenters.search_result(row) for row in rows],
                "pagina": data["pagina"],
                "paginaGrootte": data["paginaGrootte"],
                "totaal": total,
            }
        )


class DossierView(LocalSoftwareView):
    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        # The busiest call of the interface: on PostgreSQL one prepared statement answers it
        # (token, visibility, document, audit); the DRF path below stays for SQLite and is the
        # reference the tests compare it with.
        if connection.vendor != "postgresql" or request.method != "GET":
            return super().dispatch(request, *args, **kwargs)
        return self._get_in_one_statement(request, kwargs["dossierNummer"])

    def _get_in_one_statement(self, request: HttpRequest, number: str) -> HttpResponse:
        try:
            correlation_id = correlation_id_of(request)
        except Problem as problem:
            return problem_http(problem.status_code, problem.problem_code, str(problem.detail))
        headers = {CORRELATION_HEADER: correlation_id}
        scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        check, document = (
            services.read_dossier_document(number, token.strip(), correlation_id)
            if scheme.lower() == "bearer" and token.strip()
            else (AUTH_NO_TOKEN, None)
        )
        if check == AUTH_NO_TOKEN:
            return problem_http(*UNAUTHENTICATED, headers={**headers, **BEARER_CHALLENGE})
        if check == AUTH_FORBIDDEN:
            return problem_http(*FORBIDDEN, headers=headers)
        if document is None:
            missing = DossierNotFound(number)
            return problem_http(missing.status, missing.code, missing.detail, headers=headers)
        return HttpResponse(document, content_type="application/json", headers=headers)

    @extend_schema(
        operation_id="geefDossier",
        summary="Eén dossier, volledig",
        description="Elke raadpleging wordt gelogd. Een dossier dat u niet deelt: 404.",
        responses={200: s.DossierOut, **PROBLEMS},
        parameters=[CORRELATION_PARAMETER],
        tags=["dossiers"],
    )
    def get(self, request: Request, dossierNummer: str) -> Response:
        acting = self.acting(request)
        dossier = services.read_dossier(dossierNummer, acting)
        assert acting.company is not None
        return Response(presenters.whole(dossier, acting.company))


class AcknowledgeView(IdempotentChange):
    @extend_schema(
        operation_id="bevestigDossierVerwerking",
        summary="Verwerking van een dossier bevestigen",
        description=(
            "De lokale software bevestigt dat ze het dossier verwerkte, optioneel tot een "
            "bepaalde `versie`: een dossier dat na die versie wijzigde, blijft niet "
            "gesynchroniseerd. Kan ook tijdens een freeze-periode."
        ),
        request=s.AcknowledgeRequest,
        responses={200: s.AcknowledgeResponse, **PROBLEMS},
        parameters=[CORRELATION_PARAMETER],
        tags=["dossiers"],
    )
    def post(self, request: Request) -> Response:
        return super().post(request)

    def change(self, request: Request) -> Response:
        data = _validated(s.AcknowledgeRequest, request.data)
        share = services.acknowledge(
            data["dossierNummer"], self.acting(request), version=data.get("versie")
        )
        return Response(
            {
                "dossierNummer": share.dossier.number,
                "bevestigdeVersie": share.acknowledged_version,
                "huidigeVersie": share.dossier.version,
                "gesynchroniseerd": not share.unsynchronised,
            }
        )


class ActionView(IdempotentChange):
    @extend_schema(
        operation_id="verwerkDossierActie",
        summary="Een actie op een dossier verwerken",
        description=(
            "Aanbod (OFFER) en uitkomst (ACC, CCLGW, REF, NORES, CCL), onderzoek (REQI, REG, "
            "RJCT, NCOMP) en andere acties (WAIT, WAKE, VOL, DEC, FRAUD, NOACT). Een tweede "
            "ongegronde weigering of niet-reactie schrapt het dossier; de eerste geeft een "
            "aanbodblokkering van drie maanden."
        ),
        request=s.ActionRequest,
        responses={200: s.ActionResponse, **PROBLEMS},
        parameters=[CORRELATION_PARAMETER],
        tags=["dossiers"],
    )
    def post(self, request: Request) -> Response:
        return super().post(request)

    def change(self, request: Request) -> Response:
        data = _validated(s.ActionRequest, request.data)
        payload: dict[str, Any] = {}
        if "pand" in data:
            payload["pand"] = dict(data["pand"])
        if "datumIngangContract" in data:
            payload["datumIngangContract"] = data["datumIngangContract"].isoformat()
        action = Action(data["actie"])
        dossier = services.perform_action(
            data["dossierNummer"],
            action,
            self.acting(request),
            comment=data.get("commentaar", ""),
            payload=payload,
            effective_date=data.get("datumGebeurtenis"),
            expected_version=data.get("versie"),
        )
        return Response(presenters.action_result(dossier, action.value))


class RankingsView(IdempotentChange):
    @extend_schema(
        operation_id="wijzigDossierRangschikkingen",
        summary="Rangschikkingen (pijlers) doorgeven",
        description=(
            "Per dossier in de lijst worden uw rangschikkingen vervangen door de meegegeven. "
            "Alles of niets: één fout en geen enkel dossier wijzigt."
        ),
        request=s.RankingsRequest,
        responses={200: s.RankingsResponse, **PROBLEMS},
        parameters=[CORRELATION_PARAMETER],
        tags=["dossiers"],
    )
    def post(self, request: Request) -> Response:
        return super().post(request)

    def change(self, request: Request) -> Response:
        data = _validated(s.RankingsRequest, request.data)
        per_dossier: dict[str, list[RankingInput]] = defaultdict(list)
        for item in data["rangschikkingen"]:
            per_dossier[item["dossierNummer"]].append(
                RankingInput(
                    list_type=item["rangLijstType"],
                    criterion=item["criterium1"],
                    local_binding=item["lokaleBinding"],
                    limited_region_choice=item["beperkteRegioKeuze"],
                    municipality_nis=item.get("gemeenteNisCode"),
                    neighbourhood=item.get("wijk", ""),
                )
            )
        acting = self.acting(request)
        results = [
            presenters.action_result(services.replace_rankings(number, acting, rankings), "RANKING")
            for number, rankings in sorted(per_dossier.items())
        ]
        return Response({"dossiers": results})


class MunicipalitiesView(LocalSoftwareView):
    @extend_schema(
        operation_id="geefGemeentes",
        summary="Gemeenten",
        description="Alle Belgische gemeenten met NIS-code, postcodes en woonmaatschappij.",
        responses={200: s.MunicipalityOut(many=True), **PROBLEMS},
        parameters=[CORRELATION_PARAMETER],
        tags=["referentie"],
    )
    def get(self, request: Request) -> Response:
        rows = Municipality.objects.select_related("housing_company").order_by("nis_code")
        return Response(
            [
                {
                    "gemeenteNisCode": m.nis_code,
                    "naam": m.name_nl,
                    "naamFr": m.name_fr,
                    "postCodes": m.postal_codes,
                    "vlaams": m.is_flemish,
                    "woonmaatschappij": m.housing_company.kbo if m.housing_company else None,
                }
                for m in rows
            ]
        )


class PremiumFeedView(CorrelatedView):
    permission_classes = [IsRentPremiumService]

    @extend_schema(
        operation_id="geefGebeurtenissenHuurpremie",
        summary="Gebeurtenissen voor de dienst huurpremie",
        description=(
            "Inschrijvingen, schrappingen (met reden), aanvaarde aanbiedingen en sancties, in "
            "volgorde, elk met de datum waarop ze ingingen. Lees verder na de cursor `na`."
        ),
        parameters=[
            CORRELATION_PARAMETER,
            OpenApiParameter("na", OpenApiTypes.STR, description="Cursor (id) om na te lezen"),
            OpenApiParameter(
                "limiet", OpenApiTypes.INT, description="Maximaal 1000, standaard 500"
            ),
        ],
        responses={200: s.PremiumFeedResponse, **PROBLEMS},
        tags=["huurpremie"],
    )
    def get(self, request: Request) -> Response:
        after = request.query_params.get("na", "0") or "0"
        limit_raw = request.query_params.get("limiet", "500")
        if not after.isdigit():
            raise Problem(400, "ONGELDIGE_CURSOR", "De cursor `na` is ongeldig.")
        if not limit_raw.isdigit() or not 1 <= int(limit_raw) <= 1000:
            raise Problem(400, "ONGELDIGE_LIMIET", "`limiet` moet tussen 1 en 1000 liggen.")
        return Response(read_feed(int(after), int(limit_raw)))


def health(request: HttpRequest) -> JsonResponse:
    """Liveness: answers without touching the database (the framework's floor in bench/api.py)."""
    return JsonResponse({"status": "ok"})


def openapi_file(request: HttpRequest) -> FileResponse:
    """The committed OpenAPI document, as CI checks it against the code."""
    from cir.interface.openapi import OPENAPI_PATH

    return FileResponse(
        OPENAPI_PATH.open("rb"), content_type="application/vnd.oai.openapi; charset=utf-8"
    )


__all__ = ["RegisterError"]
