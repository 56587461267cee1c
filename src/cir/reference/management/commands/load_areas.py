"""cir load-areas FILE: housing companies and their operating areas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cir.reference.services import AreasRejected, load_operating_areas


class Command(BaseCommand):
    help = "Laadt woonmaatschappijen en hun werkingsgebieden (operating-areas.schema.json)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CommandError(f"{path}: bestand niet gevonden.") from None
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path}: geen geldige JSON (regel {exc.lineno}).") from None
        try:
            result = load_operating_areas(data)
        except AreasRejected as exc:
            raise CommandError(
                f"{path} werd niet geladen:\n" + "\n".join(f"- {p}" for p in exc.problems)
            ) from None
        self.stdout.write(
            f"{result.companies} woonmaatschappijen, {result.municipalities} gemeenten geladen."
        )
        if result.uncovered:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(result.uncovered)} Vlaamse gemeenten liggen in geen enkel "
                    f"werkingsgebied: {', '.join(result.uncovered[:20])}"
                    + (" ..." if len(result.uncovered) > 20 else "")
                )
            )
