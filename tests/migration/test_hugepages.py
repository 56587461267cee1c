"""The migration's heap in huge pages (decision 0019): what is asked of the kernel, and that
asking changes nothing but the speed."""

from __future__ import annotations

import json
import mmap
import sys
from datetime import date
from pathlib import Path

import pytest
from django.test import override_settings

from cir.domain.migration.inputs import read_inputs
from cir.domain.migration.rules import plan_migration, plan_to_export_lines
from cir.migration import hugepages, services
from cir.migration.export import export_lines
from cir.synthetic.legacy import generate_legacy

MAPS = """\
55d0c8a00000-55d0c8a01000 r--p 00000000 08:01 1234   /usr/bin/python3.11
55d0c9000000-55d0c9600000 rw-p 00000000 00:00 0      [heap]
7f0000100000-7f0000700000 rw-p 00000000 00:00 0
7f0000700000-7f0000800000 rw-p 00000000 00:00 0
7f0000800000-7f0000c00000 rw-s 00000000 00:01 77     /dev/shm/segment
7f0000c00000-7f0001000000 rw-p 00000000 08:01 99     /var/data/file.bin
7f0001000000-7f0001400000 r--p 00000000 00:00 0
7ffd00000000-7ffd00400000 rw-p 00000000 00:00 0      [stack]
"""


def test_only_private_writable_anonymous_memory_in_whole_aligned_huge_pages_is_asked():
    mib = 1024 * 1024
    assert hugepages.anonymous_ranges(MAPS) == [
        (0x55D0C9000000, 0x55D0C9600000),  # the brk heap, 6 MiB, aligned already
        (0x7F0000200000, 0x7F0000600000),  # 1 MiB in, 6 MiB long: the two whole pages inside
    ]
    # 1 MiB: no whole huge page; shared, file-backed, read-only and the stack: not the heap.
    assert all(end - start >= 2 * mib for start, end in hugepages.anonymous_ranges(MAPS))


def test_off_and_a_small_heap_ask_nothing(monkeypatch):
    asked = []
    monkeypatch.setattr(hugepages, "_madvise", lambda: asked.append(1))
    assert hugepages.collapse_heap("off") is None
    assert hugepages.collapse_heap("auto", min_bytes=hugepages.resident_bytes() * 2) is None
    assert asked == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and madvise are Linux's")
def test_on_collapses_a_touched_anonymous_mapping():
    size = 64 * 1024 * 1024
    region = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    try:
        region.write(b"\x01" * size)  # resident, in 4 KiB pages until collapsed
        before = hugepages.resident_bytes()
        result = hugepages.collapse_heap("on")
        if result is None:
            pytest.skip("this kernel cannot collapse pages (before 6.1, or THP 'never')")
        assert result.eligible >= size - 2 * 1024 * 1024
        assert 0 <= result.collapsed <= result.eligible
        assert result.collapsed > 0
        assert hugepages.resident_bytes() >= before  # collapsing never drops a page
        assert region[:1] == b"\x01" and region[size - 1 :] == b"\x01"
    finally:
        region.close()


@pytest.mark.django_db
def test_a_run_with_huge_pages_writes_the_same_register(tmp_path: Path, monkeypatch):
    folder = tmp_path / "demo"
    generate_legacy(folder, "demo", seed=4)
    reference = date(2024, 1, 2)
    asked: list[str] = []
    collapse = hugepages.collapse_heap

    def recorded(mode: str) -> hugepages.Collapse | None:
        asked.append(mode)
        return collapse(mode)

    monkeypatch.setattr(services, "collapse_heap", recorded)
    with override_settings(MIGRATION_HUGE_PAGES="on"):
        services.run_migration(folder, reference_date=reference, seed=2)
    # After the reading and after the screening.
    assert asked == ["on", "on"]
    plan = plan_migration(read_inputs(folder), reference, 2)
    assert [json.loads(line) for line in export_lines()] == plan_to_export_lines(plan)
