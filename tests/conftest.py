from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from cir.interface.clients import create_client
from cir.reference.models import HousingCompany

DEMO_AREAS = (
    Path(__file__).resolve().parent.parent / "src/cir/reference/data/demo_operating_areas.json"
)


@pytest.fixture
def areas(db: Any) -> None:
    from cir.reference.services import load_operating_areas

    load_operating_areas(json.loads(DEMO_AREAS.read_text()))


class LandlordClient:
    """The local software of one housing company, speaking the interface."""

    BASE = "/v1/socZek/socialeHuisvesting/"

    def __init__(self, company: HousingCompany | None, rent_premium: bool = False) -> None:
        self.company = company
        credentials = create_client(company=company, rent_premium=rent_premium)
        self.http = APIClient()
        token = self.http.post(
            "/oauth/token/",
            {
                "grant_type": "client_credentials",
                "client_id": credentials.client_id,
                "client_secret": credentials.client_secret,
            },
        )
        assert token.status_code == 200, token.content
        self.access_token = token.json()["access_token"]
        self.http.credentials(HTTP_AUTHORIZATION=f"Bearer {self.access_token}")

    def fork(self) -> LandlordClient:
        """Another client with the same token, for use in another thread."""
        twin = object.__new__(LandlordClient)
        twin.company = self.company
        twin.access_token = self.access_token
        twin.http = APIClient()
        twin.http.credentials(HTTP_AUTHORIZATION=f"Bearer {self.access_token}")
        return twin

    def post(self, path: str, body: Any, correlation_id: str | None = None) -> Any:
        return self.http.post(
            self.BASE + path,
            body,
            format="json",
            HTTP_X_CORRELATION_ID=correlation_id or str(uuid.uuid4()),
        )

    def get(self, path: str, correlation_id: str | None = None, base: str | None = None) -> Any:
        return self.http.get(
            (self.BASE if base is None else base) + path,
            HTTP_X_CORRELATION_ID=correlation_id or str(uuid.uuid4()),
        )

    def action(self, number: str, actie: str, **extra: Any) -> Any:
        return self.post(
            "dossiers/verwerkDossierActie", {"dossierNummer": number, "actie": actie, **extra}
        )


@pytest.fixture
def landlord(areas: None) -> Any:
    """``landlord("WM01")`` gives that company's local software."""

    def make(code: str) -> LandlordClient:
        return LandlordClient(HousingCompany.objects.get(company_id=code))

    return make


@pytest.fixture
def premium_service(areas: None) -> LandlordClient:
    return LandlordClient(None, rent_premium=True)
