"""The admin shows everything and changes dossiers only through the services."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from cir.register.models import Dossier
from tests.factories import DossierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator() -> Client:
    user = get_user_model().objects.create_superuser("operator", "op@example.invalid", "pw")
    client = Client()
    client.force_login(user)
    return client


def test_admin_lists_every_model(areas, operator):
    DossierFactory(in_offer_by_secondary=True)
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert operator.get(url).status_code == 200, url


def test_admin_shows_a_dossier_but_cannot_change_or_delete_it(areas, operator):
    dossier = DossierFactory()
    url = reverse("admin:register_dossier_change", args=[dossier.pk])
    page = operator.get(url)
    assert page.status_code == 200
    assert dossier.number.encode() in page.content
    operator.post(url, {"status": "RJCT"})
    deleted = operator.post(reverse("admin:register_dossier_delete", args=[dossier.pk]))
    assert deleted.status_code == 403
    dossier.refresh_from_db()
    assert dossier.status == "REG"
    assert Dossier.objects.filter(pk=dossier.pk).exists()
