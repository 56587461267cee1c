"""The whole migration into the database (cir migrate-legacy, cir export-register): what is
written is exactly the plan of migration.md's rules, in one transaction, and nothing else."""

from __future__ import annotations

import json
import re
import shutil
import sys
from datetime import date
from pathlib import Path

import jsonschema
import msgspec
import pytest
from django.core.management import CommandError, call_command

from cir.domain.migration.inputs import read_inputs, schema
from cir.domain.migration.rules import MigrationPlanner, plan_migration, plan_to_export_lines
from cir.migration import services, writer
from cir.migration.export import export_lines
from cir.migration.models import LegacyLandlord
from cir.register.models import (
    ActionRecord,
    AuditEntry,
    Dossier,
    DossierShare,
    Event,
    EventAudience,
    Member,
    MunicipalityChoice,
    Person,
    StatusChange,
)

from .builders import demo_input_folder

REFERENCE = date(2024, 1, 2)
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def legacy_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_input_folder(tmp_path_factory, seed=3)


def migrate(folder: Path, *args: str) -> None:
    call_command(
        "migrate_legacy",
        str(folder),
        "--reference-date",
        REFERENCE.isoformat(),
        "--seed",
        "5",
        *args,
    )


def exported() -> list[dict]:
    return [json.loads(line) for line in export_lines()]


def test_migration_writes_exactly_the_plan_of_the_rules(legacy_folder: Path, tmp_path: Path):
    report_path = tmp_path / "report.json"
    migrate(legacy_folder, "--report", str(report_path))
    plan = plan_migration(read_inputs(legacy_folder), REFERENCE, 5)
    assert exported() == plan_to_export_lines(plan)
    report = json.loads(report_path.read_text())
    jsonschema.validate(report, schema("migration-report"))
    assert report["counts"]["dossiers_created"] == Dossier.objects.count() == len(plan.dossiers)
    validator = jsonschema.Draft202012Validator(schema("register-dossier"))
    for line in exported():
        validator.validate(line)


def test_persons_and_dossiers_sent_in_many_small_copies_give_the_same_register(
    legacy_folder: Path, monkeypatch
):
    """On PostgreSQL the persons' rows go while the rules screen, and the dossiers' in
    batches; with batches and chunks small enough that each table takes many COPYs, the
    register is still exactly the plan, every member's person included."""
    from cir.migration import rows

    monkeypatch.setattr(writer, "BATCH_DOSSIERS", 25)
    monkeypatch.setattr(rows, "COPY_CHUNK_ROWS", 40)
    migrate(legacy_folder)
    plan = plan_migration(read_inputs(legacy_folder), REFERENCE, 5)
    assert exported() == plan_to_export_lines(plan)
    assert Person.objects.count() == len(plan.persons)
    assert sorted(Person.objects.values_list("insz", flat=True)) == [p.insz for p in plan.persons]


def test_the_report_counts_the_persons_the_register_holds_from_their_numbers(legacy_folder):
    """A run that writes never makes the planned persons (decision 0021): the report counts
    them, and finds those missing from the extract, from their numbers; the plan still gives
    them when asked, the same as the register's."""
    run = services.run_migration(legacy_folder, reference_date=REFERENCE, seed=5)
    assert run.working_set._created is None
    registered = sorted(Person.objects.values_list("insz", flat=True))
    assert run.report["counts"]["persons"] == len(registered)
    missing = sorted(
        w["insz"] for w in run.report["identity_warnings"] if w["kind"] == "not_in_population"
    )
    assert missing
    assert missing == sorted(
        Person.objects.filter(birth_date__isnull=True).values_list("insz", flat=True)
    )
    assert [p.insz for p in run.plan.persons] == registered
    assert run.working_set._created is not None


def test_the_rows_counted_per_table_are_the_rows_each_table_holds(legacy_folder: Path):
    """The run's count per table (the bench's "rows written", --timings-json) comes with each
    chunk from the rows that made it, not from the COPY text: each table holds that many."""
    run = services.run_migration(legacy_folder, reference_date=REFERENCE, seed=5)
    held = {m._meta.db_table: m._default_manager.count() for m in writer._WRITTEN_MODELS}
    assert run.rows_per_table == held
    assert run.rows_written == sum(held.values())
    assert held["register_member"] > held["register_dossier"] > 0


