"""geefDossier's fast path (one statement on PostgreSQL) answers exactly what the ORM path does."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from cir.interface import presenters
from cir.register import services
from cir.register.errors import DossierNotFound
from cir.register.models import AuditEntry, Member, MemberRole, Ranking, StatusChange
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
def test_fast_read_answers_what_the_orm_read_answers(areas, code) -> None:
    dossier = _rich_dossier()
    plain = DossierFactory()
    reader = company(code)
    for subject in (dossier, plain):
        correlation = str(uuid.uuid4())
        acting = services.Acting.landlord(reader, f"client {code}", correlation_id=correlation)
        fast = services.read_dossier(subject.number, acting)
        assert fast.pk == subject.pk
        assert hasattr(fast, "whole_parts")
        via_orm = services.dossier_queryset().get(pk=subject.pk)
        assert presenters.whole(fast, reader) == presenters.whole(via_orm, reader)
        [entry] = AuditEntry.objects.filter(correlation_id=correlation)
        assert (entry.operation, entry.actor_kind, entry.actor_company, entry.dossier_id) == (
            "READ",
            "landlord",
            reader,
            subject.pk,
        )
        assert (entry.actor_label, entry.summary, entry.on_behalf_of, entry.before) == (
            f"client {code}",
            "dossier gelezen",
            None,
            None,
        )


def test_fast_read_of_a_dossier_not_shared_is_not_found_and_not_logged(areas) -> None:
    dossier = DossierFactory()
    acting = services.Acting.landlord(company("WM03"), "client WM03")
    with pytest.raises(DossierNotFound):
        services.read_dossier(dossier.number, acting)
    with pytest.raises(DossierNotFound):
        services.read_dossier("2099.01.01.0001", acting)
    assert not AuditEntry.objects.filter(operation="READ").exists()
