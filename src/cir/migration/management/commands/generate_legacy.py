"""cir generate-legacy DIR --profile demo|flanders|x10 [--seed N]"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext_lazy as _
from rich.progress import Progress

STAGE_LABELS = {"households": _("huishoudens")}
"""The progress bar's name, by the generator's stage."""


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

            def progress(stage: str, done: int, total: int | None) -> None:
                # The generator reports how many are done so far, not how many more.
                if stage not in tasks:
                    tasks[stage] = bar.add_task(str(STAGE_LABELS.get(stage, stage)), total=total)
                bar.update(tasks[stage], completed=done, total=total)

            summary = generate_legacy(
                options["dir"], options["profile"], seed=options["seed"], progress=progress
            )
        self.stdout.write(json.dumps(summary, indent=2, default=str))