def _bars(calls: list[tuple[str, int, int | None]]) -> dict[str, tuple[int, int | None]]:
    """Each progress bar as the command shows it at the end: (done, total)."""
    bars: dict[str, tuple[int, int | None]] = {}
    for phase, advance, total in calls:
        done, known = bars.get(phase, (0, None))
        bars[phase] = (done + advance, total if total is not None else known)
    return bars


@pytest.mark.parametrize("dry_run", [False, True], ids=["written", "dry_run"])
def test_the_merge_and_write_bars_end_complete(legacy_folder: Path, dry_run: bool):
    """A bar that stops short of its total (the last dossiers not counted) or never learns it
    looks like a run that did not finish."""
    calls: list[tuple[str, int, int | None]] = []
    run = services.run_migration(
        legacy_folder,
        reference_date=REFERENCE,
        seed=5,
        dry_run=dry_run,
        progress=lambda phase, advance, total: calls.append((phase, advance, total)),
    )
    bars = _bars(calls)
    dossiers = run.report["counts"]["dossiers_created"]
    assert dossiers % services.MERGE_PROGRESS_EVERY != 0  # a remainder to count at the end
    assert bars["merge"] == (dossiers, dossiers)
    # The merge's bar is there before the first dossier is built, with no total yet.
    assert calls.index(("merge", 0, None)) < calls.index(
        next(c for c in calls if c[0] == "merge" and c[2])
    )
    if dry_run:
        assert "write" not in bars
    else:
        assert bars["write"] == (run.rows_written, run.rows_written)


def test_every_migrated_dossier_has_its_history_action_audit_and_migra_event(legacy_folder):
    switching = sys.getswitchinterval()
    migrate(legacy_folder)
    assert sys.getswitchinterval() == switching  # quicker only while the run writes
    count = Dossier.objects.count()
    assert count > 0
    # The run's time, date and id: left out of the COPY text, the same on every row.
    dossier_times = set(Dossier.objects.values_list("created_at", "updated_at", "received_at"))
    [(created, updated, received)] = dossier_times
    assert created == updated == received
    assert set(Dossier.objects.values_list("last_activity_on", flat=True)) == {REFERENCE}
    assert set(StatusChange.objects.values_list("effective_date", "at")) == {(REFERENCE, created)}
    actions = set(ActionRecord.objects.values_list("effective_date", "at", "correlation_id"))
    [(effective, at, run_id)] = actions
    assert (effective, at) == (REFERENCE, created) and run_id is not None
    assert set(AuditEntry.objects.values_list("at", "correlation_id")) == {(created, run_id)}
    assert set(Event.objects.values_list("effective_date", "created_at")) == {(REFERENCE, created)}
    # The history and the audit are written before the dossiers, from their numbers alone.
    numbers = dict(Dossier.objects.values_list("pk", "number"))
    assert {a.dossier_id: a.after["number"] for a in AuditEntry.objects.all()} == numbers
    assert sorted(StatusChange.objects.values_list("dossier_id", flat=True)) == sorted(numbers)
    assert Dossier.objects.filter(status="REG", dossier_type="MIGRA", version=1).count() == count
    assert StatusChange.objects.filter(action="MIGRA", to_status="REG").count() == count
    assert ActionRecord.objects.filter(action="MIGRA").count() == count
    assert AuditEntry.objects.filter(operation="CREATE").count() == count
    migra = Event.objects.filter(audience=EventAudience.RENT_PREMIUM, kind="MIGRA")
    assert migra.count() == count
    assert migra.values("dossier").distinct().count() == count
    # every sharing landlord still has to pull every migrated dossier
    assert not DossierShare.objects.filter(unsynchronised=False).exists()
    assert DossierShare.objects.filter(is_primary=True).count() == count
    candidates = Member.objects.filter(role__in=["applicant", "partner"])
    assert candidates.filter(holds_candidacy=False).count() == 0
    assert candidates.values("person").distinct().count() == candidates.count()
    assert LegacyLandlord.objects.filter(kind="LB").exists()
    # The constants: left out of the COPY text too (decision 0018), on every row.
    assert set(Person.objects.values_list("email", "phone1", "phone2", "address")) == {
        ("", "", "", "")
    }
    assert set(Dossier.objects.values_list("sanction_count", "removal_reason")) == {(0, "")}
    neighbourhoods = MunicipalityChoice.objects.values_list("neighbourhoods", flat=True)
    assert len(neighbourhoods) > 0 and all(value == [] for value in neighbourhoods)
    assert set(DossierShare.objects.values_list("acknowledged_version", flat=True)) == {0}
    assert set(StatusChange.objects.values_list("from_status", "removal_reason")) == {("", "")}
    assert set(
        ActionRecord.objects.values_list("actor_kind", "actor_label", "comment", "version_after")
    ) == {("register", "invlechting", "", 1)}
    assert set(AuditEntry.objects.values_list("actor_kind", "actor_label", "summary")) == {
        ("register", "invlechting", "dossier aangemaakt door de invlechting")
    }


