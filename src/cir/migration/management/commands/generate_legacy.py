"""cir generate-legacy DIR --profile demo|flanders|x10 [--seed N]"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from rich.progress import Progress


class Command(BaseCommand):
    help = "Schrijft synthetische historische exports (invoer van de invlechting)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir", type=Path)
        parser.add_argument("--profile", choices=["demo", "flanders", "x10"], default="demo")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        from cir.synthetic.legacy import generate_legacy

        tasks: dict[str, Any] = {}
        with Progress() as bar:

            def progress(phase: str, advance: int, total: int | None) -> None:
                if phase not in tasks:
                    tasks[phase] = bar.add_task(phase, total=total)
                bar.update(tasks[phase], advance=advance, total=total)

            summary = generate_legacy(
                options["dir"], options["profile"], seed=options["seed"], progress=progress
            )
        self.stdout.write(json.dumps(summary, indent=2, default=str))
