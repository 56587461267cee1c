"""The data migration (invlechting), end to end: read and validate, merge, write.

The rules live in :mod:`cir.domain.migration` (plain Python); this module owns the transaction,
the refusal to overwrite a register, and the report.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import orjson
from django.conf import settings
from django.db import transaction

from cir.domain.migration.inputs import (
    MigrationInputs,
    gc_paused,
    read_inputs,
)
from cir.domain.migration.rules import MigrationPlan, MigrationPlanner, plan_migration
from cir.migration.hugepages import collapse_heap
from cir.migration.writer import clear_register, migration_writer, write_legacy_landlords
from cir.reference.services import load_operating_areas
from cir.register.models import Dossier

Progress = Callable[[str, int, int | None], None]


SWITCH_INTERVAL = 0.0002
"""Seconds a thread may hold the GIL while another waits for it, during the writing."""


MERGE_PROGRESS_EVERY = 10_000
"""Dossiers built between two updates of the merge's progress bar."""


class RegisterNotEmpty(RuntimeError):
    """The register already has dossiers and --replace was not given."""


@dataclass
class MigrationRun:
    plan: MigrationPlan
    timings: dict[str, float] = field(default_factory=dict)
    rows_written: int = 0
    rows_per_table: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    working_set: Any = None
    """The inputs and the planner's state (millions of objects for a large run), kept alive so
    that the command can exit without freeing them one by one (see ``migrate_legacy``)."""

    @property
    def report(self) -> dict[str, Any]:
        return self.plan.report


def companies_as_areas(inputs: MigrationInputs) -> list[dict[str, Any]]:
    return [
        {
            "company_id": c.company_id,
            "name": c.name,
            "kbo": c.kbo,
            "municipalities": list(c.municipalities),
        }
        for c in inputs.companies
    ]


@contextmanager
def _quick_thread_switches() -> Iterator[None]:
    """Let the writer's COPY thread have the GIL soon after it asks.

    That thread needs the GIL briefly every time the socket to PostgreSQL has room again; by
    default it waits up to 5 ms for the planning thread to let go, and PostgreSQL, having
    emptied the socket long before, idles meanwhile."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def run_migration(
    folder: Path,
    *,
    reference_date: date,
    seed: int,
    dry_run: bool = False,
    replace: bool = False,
    progress: Progress | None = None,
) -> MigrationRun:
    if not dry_run and not replace and Dossier.objects.exists():
        raise RegisterNotEmpty(
            "Het register bevat al dossiers; gebruik --replace om het te vervangen."
        )
    started = time.perf_counter()
    inputs = read_inputs(folder, progress=progress)
    read_done = time.perf_counter()
    if progress:
        # The merge's bar from its start; its total (the new dossiers) comes with the numbers.
        progress("merge", 0, None)
    if dry_run:
        plan = plan_migration(inputs, reference_date, seed)  # the report is validated there
        if progress:
            progress("merge", len(plan.dossiers), len(plan.dossiers))
        run = MigrationRun(plan=plan, dry_run=True, working_set=inputs)
        run.timings = {
            "read_and_validate": read_done - started,
            "merge": time.perf_counter() - read_done,
            "write": 0.0,
        }
        return run
    # Writing starts as soon as the persons are known and goes on while the dossiers are built
    # (see MigrationWriter); "merge" ends when the plan is complete, "write" is what is left.
    planner = MigrationPlanner(inputs, reference_date, seed)
    # The input and the persons are in memory now, and the rules start looking things up in
    # them: in huge pages, each lookup walks fewer page tables (decision 0019).
    collapse_heap(settings.MIGRATION_HUGE_PAGES)
    with transaction.atomic(), gc_paused(), _quick_thread_switches():
        if replace:
            clear_register()
        # read_inputs checked the areas file against the same schema already.
        load_operating_areas(companies_as_areas(inputs), validated=True)
        write_legacy_landlords(inputs)
        with migration_writer(reference_date, progress) as writer:
            # PostgreSQL, idle until the numbers otherwise, loads the persons while the rules
            # screen and builds their keys while the dossiers are numbered; their ids follow
            # the order the input names them (persons_in_input_order).
            for found in planner.screening():
                writer.persons(found, planner.persons)
            writer.persons(planner.co_residents_only(), planner.persons)
            writer.persons_complete()
            collapse_heap(settings.MIGRATION_HUGE_PAGES)  # the sources and the candidates
            # PostgreSQL loads the status history and the audit from the numbers at once.
            writer.numbered(planner.number_all())
            drafts = len(planner.drafts)
            if progress:
                progress("merge", 0, drafts)  # how many dossiers there will be, known now
            built = 0
            for built, dossier in enumerate(planner.build_all(), start=1):
                writer.add(dossier)
                if progress and built % MERGE_PROGRESS_EVERY == 0:
                    progress("merge", MERGE_PROGRESS_EVERY, drafts)
            if progress:
                progress("merge", built % MERGE_PROGRESS_EVERY, drafts)
            # PostgreSQL builds the last keys while rule 6 and the report are worked out.
            writer.complete()
            plan = planner.finish()  # the report is validated there
            merge_done = time.perf_counter()
            result = writer.finish()
            if progress:
                # The rows' total is known only now: the bar shows it complete.
                progress("write", 0, result.rows)
        if result.municipalities_unknown:
            plan.report["counts"]["preferences_unknown_municipality"] = (
                result.municipalities_unknown
            )
    run = MigrationRun(plan=plan, working_set=planner)
    run.rows_written = result.rows
    run.rows_per_table = result.per_table
    run.timings = {
        "read_and_validate": read_done - started,
        "merge": merge_done - read_done,
        "write": time.perf_counter() - merge_done,
    }
    return run


def write_report(run: MigrationRun, path: Path) -> None:
    report = dict(run.report)
    path.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))


def migrate_demo(seed: int = 1, stdout: Any = None) -> MigrationRun:
    """make run's demo register: the `demo` legacy profile, generated and migrated."""
    from django.conf import settings
    from django.utils import timezone

    from cir.synthetic.legacy import generate_legacy

    folder = Path(settings.VAR_DIR) / "demo-legacy"
    folder.mkdir(parents=True, exist_ok=True)
    generate_legacy(folder, "demo", seed=seed)
    run = run_migration(folder, reference_date=timezone.localdate(), seed=seed)
    write_report(run, folder / "migration-report.json")
    if stdout is not None:
        counts = run.report["counts"]
        stdout.write(
            f"Invlechting demo: {counts['legacy_dossiers']} historische dossiers → "
            f"{counts['dossiers_created']} dossiers ({counts['groups_split']} gesplitste "
            f"gezinnen, {counts['quarantined']} in quarantaine); rapport: "
            f"{folder / 'migration-report.json'}"
        )
    return run