def test_a_register_with_dossiers_is_refused_unless_replaced(legacy_folder):
    migrate(legacy_folder)
    first = exported()
    with pytest.raises(CommandError, match="--replace"):
        migrate(legacy_folder)
    migrate(legacy_folder, "--replace")
    assert exported() == first  # same input and seed: the same register


def test_a_failed_replace_leaves_the_old_register_in_place(legacy_folder, monkeypatch):
    """--replace clears the register (on PostgreSQL with TRUNCATE) inside the run's transaction."""
    migrate(legacy_folder)
    first = exported()
    persons = Person.objects.count()
    finish = writer.MigrationWriter.finish

    def finish_then_fail(self):
        finish(self)
        raise RuntimeError("disk full")

    monkeypatch.setattr(writer.MigrationWriter, "finish", finish_then_fail)
    with pytest.raises(RuntimeError):
        migrate(legacy_folder, "--replace")
    assert exported() == first
    assert Person.objects.count() == persons


def _schema_of_the_register() -> set[tuple[str, ...]]:
    """Every constraint, index and column default touching the tables the migration loads
    (PostgreSQL; the load also sets defaults for the run's values)."""
    from django.db import connection

    tables = [m._meta.db_table for m in writer._WRITTEN_MODELS]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'constraint', conrelid::regclass::text, conname, pg_get_constraintdef(oid), "
            "convalidated::text FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[]) OR confrelid = ANY(%s::regclass[]) "
            "UNION ALL SELECT 'index', tablename, indexname, indexdef, '' FROM pg_indexes "
            "WHERE tablename = ANY(%s) "
            "UNION ALL SELECT 'default', table_name, column_name, coalesce(column_default, ''), '' "
            "FROM information_schema.columns WHERE table_name = ANY(%s)",
            [tables, tables, tables, tables],
        )
        return set(cursor.fetchall())


def test_every_key_index_and_constraint_is_back_after_the_bulk_load(legacy_folder):
    """On PostgreSQL the load drops primary keys, indexes and foreign keys (also those of other
    tables to the loaded ones) and creates them again, validated, in the same transaction; the
    defaults it gives columns for the run's values are gone again too."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the bulk load drops nothing on SQLite")
    with connection.cursor() as cursor:  # a column default of its own, to be kept
        cursor.execute(
            "ALTER TABLE register_event ALTER COLUMN effective_date SET DEFAULT '2000-01-01'"
        )
    before = _schema_of_the_register()
    assert ("default", "register_event", "effective_date", "'2000-01-01'::date", "") in before
    assert any(row[3].startswith("PRIMARY KEY") for row in before)
    assert any(
        row[1] == "register_proxy" and "REFERENCES register_dossier" in row[3] for row in before
    )
    migrate(legacy_folder)
    assert _schema_of_the_register() == before


def test_a_run_with_huge_pages_writes_the_same_register(legacy_folder, monkeypatch):
    """Decision 0019: the heap is collapsed after the reading and after the screening, and
    that changes nothing but the speed."""
    from django.test import override_settings

    from cir.migration import hugepages

    asked: list[str] = []
    collapse = hugepages.collapse_heap

    def recorded(mode: str) -> hugepages.Collapse | None:
        asked.append(mode)
        return collapse(mode)

    monkeypatch.setattr(services, "collapse_heap", recorded)
    with override_settings(MIGRATION_HUGE_PAGES="on"):
        services.run_migration(legacy_folder, reference_date=REFERENCE, seed=5)
    assert asked == ["on", "on"]
    assert exported() == plan_to_export_lines(
        plan_migration(read_inputs(legacy_folder), REFERENCE, 5)
    )


KEPT_THROUGH_THE_LOAD = {
    "action_actor_company_idx",
    "action_on_behalf_of_idx",
    "audit_actor_company_idx",
    "audit_on_behalf_of_idx",
    "dossier_offer_company_idx",
    "event_company_idx",
}


def test_an_index_no_migrated_row_enters_is_kept_through_the_load(legacy_folder, monkeypatch):
    """The partial indexes on columns that every migrated row leaves NULL stay in place during
    the load (nothing to build); every other index is dropped and built again. Either way the
    indexes afterwards hold exactly the register's rows."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the bulk load drops nothing on SQLite")
    dropped: list[str] = []
    own = writer._drop_for_bulk_load

    def drop(tables):
        rebuild = own(tables)
        dropped.extend(
            re.search(r"INDEX (\S+) ON", d)[1] for ds in rebuild.indexes.values() for d in ds
        )
        return rebuild

    monkeypatch.setattr(writer, "_drop_for_bulk_load", drop)
    migrate(legacy_folder)
    assert dropped and not KEPT_THROUGH_THE_LOAD & set(dropped)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, i.indisvalid, pg_get_expr(i.indpred, i.indrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = ANY(%s)",
            [sorted(KEPT_THROUGH_THE_LOAD)],
        )
        kept = cursor.fetchall()
    assert sorted(name for name, valid, _ in kept if valid) == sorted(KEPT_THROUGH_THE_LOAD)
    assert all(predicate.endswith("IS NOT NULL)") for _, _, predicate in kept)
    # A row that has the column still finds its way in: the index is used and right.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "UPDATE register_dossier SET offer_company_id = primary_landlord_id "
            "WHERE id = (SELECT min(id) FROM register_dossier)"
        )
        query = "SELECT count(*) FROM register_dossier WHERE offer_company_id IS NOT NULL"
        cursor.execute(f"EXPLAIN {query}")
        assert "dossier_offer_company_idx" in " ".join(row[0] for row in cursor.fetchall())
        cursor.execute(query)
        assert cursor.fetchone()[0] == 1


