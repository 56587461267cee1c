"""geefDossier's fast path (one statement on PostgreSQL) answers exactly what the ORM path does."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from cir.interface import presenters
from cir.register import services
from cir.register.models import AuditEntry, Member, MemberRole, Ranking, StatusChange
from tests.conftest import LandlordClient
from tests.factories import DossierFactory, PersonFactory, company, first_municipality_of

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the one-statement read is PostgreSQL's"
)


def _rich_dossier():
    dossier = DossierFactory(in_offer_by_secondary=True, once_sanctioned=True)
    Member.objects.create(
        dossier=dossier,
        person=PersonFactory(domicile=first_municipality_of("WM02")),
        role=MemberRole.CO_RESIDENT,
    )
    Member.objects.create(
        dossier=dossier,
        person=PersonFactory(birth_date=None),
        role=MemberRole.PARTNER,
        waiting_since=date(2021, 3, 4),
        holds_candidacy=True,
        participation_confirmed_at=timezone.now(),
    )
    for who, municipality in (("WM01", None), ("WM02", first_municipality_of("WM02"))):
        for list_type, criterion in (("PLR1", "H"), ("PLR2", "EHOME")):
            Ranking.objects.create(
                dossier=dossier,
                company=company(who),
                list_type=list_type,
                criterion=criterion,
                local_binding="YES",
                limited_region_choice="NO",
                municipality=municipality,
                neighbourhood="Centrum" if municipality else "",
            )
    on = timezone.localdate() - timedelta(days=3)
    StatusChange.objects.create(
        dossier=dossier, from_status="CHKS", to_status="REG", action="REG", effective_date=on
    )
    StatusChange.objects.create(
        dossier=dossier, from_status="REG", to_status="OFFER", action="OFFER", effective_date=on
    )
    choice = dossier.choices.order_by("position").first()
    choice.neighbourhoods = ["Noord", "Zuid"]
    choice.save()
    dossier.other_preferences = {"rolstoel": True, "huisdieren": False}
    dossier.content_source = {"bron": "WM01", "id": 7}
    dossier.save()
    return dossier


@pytest.mark.parametrize("code", ["WM01", "WM02"])
def test_document_built_in_sql_is_what_the_presenter_builds(areas, landlord, code) -> None:
    dossier = _rich_dossier()
    plain = DossierFactory()
    software = landlord(code)
    reader = company(code)
    for subject in (dossier, plain):
        correlation = str(uuid.uuid4())
        answer = software.get(f"dossiers/dossier/{subject.number}", correlation_id=correlation)
        assert answer.status_code == 200, answer.content
        assert answer["Content-Type"] == "application/json"
        assert answer["x-correlation-id"] == correlation
        via_orm = services.dossier_queryset().get(pk=subject.pk)
        assert json.loads(answer.content) == presenters.whole(via_orm, reader)
        [entry] = AuditEntry.objects.filter(correlation_id=correlation)
        assert (entry.operation, entry.actor_kind, entry.actor_company, entry.dossier_id) == (
            "READ",
            "landlord",
            reader,
            subject.pk,
        )
        assert (entry.summary, entry.on_behalf_of, entry.before) == ("dossier gelezen", None, None)
        assert entry.actor_label.startswith("client ")


def test_document_path_refuses_like_the_drf_path(areas, landlord, premium_service) -> None:
    dossier = DossierFactory()
    outsider = landlord("WM03")
    unknown = outsider.get("dossiers/dossier/2099.01.01.0001")
    not_shared = outsider.get(f"dossiers/dossier/{dossier.number}")
    assert unknown.status_code == not_shared.status_code == 404
    assert json.loads(not_shared.content)["code"] == "DOSSIER_NIET_GEVONDEN"
    assert json.loads(unknown.content)["detail"].replace("2099.01.01.0001", "X") == json.loads(
        not_shared.content
    )["detail"].replace(dossier.number, "X")
    assert not AuditEntry.objects.filter(operation="READ").exists()
    wrong_client = premium_service.get(f"dossiers/dossier/{dossier.number}")
    assert wrong_client.status_code == 403
    assert json.loads(wrong_client.content)["code"] == "GEEN_TOEGANG"
    anonymous = APIClient().get(
        LandlordClient.BASE + f"dossiers/dossier/{dossier.number}",
        HTTP_X_CORRELATION_ID=str(uuid.uuid4()),
    )
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"] == 'Bearer realm="cir"'
    missing_id = APIClient().get(LandlordClient.BASE + f"dossiers/dossier/{dossier.number}")
    assert missing_id.status_code == 400
    assert json.loads(missing_id.content)["code"] == "CORRELATIE_ID_ONTBREEKT"
    assert missing_id["Content-Type"] == "application/problem+json"
