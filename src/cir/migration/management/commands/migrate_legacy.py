"""cir migrate-legacy DIR [--reference-date D] [--seed N] [--report FILE] [--dry-run] [--replace]
[--timings-json FILE]"""

from __future__ import annotations

import logging
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

import orjson
from django.core.checks import Tags
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from cir.domain.migration.errors import MigrationError
from cir.migration.hugepages import arena_counters
from cir.migration.services import MigrationRun, RegisterNotEmpty, run_migration, write_report

COUNT_LABELS = {
    "legacy_dossiers": _("historische dossiers gelezen"),
    "legacy_dossiers_merged": _("historische dossiers ingevlochten"),
    "quarantined": _("historische dossiers in quarantaine"),
    "persons": _("personen"),
    "population_lines": _("regels rijksregisteruittreksel"),
    "groups": _("groepen kandidaat-huurders"),
    "groups_split": _("gesplitste groepen"),
    "candidates": _("kandidaat-huurders"),
    "dossiers_created": _("nieuwe dossiers"),
    "co_residents_dropped": _("medebewoners weggelaten (ongeldig rijksregisternummer)"),
    "identity_warnings": _("identiteitswaarschuwingen"),
    "rent_premium_outcomes": _("huurpremie-uitkomsten (regel 6)"),
    "migration_letters": _("brieven invlechting"),
    "preferences_unknown_municipality": _("onbekende gekozen gemeenten weggelaten"),
}
BAR_LABELS = {
    "operating_areas": _("werkingsgebieden"),
    "landlords": _("historische verhuurders"),
    "population": _("rijksregisteruittreksel"),
    "dossiers": _("historische dossiers"),
    "merge": _("samenvoegen"),
    "write": _("schrijven"),
}
"""The progress bars' names, by the phase the migration reports."""
PHASE_LABELS = {
    "read_and_validate": _("lezen en valideren"),
    "merge": _("samenvoegen"),
    "write": _("schrijven"),
}


class Command(BaseCommand):
    help = "Vlecht de historische dossiers in: één dossier per kandidaat-huurder."
    # The models' checks only: the others import the whole API (URLs, views, DRF) to check
    # what this command never serves, 0.2-0.4 s before a run whose start counts
    # (bench/migration.py). `cir check` and every server start still run them all.
    requires_system_checks = [Tags.models]
    last_run: MigrationRun | None = None

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir", type=Path)
        parser.add_argument("--reference-date", type=date.fromisoformat, default=None)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--report", type=Path, default=None)
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--replace", action="store_true")
        parser.add_argument(
            "--timings-json",
            type=Path,
            default=None,
            help="write the seconds per phase and the rows written as JSON (bench/migration.py)",
        )

    def run_from_argv(self, argv: list[str]) -> None:
        """From the shell: once everything is committed and printed, end the process at once.

        A large run holds millions of small objects; freeing them one by one on the way out
        took about 20 s at the x10 profile, with nothing left to do. Errors still leave through
        Django's usual path (SystemExit); ``call_command`` does not come here."""
        super().run_from_argv(argv)
        sys.stdout.flush()
        sys.stderr.flush()
        logging.shutdown()
        os._exit(0)

    def handle(self, *args: Any, **options: Any) -> None:
        reference = options["reference_date"] or timezone.localdate()
        tasks: dict[str, Any] = {}
        try:
            # The bar redraws from a thread of its own, which takes the GIL from the rules each
            # time: four times a second on a terminal is smooth enough, and output to a file
            # gets the final state only.
            console = Console()
            with Progress(
                console=console, auto_refresh=console.is_terminal, refresh_per_second=4
            ) as bar:

                def progress(phase: str, advance: int, total: int | None) -> None:
                    if phase not in tasks:
                        tasks[phase] = bar.add_task(str(BAR_LABELS.get(phase, phase)), total=total)
                    bar.update(tasks[phase], advance=advance, total=total)

                run = run_migration(
                    options["dir"],
                    reference_date=reference,
                    seed=options["seed"],
                    dry_run=options["dry_run"],
                    replace=options["replace"],
                    progress=progress,
                )
        except (RegisterNotEmpty, MigrationError) as exc:
            raise CommandError(str(exc)) from None
        self.last_run = run  # freed with the process, not before (see run_from_argv)
        if options["report"]:
            write_report(run, options["report"])
        if options["timings_json"]:
            options["timings_json"].write_bytes(
                orjson.dumps(
                    {
                        "timings": run.timings,
                        "rows_written": run.rows_written,
                        "rows_per_table": run.rows_per_table,
                        "counts": run.report["counts"],
                        "huge_page_arenas": arena_counters(),
                    },
                    option=orjson.OPT_INDENT_2,
                )
            )
        counts = run.report["counts"]
        table = Table(
            title=str(
                _("Invlechting (proefdraai: niets geschreven)") if run.dry_run else _("Invlechting")
            )
        )
        table.add_column("")
        table.add_column(str(_("aantal")), justify="right")
        for key, value in counts.items():
            table.add_row(str(COUNT_LABELS.get(key, key)), str(value))
        for phase, seconds in run.timings.items():
            table.add_row(
                str(_("tijd: %(phase)s") % {"phase": PHASE_LABELS.get(phase, phase)}),
                f"{seconds:.1f} s",
            )
        console = Console(record=True, width=80)
        with console.capture() as captured:
            console.print(table)
        self.stdout.write(captured.get())
        if options["report"]:
            self.stdout.write(str(_("Rapport: %(file)s") % {"file": options["report"]}))
