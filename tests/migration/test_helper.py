"""The migration's helper process (domain/migration/helper.py) changes when work is done, never
what comes out: the plan and the report are those of the migration alone."""

from __future__ import annotations

import marshal
import os
import shutil
import threading
from datetime import date
from pathlib import Path

import orjson
import pytest

from cir.domain.migration import helper
from cir.domain.migration.inputs import read_inputs
from cir.domain.migration.rules import (
    MigrationPlanner,
    first_population_lines,
    plan_migration,
    plan_to_export_lines,
)

from .builders import demo_input_folder

REFERENCE = date(2024, 1, 2)


@pytest.fixture(scope="module")
def legacy_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_input_folder(tmp_path_factory, seed=7)


def _digest(folder: Path) -> tuple[bytes, bool]:
    inputs = read_inputs(folder)
    used_helper = inputs.helper is not None
    plan = plan_migration(inputs, REFERENCE, 5)
    return orjson.dumps([plan_to_export_lines(plan), plan.report], default=str), used_helper


def test_the_helper_gives_the_plan_and_report_of_the_migration_alone(legacy_folder, monkeypatch):
    alone, used = _digest(legacy_folder)
    assert not used  # the demo population is below the helper's threshold
    monkeypatch.setattr(helper, "MIN_POPULATION_BYTES", 0)
    answered: list[object] = []
    own = helper.Helper.identity_warnings
    monkeypatch.setattr(
        helper.Helper, "identity_warnings", lambda self: answered.append(own(self)) or answered[-1]
    )
    helped, used = _digest(legacy_folder)
    assert used
    assert answered and answered[0] is not None  # the helper's own answer, not the fallback
    assert orjson.loads(helped)[1]["identity_warnings"]  # the demo has some to compare
    assert helped == alone


def test_the_helper_reads_the_national_numbers_of_the_input_as_the_migration_does(
    legacy_folder, tmp_path
):
    """The helper gathers the numbers of every dossier line itself (quarantined, duplicated and
    invalid ones too), which the migration no longer sends it: the same set as in_input."""
    planner = MigrationPlanner(read_inputs(legacy_folder), REFERENCE, 5)
    assert helper.input_numbers(legacy_folder) == planner.in_input()
    # Blank lines are skipped as by the reading.
    copy = tmp_path / "copy"
    shutil.copytree(legacy_folder, copy)
    first = sorted((copy / "dossiers").glob("*.jsonl"))[0]
    first.write_bytes(b"\n   \n" + first.read_bytes() + b"\n\n")
    assert helper.input_numbers(copy) == planner.in_input()


def test_a_helper_that_fails_leaves_its_work_to_the_migration(legacy_folder, monkeypatch):
    """Whatever stops the helper (here it cannot even start its code), the migration gives
    stdnum's answers and works the warnings out itself, and the plan and report are the same."""
    monkeypatch.setattr(helper, "MIN_POPULATION_BYTES", 0)
    alone, _used = _digest(legacy_folder)
    answered: list[object] = []
    own = helper.Helper.identity_warnings
    monkeypatch.setattr(
        helper.Helper, "identity_warnings", lambda self: answered.append(own(self)) or answered[-1]
    )
    monkeypatch.setattr(helper.sys, "executable", shutil.which("false"))
    helped, used = _digest(legacy_folder)
    assert used
    assert answered == [None]
    assert helped == alone


def test_the_helper_answers_about_every_number_of_the_population(
    legacy_folder, monkeypatch, tmp_path
):
    """Its first answers cover what the reading finds in population.jsonl, with the verdicts the
    migration's own oracle gives."""
    from cir.domain.migration.insz import InszOracle

    folder = tmp_path / "legacy"
    shutil.copytree(legacy_folder, folder)
    with (folder / "population.jsonl").open("ab") as population:
        population.write(
            b'{"insz": "85073003399", "first_name": "Ongeldig", "last_name": "Nummer", '
            b'"birth_date": "1985-07-30", "domicile_nis": null}\n'
        )
    legacy_folder = folder
    monkeypatch.setattr(helper, "MIN_POPULATION_BYTES", 0)
    started = helper.start_helper(legacy_folder)
    assert started is not None
    inputs = read_inputs(legacy_folder)
    persons = first_population_lines(inputs.population)
    taught = InszOracle()
    started.give_answers(taught, persons)
    assert taught.population is persons
    own = InszOracle()
    assert all(taught.is_valid(n) == own.is_valid(n) for n in persons)
    assert taught.population_invalid == {n for n in persons if not own.is_valid(n)}
    assert "85073003399" in taught.population_invalid  # the line added above
    assert all(taught.is_valid_found(n, persons, True) == own.is_valid(n) for n in persons)
    assert not taught._valid  # nothing was worked out again
    # Found in another mapping than the one the verdicts are about: asked as usual.
    assert taught.is_valid_found("85073003399", dict(persons), True) is False
    started.close()
    if inputs.helper is not None:
        inputs.helper.close()


