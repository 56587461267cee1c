"""Python's arenas cut from huge-page regions for a migration's process (the C module
``cir.migration._arenas``, decision 0022). Installed, it stays for the life of the process, so
each check runs in a process of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cir import compiled
from cir.migration import hugepages

ARENAS_BUILT = any((compiled.BUILD_ROOT / "cir" / "migration").glob("_arenas*"))
_THP = Path("/sys/kernel/mm/transparent_hugepage/enabled")
THP_NEVER = not _THP.exists() or "[never]" in _THP.read_text()

needs_the_module = pytest.mark.skipif(
    not (sys.platform.startswith("linux") and compiled.is_fresh() and ARENAS_BUILT),
    reason="the C module is built with the compiled modules, on Linux (python -m cir.compiled)",
)

CHURN = """
import gc, json, sys
from cir.migration import hugepages

before = [str(i) * 3 for i in range(200_000)]  # arenas of the allocator before
installed = hugepages.arenas_in_huge_pages(sys.argv[1], None)
del before  # their arenas go back to that allocator
gc.collect()
rounds = []
for _ in range(3):
    objects = [(i, str(i), [i]) for i in range(1_000_000)]
    assert all(o[0] == int(o[1]) == o[2][0] for o in objects)
    rounds.append(hugepages.arena_counters())
    del objects
    gc.collect()
huge = [line for line in open("/proc/self/smaps_rollup") if line.startswith("AnonHugePages")]
print(json.dumps({"installed": installed, "rounds": rounds,
                  "after": hugepages.arena_counters(), "huge_kib": int(huge[0].split()[1])}))
"""


def _in_a_process(script: str, *arguments: str) -> dict:
    """What ``script`` prints as JSON, run in a process of its own with ``arguments``."""
    done = subprocess.run(
        [sys.executable, "-c", script, *arguments],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(compiled.SOURCE_ROOT)},
    )
    result: dict = json.loads(done.stdout)
    return result


def _churn(mode: str) -> dict:
    return _in_a_process(CHURN, mode)


def test_the_build_has_the_module_where_the_compiled_build_is_required():
    if os.environ.get("CIR_REQUIRE_COMPILED") != "1":  # CI: `make test` built it
        pytest.skip("only where a fresh build is required")
    assert ARENAS_BUILT


def test_off_installs_nothing():
    result = _churn("off")
    assert result["installed"] is None
    assert result["after"] is None
    assert hugepages.arena_counters() is None  # nor in the tests' own process


AUTO = """
import json, sys
from pathlib import Path
from cir.migration import hugepages

folder = Path(sys.argv[1])
installed = hugepages.arenas_in_huge_pages("auto", folder, min_input_bytes=int(sys.argv[2]))
print(json.dumps({"installed": installed is not None, "bytes": hugepages.input_bytes(folder)}))
"""


@needs_the_module
def test_auto_takes_huge_page_arenas_for_a_large_input_only(tmp_path):
    """A small run's heap gains less from huge pages than faulting them in costs; the input's
    size tells before anything is read."""
    legacy_folder = tmp_path / "legacy"
    (legacy_folder / "dossiers").mkdir(parents=True)
    (legacy_folder / "population.jsonl").write_bytes(b"{}\n" * 100)
    (legacy_folder / "dossiers" / "a.jsonl").write_bytes(b"{}\n" * 50)
    (legacy_folder / "dossiers" / "b.jsonl").write_bytes(b"{}\n" * 20)
    (legacy_folder / "dossiers" / "notes.txt").write_bytes(b"not counted")

    def auto(threshold: int) -> dict:
        return _in_a_process(AUTO, str(legacy_folder), str(threshold))

    size = 3 * (100 + 50 + 20)
    assert auto(size + 1) == {"installed": False, "bytes": size}
    assert auto(size) == {"installed": True, "bytes": size}
    assert hugepages.MIN_INPUT_BYTES > 500 * 1024**2  # flanders (218 MB) goes without


def test_auto_without_an_input_folder_installs_nothing():
    assert _churn("auto")["installed"] is None


@needs_the_module
def test_objects_live_in_huge_page_arenas_that_are_used_again_once_freed():
    result = _churn("on")
    assert result["installed"]["installed"] is True
    first, second, third = result["rounds"]
    # A million small tuples, strings and lists take some 150 MB of arenas.
    assert first["arenas"] * first["arena_size"] > 100 * 1024**2
    # Freed arenas are handed out again: the second and third rounds reserve nothing more.
    assert second["reserved"] == first["reserved"] == third["reserved"]
    assert result["after"]["arenas"] < first["arenas"] // 2
    if not THP_NEVER:  # some in huge pages: all of them where the kernel has whole 2 MiB free
        assert result["huge_kib"] > 0


@needs_the_module
def test_a_plan_made_in_huge_page_arenas_is_the_same(tmp_path):
    """The digest of every output of a plan (test_compiled's), with and without the arenas."""
    from cir.synthetic.legacy import generate_legacy
    from tests.test_compiled import PLAN_DIGEST

    generate_legacy(tmp_path, "demo", seed=3)
    install = (
        "import sys\nfrom cir.migration.hugepages import arenas_in_huge_pages\n"
        "assert arenas_in_huge_pages(sys.argv[2])\n"
    )
    digests = {}
    for mode in ("off", "on"):
        script = (install if mode == "on" else "") + PLAN_DIGEST
        done = subprocess.run(
            [sys.executable, "-c", script, str(tmp_path), mode],
            capture_output=True,
            text=True,
            check=True,
        )
        digests[mode] = done.stdout.split()[-1]
    assert digests["on"] == digests["off"]
