"""The migration's heap in huge pages (decision 0019): what is asked of the kernel. That a run
with huge pages writes the same register: test_migration_run."""

from __future__ import annotations

import mmap
import sys

import pytest

from cir.migration import hugepages

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
    assert hugepages.anonymous_ranges(MAPS) == [
        (0x55D0C9000000, 0x55D0C9600000),  # the brk heap, 6 MiB, aligned already
        (0x7F0000200000, 0x7F0000600000),  # 1 MiB in, 6 MiB long: the two whole pages inside
    ]
    # Left out: 1 MiB (no whole huge page); shared, file-backed, read-only; the stack.


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
