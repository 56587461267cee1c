"""Operators' commands (issue 2, item 8; issue 2, item 2: load-areas)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from cir.interface.models import ClientBinding
from cir.reference.models import HousingCompany, Municipality
from cir.register.models import FreezeWindow
from tests.conftest import DEMO_AREAS

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def write(tmp_path: Path, data: object) -> str:
    path = tmp_path / "areas.json"
    path.write_text(json.dumps(data))
    return str(path)


def test_register_knows_every_belgian_municipality_with_flemish_flag() -> None:
    assert Municipality.objects.count() == 565
    assert Municipality.objects.filter(is_flemish=True).count() == 285
    assert Municipality.objects.get(pk="11002").is_flemish  # Antwerpen
    assert not Municipality.objects.get(pk="21004").is_flemish  # Brussel


def test_load_areas_loads_the_demo_companies_covering_flanders() -> None:
    out = run("load_areas", str(DEMO_AREAS))
    assert "42 woonmaatschappijen, 285 gemeenten" in out
    assert HousingCompany.objects.count() == 42
    assert not Municipality.objects.filter(is_flemish=True, housing_company=None).exists()


def test_load_areas_rejects_overlap_non_flemish_unknown_and_invalid_kbo(tmp_path) -> None:
    data = [
        {"company_id": "X", "name": "x", "kbo": "0412345678", "municipalities": ["11001", "21004"]},
        {"company_id": "Y", "name": "y", "kbo": "0403170701", "municipalities": ["11001", "99999"]},
    ]
    with pytest.raises(CommandError) as refused:
        run("load_areas", write(tmp_path, data))
    message = str(refused.value)
    assert "0412345678 is ongeldig" in message
    assert "21004 (Brussel) ligt niet in Vlaanderen" in message
    assert "99999 is geen bekende NIS-code" in message
    assert "11001 (Aartselaar) ligt in meer dan één werkingsgebied: X, Y" in message
    assert not HousingCompany.objects.exists()  # all or nothing


def test_create_client_prints_one_json_line_and_binds_the_client(areas) -> None:
    line = run("create_client", "--company", "WM07").strip()
    assert "\n" not in line
    credentials = json.loads(line)
    binding = ClientBinding.objects.get(application__client_id=credentials["client_id"])
    assert binding.company.company_id == "WM07" and not binding.rent_premium
    token = APIClient().post("/oauth/token/", {"grant_type": "client_credentials", **credentials})
    assert token.status_code == 200
    assert token.json()["scope"] == "lokale-software"

    premium = json.loads(run("create_client", "--rent-premium"))
    answer = APIClient().post("/oauth/token/", {"grant_type": "client_credentials", **premium})
    assert answer.json()["scope"] == "huurpremie"


def test_create_client_for_an_unknown_company_is_refused(areas) -> None:
    with pytest.raises(CommandError, match="WM99"):
        run("create_client", "--company", "WM99")


def test_freeze_add_list_remove() -> None:
    added = run("freeze", "add", "--start", "2023-11-17T17:00", "--end", "2024-01-02T08:00")
    window = FreezeWindow.objects.get()
    assert f"Freeze-periode {window.pk} toegevoegd" in added
    listed = run("freeze", "list")
    assert "2023-11-17T17:00:00+01:00" in listed and "voorbij" in listed
    with pytest.raises(CommandError):
        run("freeze", "add", "--start", "2024-01-02T08:00", "--end", "2023-11-17T17:00")
    run("freeze", "remove", str(window.pk))
    assert not FreezeWindow.objects.exists()
    with pytest.raises(CommandError):
        run("freeze", "remove", str(window.pk))
