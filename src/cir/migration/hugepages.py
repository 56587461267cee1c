"""Huge pages for the migration's heap (decisions 0019 and 0022).

At x10 the migration holds some 9 GiB of small Python objects (persons, sources, drafts), and
the rules look them up all over that heap: each lookup is a few trips to memory, and with 4 KiB
pages most of them also miss the TLB, which on a virtual machine costs a two-level page walk.
Python's allocator maps its arenas 1 MiB at a time, so even where the kernel offers transparent
huge pages on request only (``madvise``, the common default), the heap never gets any.

``madvise(MADV_COLLAPSE)`` (Linux 6.1 and later) asks the kernel to copy the pages of a range
into 2 MiB pages there and then, whatever the system's THP setting says (except ``never``).
The migration asks it once the input is read and once more after the screening, when the big
structures exist and before the steps that look things up in them. The copy costs 1 to 2.5 s
per GiB on this project's machine; below :data:`MIN_HEAP_BYTES` that costs more than the
shorter walks save, so it is left out. Wherever the call is missing or refused, nothing
changes but the speed.

Copying afterwards is the fallback. :func:`arenas_in_huge_pages` (decision 0022) gives Python's
allocator arenas cut from regions already marked for huge pages, so that the small objects are
born in them, at any size of run; a thread of the C module faults the next regions in on the
other core. The collapse then finds those in huge pages already and copies the rest (the
arrays of the big lists and dictionaries, which come from ``malloc``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import importlib
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

MADV_COLLAPSE = 25
HUGE_PAGE = 2 * 1024 * 1024
CHUNK = 64 * 1024 * 1024
"""Bytes per call: a refused chunk (EAGAIN: a page in use elsewhere at that moment) does not
end the collapse of the rest of its mapping."""
MIN_HEAP_BYTES = 4 * 1024**3
"""Below this resident size the collapse costs more than it saves (see the module docstring;
flanders, at 1.3 GiB, gains nothing measurable)."""


@dataclass(frozen=True)
class Collapse:
    """What one collapse did."""

    eligible: int
    """Bytes of anonymous private memory in whole, aligned 2 MiB pages."""
    collapsed: int
    """Bytes of those that are now in huge pages."""
    seconds: float


MIN_INPUT_BYTES = MIN_HEAP_BYTES // 6
"""Below this size of input (:func:`input_bytes`), ``auto`` leaves Python's arenas as they are.
A migration's heap is about six times its input (flanders: 218 MB read, 1.3 GiB resident; x10:
2.2 GB and 11 GiB). Huge pages shorten the rules' lookups in a heap of many gigabytes, but a
machine that hands freed memory back to its host (a virtual machine's free page reporting)
takes back freed 2 MiB blocks first, and faulting them in again costs far more than 4 KiB
pages: a flanders run read its input in 1.9-2.0 s with them against 1.1 s without, and ended
0.5-2 s later (decision 0022, amended in the fifteenth session)."""


def input_bytes(folder: Path) -> int:
    """The bytes of an input folder's population extract and dossier files (0 if unreadable).
    The files ``inputs.dossier_files`` reads, found without importing the reading: this runs
    before the arenas are installed, when every import's objects would stay in the old ones."""
    try:
        files = [folder / "population.jsonl", *(folder / "dossiers").glob("*.jsonl")]
        return sum(path.stat().st_size for path in files)
    except OSError:
        return 0


def arenas_in_huge_pages(
    mode: str = "auto", folder: Path | None = None, *, min_input_bytes: int = MIN_INPUT_BYTES
) -> dict[str, Any] | None:
    """From now on, cut Python's arenas from huge-page regions (the C module ``_arenas`` of
    this package, built with the compiled modules: :mod:`cir.compiled`): with ``mode`` (the
    setting ``CIR_MIGRATION_HUGE_PAGES``) ``on``, or ``auto`` for an input ``folder`` of at
    least ``min_input_bytes``; never with ``off``. The module's counters, or None when it is
    not installed (or not there: no build, not Linux). Once installed it stays for the life of
    the process: call it only in a process that runs a migration."""
    if mode == "off" or not sys.platform.startswith("linux"):
        return None
    if mode == "auto" and (folder is None or input_bytes(folder) < min_input_bytes):
        return None
    try:
        arenas = importlib.import_module("cir.migration._arenas")
    except ImportError:
        return None
    arenas.install()
    return arena_counters()


def arena_counters() -> dict[str, Any] | None:
    """What :func:`arenas_in_huge_pages` has done so far: bytes reserved and faulted in ahead,
    arenas in use; None when it was not installed."""
    arenas = sys.modules.get("cir.migration._arenas")
    if arenas is None:
        return None
    counters: dict[str, Any] = arenas.stats()
    return counters if counters.get("installed") else None


def resident_bytes() -> int:
    """The process's resident set, from ``/proc/self/statm`` (0 where there is none)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def anonymous_ranges(maps: str) -> list[tuple[int, int]]:
    """The 2 MiB-aligned parts of the private, writable, anonymous mappings in ``maps``
    (the text of ``/proc/<pid>/maps``) that hold at least one whole huge page."""
    ranges = []
    for line in maps.splitlines():
        fields = line.split(maxsplit=5)
        if len(fields) < 5 or not fields[1].startswith("rw") or fields[1][3] != "p":
            continue
        name = fields[5].strip() if len(fields) == 6 else ""
        if name not in ("", "[heap]"):
            continue
        start, end = (int(bound, 16) for bound in fields[0].split("-"))
        start = -(-start // HUGE_PAGE) * HUGE_PAGE
        end = end // HUGE_PAGE * HUGE_PAGE
        if end > start:
            ranges.append((start, end))
    return ranges


def _madvise() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        madvise = libc.madvise
    except (OSError, AttributeError):
        return None
    madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    madvise.restype = ctypes.c_int
    return madvise


def collapse_heap(mode: str = "auto", *, min_bytes: int = MIN_HEAP_BYTES) -> Collapse | None:
    """Put the process's anonymous memory in huge pages; None when not tried.

    ``auto`` (the setting ``CIR_MIGRATION_HUGE_PAGES``'s default) tries when the resident set
    is at least ``min_bytes``; ``on`` always tries; ``off`` never does."""
    if mode == "off" or (mode == "auto" and resident_bytes() < min_bytes):
        return None
    madvise = _madvise()
    if madvise is None:
        return None
    started = time.perf_counter()
    try:
        with open("/proc/self/maps") as maps:
            ranges = anonymous_ranges(maps.read())
    except OSError:
        return None
    eligible = collapsed = 0
    transient = False
    for start, end in ranges:
        eligible += end - start
        for at in range(start, end, CHUNK):
            size = min(CHUNK, end - at)
            if madvise(at, size, MADV_COLLAPSE) == 0:
                collapsed += size
                continue
            if ctypes.get_errno() in (errno.EINVAL, errno.EPERM):
                # Not for this mapping, or not on this kernel (before 6.1, or THP "never").
                break
            # EAGAIN or ENOMEM: this chunk stays as it is; the rest may still go.
            transient = True
    if collapsed == 0 and not transient:
        return None  # the kernel refused every mapping: it cannot collapse here
    result = Collapse(eligible, collapsed, time.perf_counter() - started)
    logger.info(
        "huge pages: %d of %d MiB collapsed in %.2f s",
        result.collapsed >> 20,
        result.eligible >> 20,
        result.seconds,
    )
    return result
