"""cir create-client --company COMPANY_ID | --rent-premium"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cir.interface.clients import create_client
from cir.reference.models import HousingCompany


class Command(BaseCommand):
    help = (
        "Maakt een API-client (OAuth2 client credentials) voor de lokale software van een "
        "woonmaatschappij of voor de dienst huurpremie, en drukt {client_id, client_secret} af."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument(
            "--company", help="code (bv. WM07) of KBO-nummer van de woonmaatschappij"
        )
        group.add_argument("--rent-premium", action="store_true", help="voor de dienst huurpremie")

    def handle(self, *args: Any, **options: Any) -> None:
        company = None
        if options["company"]:
            key = options["company"]
            company = (
                HousingCompany.objects.filter(company_id=key).first()
                or HousingCompany.objects.filter(kbo=key).first()
            )
            if company is None:
                raise CommandError(f"Geen woonmaatschappij met code of KBO-nummer {key}.")
        credentials = create_client(company=company, rent_premium=options["rent_premium"])
        self.stdout.write(
            json.dumps(
                {"client_id": credentials.client_id, "client_secret": credentials.client_secret}
            )
        )
