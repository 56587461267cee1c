"""API clients: an OAuth2 client-credentials application bound to a company or the premium
service."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from oauth2_provider.generators import generate_client_id, generate_client_secret
from oauth2_provider.models import Application

from cir.interface.models import ClientBinding
from cir.reference.models import HousingCompany


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    client_secret: str


def create_client(
    *,
    company: HousingCompany | None = None,
    rent_premium: bool = False,
    client_id: str | None = None,
    client_secret: str | None = None,
) -> ClientCredentials:
    """The secret is returned once; the database keeps only its hash."""
    if (company is None) == (not rent_premium):
        raise ValueError("a client serves either one housing company or the rent-premium service")
    secret = client_secret or generate_client_secret()
    cid = client_id or generate_client_id()
    name = "Dienst huurpremie" if rent_premium else f"Lokale software {company}"
    with transaction.atomic():
        application = Application.objects.create(
            client_id=cid,
            client_secret=secret,
            name=name[:255],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            hash_client_secret=True,
        )
        ClientBinding.objects.create(
            application=application, company=company, rent_premium=rent_premium
        )
    return ClientCredentials(cid, secret)