def test_only_a_not_null_predicate_on_a_column_the_load_leaves_empty_keeps_an_index():
    keeps = writer._no_loaded_row_enters
    assert keeps("register_dossier", "(offer_company_id IS NOT NULL)")
    assert keeps("register_event", "(company_id IS NOT NULL)")
    assert not keeps("register_dossier", "(primary_landlord_id IS NOT NULL)")  # written
    assert not keeps("register_dossier", None)  # not partial
    assert not keeps("register_dossier", "((offer_company_id IS NOT NULL) AND (id > 0))")
    assert not keeps("register_member", "((role)::text = 'applicant'::text)")
    assert not keeps("some_other_table", "(offer_company_id IS NOT NULL)")


def _setting(name: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return str(cursor.fetchone()[0])


def test_foreign_keys_are_checked_without_hashing_and_the_planner_is_itself_again(
    legacy_folder, monkeypatch
):
    """Decision 0016: while the load creates its keys again, hash joins are off, so that each
    foreign-key check merges the two indexes; once the keys are back the setting is too."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the bulk load drops nothing on SQLite")
    seen: list[str] = []
    own = writer._finish_bulk_load

    def finish(rebuild, tables):
        seen.append(_setting("enable_hashjoin"))
        own(rebuild, tables)
        seen.append(_setting("enable_hashjoin"))

    monkeypatch.setattr(writer, "_finish_bulk_load", finish)
    migrate(legacy_folder)
    assert seen == ["off", "on"]
    from cir.migration import rows

    with connection.cursor() as cursor:  # checked, not merely declared
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE NOT convalidated) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
            [[table.name for table in rows.TABLES]],
        )
        keys, unchecked = cursor.fetchone()
    assert keys >= 15 and unchecked == 0


def test_every_foreign_key_of_the_loaded_tables_leads_an_index():
    """The merge that checks a foreign key reads the referencing column in order from an index
    that starts with it (decision 0016); a foreign key without one would be checked by sorting
    or by a lookup per row, far slower."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's indexes")
    from cir.migration import rows

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conrelid::regclass::text, c.conname FROM pg_constraint c "
            "WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[]) "
            "AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid "
            "AND i.indkey[0] = c.conkey[1]) ORDER BY 1, 2",
            [[table.name for table in rows.TABLES]],
        )
        without = cursor.fetchall()
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' "
            "AND conrelid = ANY(%s::regclass[]) AND array_length(conkey, 1) = 1",
            [[table.name for table in rows.TABLES]],
        )
        single_column = cursor.fetchone()[0]
    assert without == []
    assert single_column >= 15


