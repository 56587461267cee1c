"""The migration's helper process (domain/migration/helper.py) changes when work is done, never
what comes out: the plan and the report are those of the migration alone."""

from __future__ import annotations

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


def test_the_helper_is_asked_for_the_warnings_once_the_dossiers_are_numbered(
    legacy_folder, monkeypatch
):
    """Gathering every national number of the input for the helper is not done before the
    persons and the numbers are known, which PostgreSQL waits for; it is done in time for
    finish(), which collects the answer."""
    monkeypatch.setattr(helper, "MIN_POPULATION_BYTES", 0)
    inputs = read_inputs(legacy_folder)
    assert inputs.helper is not None
    asked: list[int] = []
    ask = inputs.helper.ask_identity_warnings
    monkeypatch.setattr(
        inputs.helper, "ask_identity_warnings", lambda numbers: asked.append(1) or ask(numbers)
    )
    planner = MigrationPlanner(inputs, REFERENCE, 5)
    planner.prepare()
    planner.number_all()
    assert asked == []
    for _dossier in planner.build_all():
        pass
    assert asked == [1]
    plan = planner.finish()
    assert asked == [1]
    assert plan.report["identity_warnings"]
