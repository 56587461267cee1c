"""The compiled build of the migration's rules (cir.compiled, decision 0009): used only while it
matches the sources, and giving the very same plan as the plain modules."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig

from cir import compiled
from cir.domain import migration
from cir.domain.migration import rules

PLAN_DIGEST = """
import hashlib, sys
from datetime import date
import msgspec, orjson
from cir.domain import migration
from cir.domain.migration import plan_migration, plan_to_export_lines, read_inputs
plan = plan_migration(read_inputs(sys.argv[1]), date(2025, 6, 1), 7)
persons = [msgspec.structs.astuple(p) for p in plan.persons]
data = orjson.dumps([plan_to_export_lines(plan), plan.report, persons])
created = plan.report["counts"]["dossiers_created"]
print(migration.COMPILED, created, hashlib.sha256(data).hexdigest())
"""


def test_the_rules_run_compiled_exactly_when_a_fresh_build_exists():
    expected = compiled.is_fresh() and os.environ.get("CIR_COMPILED", "1") != "0"
    assert migration.COMPILED is expected
    assert rules.__file__.endswith(sysconfig.get_config_var("EXT_SUFFIX")) is expected
    if os.environ.get("CIR_REQUIRE_COMPILED") == "1":  # CI: `make test` built it
        assert migration.COMPILED


def test_a_build_that_does_not_match_the_sources_is_not_used(tmp_path, monkeypatch):
    (tmp_path / "cir" / "domain" / "migration").mkdir(parents=True)
    monkeypatch.setattr(compiled, "BUILD_ROOT", tmp_path)
    monkeypatch.setattr(compiled, "STAMP", tmp_path / "sources.sha256")
    monkeypatch.setattr(sys, "path", list(sys.path))
    path: list[str] = ["src/cir/domain/migration"]

    (tmp_path / "sources.sha256").write_text("made from other sources\n")
    assert not compiled.activate("cir.domain.migration", path)
    assert path == ["src/cir/domain/migration"]

    (tmp_path / "sources.sha256").write_text(compiled.fingerprint() + "\n")
    monkeypatch.setenv("CIR_COMPILED", "0")
    assert not compiled.activate("cir.domain.migration", path)

    monkeypatch.delenv("CIR_COMPILED")
    assert compiled.activate("cir.domain.migration", path)
    assert path == [str(tmp_path / "cir" / "domain" / "migration"), "src/cir/domain/migration"]


def test_the_fingerprint_changes_with_any_compiled_source(tmp_path, monkeypatch):
    before = compiled.fingerprint()
    for name in compiled.FINGERPRINTED:
        copy = tmp_path / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes((compiled.SOURCE_ROOT / name).read_bytes())
    monkeypatch.setattr(compiled, "SOURCE_ROOT", tmp_path)
    assert compiled.fingerprint() == before
    rules_copy = tmp_path / "cir/domain/migration/rules.py"
    rules_copy.write_text(rules_copy.read_text() + "\n# edited\n")
    assert compiled.fingerprint() != before


def test_compiled_and_plain_rules_give_the_same_plan(tmp_path):
    """Every output of the plan (export lines, report, persons) hashed in a plain-Python
    process and in one that uses the build when it is fresh."""
    from cir.synthetic.legacy import generate_legacy

    generate_legacy(tmp_path, "demo", seed=3)
    digests = {}
    for mode in ("0", "1"):
        done = subprocess.run(
            [sys.executable, "-c", PLAN_DIGEST, str(tmp_path)],
            env={**os.environ, "CIR_COMPILED": mode},
            capture_output=True,
            text=True,
            check=True,
        )
        used, dossiers, digest = done.stdout.split()
        assert used == str(mode == "1" and compiled.is_fresh())
        assert int(dossiers) > 100
        digests[mode] = digest
    assert digests["0"] == digests["1"]


def test_the_pacing_of_compiled_loops_stays_interpreted():
    """let_threads_run hands the GIL to a waiting thread only because entering it runs the
    interpreter, which compiled code never does by itself (decision 0009)."""
    from cir.domain.migration import pacing

    assert "cir/domain/migration/pacing.py" not in compiled.MODULES
    assert pacing.let_threads_run.__code__.co_filename.endswith("pacing.py")