def _frozen_and_not(table: str) -> tuple[int, int]:
    """PostgreSQL (pageinspect): the rows on ``table``'s first page that are frozen, and those
    that are not."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE t_infomask & 768 = 768), "
            "count(*) FILTER (WHERE t_infomask & 768 <> 768) "
            "FROM heap_page_items(get_raw_page(%s, 0)) WHERE t_infomask IS NOT NULL",
            [table],
        )
        frozen, not_frozen = cursor.fetchone()
    return frozen, not_frozen


@pytest.fixture
def pageinspect():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("COPY FREEZE is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pageinspect'")
        if cursor.fetchone() is None:
            pytest.skip("this PostgreSQL has no pageinspect")
        cursor.execute(
            "CREATE EXTENSION IF NOT EXISTS pageinspect"
        )  # gone with the test's rollback


def test_a_first_migration_loads_every_table_frozen(legacy_folder, pageinspect):
    """The tables are empty, so the run empties them in its transaction and COPY loads them
    frozen (writer._empty_for_frozen_load): no row is left for VACUUM to freeze."""
    migrate(legacy_folder)
    for table in (t.name for t in writer.rows.TABLES):
        frozen, not_frozen = _frozen_and_not(table)
        assert frozen > 0 and not_frozen == 0, table


def test_a_table_that_already_has_rows_is_loaded_as_usual(legacy_folder, pageinspect):
    """A person known before the first migration stays, and the persons' table, which cannot be
    emptied, is loaded without FREEZE; the other tables still are frozen."""
    from tests.factories import PersonFactory

    known = PersonFactory()
    migrate(legacy_folder)
    assert Person.objects.filter(pk=known.pk, insz=known.insz).exists()
    assert Person.objects.count() > 1
    assert _frozen_and_not("register_person")[1] > 0
    frozen, not_frozen = _frozen_and_not("register_member")
    assert frozen > 0 and not_frozen == 0


def test_dry_run_computes_and_writes_nothing(legacy_folder, tmp_path):
    report_path = tmp_path / "report.json"
    migrate(legacy_folder, "--dry-run", "--report", str(report_path))
    assert json.loads(report_path.read_text())["counts"]["dossiers_created"] > 0
    assert not Dossier.objects.exists()
    assert not Event.objects.exists()


def test_the_command_speaks_dutch_in_its_bars_and_summary(legacy_folder, tmp_path, capsys):
    report_path = tmp_path / "report.json"
    migrate(legacy_folder, "--report", str(report_path))
    shown = capsys.readouterr().out
    bar_lines = [line for line in shown.splitlines() if "━" in line and "%" in line]
    bars = [line.split()[0] for line in bar_lines]
    assert bars == [
        "werkingsgebieden",
        "historische",
        "rijksregisteruittreksel",
        "historische",
        "samenvoegen",
        "schrijven",
    ]
    assert all("100%" in line for line in bar_lines)
    for label in ("Invlechting", "nieuwe dossiers", "tijd: samenvoegen", f"Rapport: {report_path}"):
        assert label in shown


def test_malformed_line_stops_the_run_with_file_and_line_before_writing(legacy_folder, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(legacy_folder, broken)
    target = sorted((broken / "dossiers").glob("*.jsonl"))[0]
    lines = target.read_text().splitlines()
    lines.insert(1, '{"landlord_id": "SHM-001", "dossier_id": 7}')
    target.write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError) as refused:
        migrate(broken)
    assert f"{target.name}:2:" in str(refused.value)  # file and 1-based line
    assert not Dossier.objects.exists()


def test_a_failure_while_writing_leaves_nothing_written(legacy_folder, monkeypatch):
    finish = writer.MigrationWriter.finish

    def finish_then_fail(self):
        finish(self)
        assert Dossier.objects.exists()  # it did write, inside the run's transaction
        raise RuntimeError("disk full")

    monkeypatch.setattr(writer.MigrationWriter, "finish", finish_then_fail)
    with pytest.raises(RuntimeError):
        migrate(legacy_folder)
    assert not Dossier.objects.exists()
    assert not Member.objects.exists()


class _PlannerDouble:
    """The real planner, with its dossiers changed on their way to the writer by ``alter``
    (``alter(n, dossier)`` for the n-th dossier, from 1). The planner itself may be compiled
    (cir.compiled), and a compiled class cannot be patched: the double stands in for it."""

    def __init__(self, alter, *args, **kwargs):
        self.real = MigrationPlanner(*args, **kwargs)
        self.alter = alter

    def __getattr__(self, name):
        return getattr(self.real, name)

    def build_all(self):
        for n, dossier in enumerate(self.real.build_all(), start=1):
            yield self.alter(n, dossier)


def _plan_with(monkeypatch, alter):
    monkeypatch.setattr(
        services, "MigrationPlanner", lambda *a, **k: _PlannerDouble(alter, *a, **k)
    )


def test_a_failure_while_dossiers_are_still_being_built_leaves_nothing_written(
    legacy_folder, monkeypatch
):
    """The rows of the first dossiers are on their way to the database when the rules fail."""
    built = 0

    def fail_at_the_fifth_of_the_second_batch(n, dossier):
        nonlocal built
        built = n
        if n == writer.BATCH_DOSSIERS + 5:
            raise RuntimeError("rule failed")
        return dossier

    _plan_with(monkeypatch, fail_at_the_fifth_of_the_second_batch)
    monkeypatch.setattr(writer, "BATCH_DOSSIERS", 10)
    with pytest.raises(RuntimeError, match="rule failed"):
        migrate(legacy_folder)
    assert built == writer.BATCH_DOSSIERS + 5
    assert not Dossier.objects.exists()
    assert not Person.objects.exists()


def test_a_copy_refused_before_the_last_rows_fails_the_run_without_waiting_for_them(
    legacy_folder, monkeypatch
):
    """The COPY thread dies on the members (PostgreSQL): the planning thread, which waits for
    the last rows to be sent before it works out the report (``_CopyWriter.settle``), raises
    that error instead of waiting for ever, and nothing is written."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the COPY thread exists on PostgreSQL only")
    copy = writer._CopyWriter._copy

    def refuse_the_members(self, table, chunks, count):
        if table == "register_member":
            raise RuntimeError("COPY refused")
        copy(self, table, chunks, count)

    monkeypatch.setattr(writer._CopyWriter, "_copy", refuse_the_members)
    with pytest.raises(RuntimeError, match="COPY refused"):
        migrate(legacy_folder)
    assert not Dossier.objects.exists()
    assert not Person.objects.exists()


