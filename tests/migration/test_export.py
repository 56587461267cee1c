"""cir export-register: the register as JSON Lines (register-dossier.schema.json), in
dossier-number order, from one snapshot."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from cir.domain.migration.inputs import read_inputs
from cir.domain.migration.rules import plan_migration, plan_to_export_lines
from cir.migration import export, services
from cir.migration.export import export_lines
from cir.register.models import Dossier
from cir.synthetic.legacy import generate_legacy

from .builders import demo_input_folder

REFERENCE = date(2024, 1, 2)


@pytest.fixture(scope="module")
def legacy_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_input_folder(tmp_path_factory, seed=4)


def exported() -> list[dict[str, Any]]:
    return [json.loads(line) for line in export_lines()]


@pytest.mark.django_db
def test_the_streams_meet_across_every_fetch(legacy_folder: Path, monkeypatch):
    """Fetched seven rows at a time, the four streams (dossiers, members, choices, shares)
    cross each other's fetches at every few dossiers: still the plan, line for line."""
    services.run_migration(legacy_folder, reference_date=REFERENCE, seed=5)
    monkeypatch.setattr(export, "CHUNK", 7)
    plan = plan_migration(read_inputs(legacy_folder), REFERENCE, 5)
    assert exported() == plan_to_export_lines(plan)


@pytest.mark.django_db
def test_json_columns_read_as_django_reads_them(legacy_folder: Path):
    """The export parses the JSON columns itself: an integer beyond 64 bits stays an integer,
    a number beyond a float's range reads as Django reads it, keys keep their order."""
    services.run_migration(legacy_folder, reference_date=REFERENCE, seed=5)
    other = {"big": 123456789012345678901234567890, "small": -(10**25), "x": 1.5, "a": [1, "b"]}
    dossier = Dossier.objects.order_by("number").first()
    assert dossier is not None
    # Written as text: the driver refuses such an integer, and JSON has no infinity.
    cast = "%s" if connection.vendor == "sqlite" else "%s::jsonb"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE register_dossier SET other_preferences = {cast}, dwelling_types = {cast} "
            "WHERE id = %s",
            [json.dumps(other), '{"huge": 1e400}', dossier.pk],
        )
    first = next(export_lines())
    line = json.loads(first)
    assert line["preferences"]["other"] == other
    assert isinstance(line["preferences"]["other"]["big"], int)
    dossier.refresh_from_db()
    assert list(line["preferences"]["other"]) == list(dossier.other_preferences)
    assert line["preferences"]["dwelling_types"] == ["huge"]
    # PostgreSQL keeps 1e400 as a numeric and writes it out in full (an integer of 401 digits);
    # SQLite keeps the text, which only the standard library reads (as infinity).
    with connection.cursor() as cursor:
        as_text = "" if connection.vendor == "sqlite" else "::text"
        cursor.execute(
            f"SELECT dwelling_types{as_text} FROM register_dossier WHERE id = %s", [dossier.pk]
        )
        (text,) = cursor.fetchone()
    assert export._from_json_text(text) == dossier.dwelling_types
    assert export._from_json_text('{"huge": 1e400}') == {"huge": float("inf")}


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: a second connection that commits while the export reads",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_export_reads_one_snapshot(legacy_folder: Path, monkeypatch):
    """A change committed after the export began is not in it, even in a stream opened after
    the change: the dossiers' stream opens after the other three."""
    services.run_migration(legacy_folder, reference_date=REFERENCE, seed=5)
    dossier = Dossier.objects.order_by("number").first()
    assert dossier is not None
    settings = connection.settings_dict
    other_connection = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        autocommit=True,
    )
    opened = export._ByNumber.__init__

    def open_then_change(self: Any, rows: Any) -> None:
        opened(self, rows)
        other_connection.execute(
            "UPDATE register_dossier SET status = 'WAITS' WHERE id = %s", [dossier.pk]
        )

    monkeypatch.setattr(export._ByNumber, "__init__", open_then_change)
    try:
        first = json.loads(next(export_lines()))
    finally:
        other_connection.close()
    assert first["dossier_number"] == dossier.number
    assert first["status"] == "REG"
    dossier.refresh_from_db()
    assert dossier.status == "WAITS"  # committed, and yet not exported


@pytest.mark.django_db
def test_an_integer_beyond_64_bits_in_free_form_preferences_is_migrated_and_exported(
    tmp_path: Path,
):
    """JSON and the legacy format's free-form objects allow it; orjson refuses it. Every
    legacy dossier carries one, so every content source does."""
    folder = tmp_path / "demo"
    generate_legacy(folder, "demo", seed=4)
    big = 123456789012345678901234567890
    for path in (folder / "dossiers").glob("*.jsonl"):
        lines = []
        for text in path.read_text().splitlines():
            line = json.loads(text)
            line["preferences"]["other"] = {"big": big, "n": -big}
            lines.append(json.dumps(line))
        path.write_text("\n".join(lines) + "\n")
    services.run_migration(folder, reference_date=REFERENCE, seed=5)
    assert Dossier.objects.filter(number__isnull=False).count() > 0
    lines = exported()
    assert len(lines) == Dossier.objects.filter(number__isnull=False).count()
    assert all(line["preferences"]["other"] == {"big": big, "n": -big} for line in lines)
    plan = plan_migration(read_inputs(folder), REFERENCE, 5)
    assert lines == plan_to_export_lines(plan)


@pytest.mark.django_db
def test_a_reader_that_stops_early_ends_the_export_quietly(
    legacy_folder: Path, monkeypatch, tmp_path
):
    """`cir export-register | head`: the closed pipe is not an error, and nothing is raised."""
    services.run_migration(legacy_folder, reference_date=REFERENCE, seed=5)
    target = (tmp_path / "stdout").open("wb")

    class ClosedPipe:
        def write(self, data: bytes) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    class Stdout:
        buffer = ClosedPipe()

        def write(self, text: str) -> int:
            return len(text)

        def fileno(self) -> int:
            return target.fileno()

        def isatty(self) -> bool:
            return False

        def flush(self) -> None:
            pass

    monkeypatch.setattr(sys, "stdout", Stdout())
    try:
        call_command("export_register")
    finally:
        target.close()
