"""The migration's helper process (domain/migration/helper.py) changes when work is done, never
what comes out: the plan and the report are those of the migration alone."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import orjson
import pytest

from cir.domain.migration import helper
from cir.domain.migration.inputs import read_inputs
from cir.domain.migration.rules import MigrationPlanner, plan_migration, plan_to_export_lines
from cir.synthetic.legacy import generate_legacy

REFERENCE = date(2024, 1, 2)


@pytest.fixture(scope="module")
def legacy_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("legacy") / "demo"
    generate_legacy(folder, "demo", seed=7)
    return folder


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