def test_text_with_tabs_newlines_backslashes_and_quotes_arrives_unchanged(legacy_folder, tmp_path):
    """COPY text escapes what it must (on PostgreSQL); SQLite gets the values as they are."""
    odd = tmp_path / "odd"
    shutil.copytree(legacy_folder, odd)
    situation = 'Woont\tin bij "vrienden"\nna scheiding \\ tijdelijk\r\n'
    other = {"remark": 'C:\\temp\\"x"\n\t\\N', "bedrooms_min": 2}
    contact = {"email": "a\\b@example.com", "phone": "+32\t499"}
    last_name = "Van\\Den\tBroeck\\N"
    for target in (odd / "dossiers").glob("*.jsonl"):
        lines = []
        for line in target.read_text().splitlines():
            dossier = json.loads(line)
            dossier["housing_situation"] = situation
            dossier["preferences"]["other"] = other
            dossier["contact"] = contact
            lines.append(json.dumps(dossier))
        target.write_text("\n".join(lines) + "\n")
    population = odd / "population.jsonl"
    people = [json.loads(line) for line in population.read_text().splitlines()]
    for person in people:
        person["last_name"] = last_name
    population.write_text("\n".join(json.dumps(p) for p in people) + "\n")

    migrate(odd)

    assert Dossier.objects.count() > 100
    assert set(Dossier.objects.values_list("housing_situation", flat=True)) == {situation}
    assert all(d.other_preferences == other for d in Dossier.objects.all())
    assert all(d.contact == contact for d in Dossier.objects.all())
    names = set(Person.objects.values_list("last_name", flat=True))
    assert last_name in names
    assert names <= {last_name, ""}  # "" for a person missing from the population extract


def test_a_refusal_by_the_database_while_loading_leaves_nothing_written(legacy_folder, monkeypatch):
    """Two dossiers with one number: PostgreSQL refuses the unique constraint in the COPY
    thread (SQLite the insert itself); the run fails with that error and writes nothing."""
    import psycopg
    from django.db import IntegrityError

    first: list[str] = []

    def repeat_the_first_number(n, dossier):
        first.append(dossier.number)
        return msgspec.structs.replace(dossier, number=first[0]) if n == 2 else dossier

    _plan_with(monkeypatch, repeat_the_first_number)
    with pytest.raises((IntegrityError, psycopg.errors.UniqueViolation)):
        migrate(legacy_folder)
    assert not Dossier.objects.exists()
    assert not Person.objects.exists()