def test_answers_about_other_numbers_than_the_migrations_are_not_taken(legacy_folder, monkeypatch):
    """The verdicts come as a list of numbers and a byte per number: only if the numbers are
    exactly the migration's persons, in the same order, does the oracle take them."""
    from cir.domain.migration.insz import InszOracle

    monkeypatch.setattr(helper, "MIN_POPULATION_BYTES", 0)
    started = helper.start_helper(legacy_folder)
    assert started is not None
    inputs = read_inputs(legacy_folder)
    persons = first_population_lines(inputs.population)
    reordered = dict(reversed(persons.items()))
    taught = InszOracle()
    started.give_answers(taught, reordered)
    assert taught.population is None and not taught.population_invalid
    assert started.process is None  # given up: the migration works the verdicts out itself
    own = InszOracle()
    assert all(taught.is_valid(n) == own.is_valid(n) for n in persons)
    if inputs.helper is not None:
        inputs.helper.close()


def test_cir_migrate_legacy_starts_the_helper_before_django(legacy_folder, monkeypatch):
    """The command line starts it for the input folder among its arguments; the reading takes
    that one over instead of starting another."""
    from cir import cli

    monkeypatch.setattr(helper, "MIN_POPULATION_BYTES", 0)
    folder = cli._input_folder(["--reference-date", "2024-01-02", str(legacy_folder)])
    assert folder == legacy_folder
    cli._start_migration_helper(folder)
    early = helper._started_early.get(legacy_folder.resolve())
    assert early is not None
    inputs = read_inputs(legacy_folder)
    assert inputs.helper is early
    assert not helper._started_early
    plan_migration(inputs, REFERENCE, 5)
    assert early.process is None  # answered and gone
    assert cli._input_folder(["--dry-run", "2024-01-02"]) is None  # no folder: no helper


def test_the_helper_works_out_the_warnings_while_its_first_answers_wait_to_be_read(
    legacy_folder, monkeypatch
):
    """The migration reads the first answers only once it has read its input; the helper goes
    on meanwhile instead of waiting for it (its core would idle), so the warnings are worked out
    before anyone reads, and both messages then come as the migration would take them."""
    from cir.domain.migration import rules

    worked_out = threading.Event()
    own = rules.input_identity_warnings

    def warnings(*args):
        found = own(*args)
        worked_out.set()
        return found

    monkeypatch.setattr(rules, "input_identity_warnings", warnings)
    monkeypatch.setattr(helper, "_lower_priority", lambda: None)  # not the test's own thread
    read_end, write_end = os.pipe()
    messages: list[object] = []
    in_time: list[bool] = []

    def migration() -> None:
        # Reads nothing until the warnings are worked out (or the helper is stuck).
        in_time.append(worked_out.wait(30))
        with os.fdopen(read_end, "rb") as stream:
            for _message in range(2):
                size = int.from_bytes(stream.read(8), "big")
                messages.append(marshal.loads(stream.read(size)))

    reader = threading.Thread(target=migration)
    reader.start()
    with os.fdopen(write_end, "wb") as out:
        helper.serve(legacy_folder, out)
    reader.join(60)
    assert in_time == [True] and not reader.is_alive()
    inputs = read_inputs(legacy_folder)
    numbers, verdicts = messages[0]
    assert numbers.split("\n") == list(dict.fromkeys(p.insz for p in inputs.population))
    assert len(verdicts) == len(numbers.split("\n"))
    planner = MigrationPlanner(inputs, REFERENCE, 5)
    expected = own(planner.persons, inputs.population, planner.in_input(), planner.oracle)
    assert messages[1] == expected
    assert messages[1]  # the demo has warnings to compare
