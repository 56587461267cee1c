"""cir seed-demo: the embedded database's demo register, clients and admin user.

Everything it creates is synthetic and named as demo data. Running it twice changes nothing:
it only prints the credentials again.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from oauth2_provider.models import Application
from rich.progress import Progress

from cir.interface.clients import create_client
from cir.reference.models import HousingCompany
from cir.reference.services import load_operating_areas
from cir.register.demo import add_sanctioned_examples, seed_register
from cir.register.models import Dossier

DEMO_CLIENTS = {
    "landlord": ("demo-wm01", "demo-wm01-geheim", "WM01"),
    "rent_premium": ("demo-huurpremie", "demo-huurpremie-geheim", None),
}
DEMO_ADMIN = ("admin", "admin-demo")


class Command(BaseCommand):
    help = "Vult de ingebouwde databank met demogegevens (synthetisch) en drukt de toegang af."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dossiers", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--host", default="http://127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        if not HousingCompany.objects.exists():
            from cir.synthetic.areas import demo_operating_areas

            load_operating_areas(demo_operating_areas())
            self.stdout.write("Demo-werkingsgebieden geladen (42 demo-woonmaatschappijen).")
        if not Dossier.objects.exists():
            self._migrate_legacy_demo(options["seed"])
            self._seed_dossiers(options["dossiers"], options["seed"])
        self._clients()
        self._admin()
        self._print(options["host"])

    def _migrate_legacy_demo(self, seed: int) -> None:
        try:
            from cir.migration.services import migrate_demo
        except ImportError:
            return
        migrate_demo(seed=seed, stdout=self.stdout)

    def _seed_dossiers(self, count: int, seed: int) -> None:
        from cir.synthetic.areas import demo_operating_areas
        from cir.synthetic.register import demo_register_dossiers

        specs = demo_register_dossiers(demo_operating_areas(), count, seed)
        with Progress(transient=False) as progress:
            task = progress.add_task("Demodossiers in elke status", total=count)
            created = seed_register(specs, lambda n: progress.advance(task, n))
        from django.utils import timezone

        blocked = add_sanctioned_examples(created[-400::40], timezone.localdate())
        self.stdout.write(
            f"{len(created)} demodossiers aangemaakt, {blocked} met aanbodblokkering."
        )

    def _clients(self) -> None:
        for client_id, secret, company_code in DEMO_CLIENTS.values():
            if Application.objects.filter(client_id=client_id).exists():
                continue
            company = HousingCompany.objects.get(company_id=company_code) if company_code else None
            create_client(
                company=company,
                rent_premium=company is None,
                client_id=client_id,
                client_secret=secret,
            )

    def _admin(self) -> None:
        user_model = get_user_model()
        username, password = DEMO_ADMIN
        if not user_model.objects.filter(username=username).exists():
            user_model.objects.create_superuser(username, "admin@demo.invalid", password)

    def _print(self, host: str) -> None:
        landlord = DEMO_CLIENTS["landlord"]
        premium = DEMO_CLIENTS["rent_premium"]
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("CIR demo (synthetische gegevens)"))
        self.stdout.write(f"  API-documentatie (Swagger UI): {host}/api/docs/")
        self.stdout.write(
            f"  Beheer (Django admin):         {host}/admin/  "
            f"gebruiker {DEMO_ADMIN[0]} / wachtwoord {DEMO_ADMIN[1]}"
        )
        self.stdout.write(
            "  Lokale software WM01:          "
            + json.dumps({"client_id": landlord[0], "client_secret": landlord[1]})
        )
        self.stdout.write(
            "  Dienst huurpremie:             "
            + json.dumps({"client_id": premium[0], "client_secret": premium[1]})
        )
        self.stdout.write(f"  Token: POST {host}/oauth/token/ (grant_type=client_credentials)")
        call_command("freeze", "list")
