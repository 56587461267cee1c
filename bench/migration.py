"""Benchmark of the data migration (invlechting) against the floor of the same machine.

    .venv/bin/python bench/migration.py [--profile flanders] [--with-x10] [--skip-sqlite]
                                        [--rounds N]
                                        [--workdir /tmp/cir-bench-migration] [--reuse-input]

1. Generates the legacy input (``cir generate-legacy``; timed, but not part of the migration).
2. Migrates it into a fresh PostgreSQL database (``cir_bench_migration``, created, migrated with
   ``cir migrate`` and dropped by this script) and into a fresh SQLite file. Each migration runs
   in its own child process (``cir migrate-legacy DIR --report ... --timings-json ...``), so the
   peak RSS (``ru_maxrss`` from ``os.wait4``: the largest of the child and the helper process
   it starts) is the migration's own. The memory of the whole process tree is sampled besides,
   every 0.2 s from ``/proc``: the migration and its helper run at the same time, and the 2 GB
   target is for both together. The child writes the seconds of its phases and the rows it
   wrote per table. The phases follow
   one another, but PostgreSQL loads while the rules still run (decision 0007): "merge" lasts
   until the plan is complete and includes the COPY that runs beside it; "write" is what is
   left after that. The end-to-end time is the child's wall time, from exec to exit (Python and
   Django start-up and writing the report included).
3. Measures the floor in the same run:

   - *parse*: read every input file from the page cache and parse it with the fastest parser on
     offer (``orjson.loads`` per line, ``msgspec.json.Decoder.decode`` per line,
     ``msgspec.json.Decoder.decode_lines`` per file, and msgspec decoding straight into typed
     ``Struct``s); each is run once and the fastest counts. Parsed objects are dropped at once
     (no validation, no retention).
   - *copy*: the rows the migration wrote (taken back from the PostgreSQL target with
     ``COPY ... TO STDOUT`` into memory before the clock starts), loaded with ``COPY ... FROM
     STDIN`` into plain, logged tables ``(LIKE register_x INCLUDING DEFAULTS)`` without indexes,
     constraints or triggers, in one transaction, commit included. For information only, the same
     into UNLOGGED tables.

   floor = parse + copy. Targets (flanders, 2 cores): end to end into PostgreSQL <= 60 s and
   <= 3 x floor, peak RSS <= 2 GB; with ``--with-x10``: x10 <= 12 x flanders.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import orjson
import psycopg

ROOT = Path(__file__).resolve().parent.parent
CIR = ROOT / ".venv" / "bin" / "cir"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DB = "cir_bench_migration"
REFERENCE_DATE = "2025-06-01"
GB = 1024**3

TARGET_SECONDS = 60.0
TARGET_FLOOR_RATIO = 3.0
TARGET_PEAK_BYTES = 2 * GB
TARGET_X10_RATIO = 12.0

TABLES = (
    "register_person",
    "register_dossier",
    "register_member",
    "register_municipalitychoice",
    "register_dossiershare",
    "register_statuschange",
    "register_actionrecord",
    "register_event",
    "register_auditentry",
)


# -- child processes --------------------------------------------------------------------------


@dataclass
class ChildRun:
    wall: float
    peak_rss: int  # bytes
    returncode: int
    cpu: float = 0.0  # user + system seconds of the child
    tree_peak: int = 0  # bytes: the largest sampled sum of RSS over the child and its descendants


PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def tree_rss(root: int) -> int:
    """Resident memory of ``root`` and its descendants now, in bytes (0 without ``/proc``).

    Each process's children come from ``/proc/PID/task/TID/children``: the sampler reads only
    the tree, not every process of the machine, beside the run it measures."""
    total = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * PAGE
            for task in os.scandir(f"/proc/{pid}/task"):
                with open(f"{task.path}/children", "rb") as handle:
                    todo += [int(child) for child in handle.read().split()]
        except OSError:  # the process ended meanwhile
            continue
    return total


class TreeSampler(threading.Thread):
    """The largest :func:`tree_rss` of a process, sampled every ``every`` seconds until stopped."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.every = every
        self.peak = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            self.peak = max(self.peak, tree_rss(self.pid))


def run_child(cmd: list[str], env: dict[str, str], log: Path) -> ChildRun:
    """Run ``cmd``; wall time and ru_maxrss of this child only (os.wait4)."""
    with log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd="/tmp")
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        sampler.stopped.set()
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.stderr.write(log.read_text(errors="replace")[-4000:])
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}); log: {log}")
    # Linux reports ru_maxrss in KiB.
    cpu = usage.ru_utime + usage.ru_stime
    return ChildRun(wall, usage.ru_maxrss * 1024, proc.returncode, cpu, sampler.peak)


def cir_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = database_url
    env["DJANGO_SETTINGS_MODULE"] = "cir.settings"
    env.setdefault("CIR_DB_CONN_MAX_AGE", "0")
    return env


def generate(folder: Path, profile: str, reuse: bool, log: Path) -> tuple[float | None, int]:
    marker = folder / ".bench-generated"
    if reuse and marker.exists():
        print(f"  reusing {folder} (generated earlier)")
        return None, 0
    if folder.exists():
        shutil.rmtree(folder)
    run = run_child(
        [str(CIR), "generate-legacy", str(folder), "--profile", profile], dict(os.environ), log
    )
    marker.write_text(profile)
    return run.wall, run.peak_rss


@dataclass
class Target:
    name: str
    wall: float
    peak_rss: int
    timings: dict[str, float]
    rows: dict[str, int]
    counts: dict[str, int] = field(default_factory=dict)
    cpu: float = 0.0
    tree_peak: int = 0

    @property
    def peak_memory(self) -> int:
        """What the 2 GB target is checked against: the larger of the two measures."""
        return max(self.peak_rss, self.tree_peak)


def migrate(name: str, folder: Path, database_url: str, workdir: Path) -> Target:
    env = cir_env(database_url)
    subprocess.run([str(CIR), "migrate", "--no-input", "-v", "0"], env=env, check=True, cwd="/tmp")
    timings_file = workdir / f"timings-{name}.json"
    timings_file.unlink(missing_ok=True)
    cmd = [
        str(CIR),
        "migrate-legacy",
        str(folder),
        "--reference-date",
        REFERENCE_DATE,
        "--report",
        str(workdir / f"report-{name}.json"),
        "--timings-json",
        str(timings_file),
    ]
    print(f"  {name}: {' '.join(cmd[1:])}", flush=True)
    if database_url.startswith("postgres"):
        settle_writes(database_url)
    child = run_child(cmd, env, workdir / f"migrate-{name}.log")
    data = orjson.loads(timings_file.read_bytes())
    return Target(
        name,
        child.wall,
        child.peak_rss,
        data["timings"],
        data["rows_per_table"],
        data["counts"],
        child.cpu,
        child.tree_peak,
    )


# -- PostgreSQL database ------------------------------------------------------------------------


def recreate_database(server: str, name: str) -> str:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def settle_writes(database_url: str) -> None:
    """Before a timed migration or COPY: the kernel writes out the dirty pages (the generated
    input, the previous round's database and floor) and PostgreSQL checkpoints, so that neither
    writes those out during the timing that follows. Without this, three rounds of the same
    code in one bench took 19.8, 16.7 and 19.1 s, where runs a minute apart took 16.0-16.9 s.
    CHECKPOINT needs a superuser (or pg_checkpoint); without one, the kernel's part is done."""
    os.sync()
    with (
        psycopg.connect(database_url, autocommit=True) as conn,
        contextlib.suppress(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("CHECKPOINT")
    os.sync()


def drop_database(server: str, name: str) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- the floor ----------------------------------------------------------------------------------


class _Member(msgspec.Struct):
    insz: str
    role: str
    member_since: str | None = None


class _Preferences(msgspec.Struct):
    municipalities: list[str]
    dwelling_types: list[str]
    other: dict[str, Any] | None = None


class _Premium(msgspec.Struct):
    claimant_insz: str


class _Dossier(msgspec.Struct):
    landlord_id: str
    dossier_id: str
    registration_date: str
    last_modified: str
    members: list[_Member]
    preferences: _Preferences
    rent_premium: _Premium | None = None
    housing_situation: str | None = None
    contact: dict[str, Any] | None = None


class _Person(msgspec.Struct):
    insz: str
    first_name: str
    last_name: str
    birth_date: str
    domicile_nis: str | None


def input_files(folder: Path) -> list[tuple[Path, str]]:
    """(path, kind) of every input file: 'array', 'person' or 'dossier'."""
    files = [
        (folder / "operating_areas.json", "array"),
        (folder / "landlords.json", "array"),
        (folder / "population.jsonl", "person"),
    ]
    files += [(p, "dossier") for p in sorted((folder / "dossiers").glob("*.jsonl"))]
    return files


def _per_line(loads: Callable[[bytes], Any]) -> Callable[[list[tuple[Path, str]]], int]:
    """A parser that decodes every line of the JSON Lines files (and each array file whole)."""

    def parse(files: list[tuple[Path, str]]) -> int:
        n = 0
        for path, kind in files:
            if kind == "array":
                loads(path.read_bytes())
                n += 1
                continue
            with path.open("rb") as handle:
                for line in handle:
                    loads(line)
                    n += 1
        return n

    return parse


def _parse_msgspec_decode_lines(files: list[tuple[Path, str]]) -> int:
    decoder = msgspec.json.Decoder()
    n = 0
    for path, kind in files:
        data = path.read_bytes()
        if kind == "array":
            decoder.decode(data)
            n += 1
        else:
            n += len(decoder.decode_lines(data))
    return n


def _parse_msgspec_structs(files: list[tuple[Path, str]]) -> int:
    decoders = {
        "array": msgspec.json.Decoder(),
        "person": msgspec.json.Decoder(_Person),
        "dossier": msgspec.json.Decoder(_Dossier),
    }
    n = 0
    for path, kind in files:
        data = path.read_bytes()
        if kind == "array":
            decoders[kind].decode(data)
            n += 1
        else:
            n += len(decoders[kind].decode_lines(data))
    return n


PARSERS = {
    "orjson.loads per line": _per_line(orjson.loads),
    "msgspec decode per line": _per_line(msgspec.json.Decoder().decode),
    "msgspec decode_lines": _parse_msgspec_decode_lines,
    "msgspec typed Structs": _parse_msgspec_structs,
}


def parse_floor(folder: Path) -> tuple[str, float, dict[str, float]]:
    files = input_files(folder)
    for path, _kind in files:  # warm the page cache, as the migration finds it
        path.read_bytes()
    seconds: dict[str, float] = {}
    for name, parse in PARSERS.items():
        started = time.perf_counter()
        parse(files)
        seconds[name] = time.perf_counter() - started
    best = min(seconds, key=seconds.__getitem__)
    return best, seconds[best], seconds


def copy_floor(database_url: str, tables: list[str], unlogged: bool) -> tuple[float, int]:
    """COPY the rows of ``tables`` (read back into memory first) into bare tables."""
    buffers: dict[str, bytes] = {}
    rows = 0
    with psycopg.connect(database_url) as conn:
        for table in tables:
            chunks: list[bytes] = []
            with conn.cursor().copy(f'COPY "{table}" TO STDOUT') as copy:
                for chunk in copy:
                    chunks.append(bytes(chunk))
            buffers[table] = b"".join(chunks)
            rows += buffers[table].count(b"\n")
        conn.rollback()
        kind = "UNLOGGED " if unlogged else ""
        with conn.cursor() as cur:
            for table in tables:
                cur.execute(f'DROP TABLE IF EXISTS "floor_{table}"')
                cur.execute(
                    f'CREATE {kind}TABLE "floor_{table}" (LIKE "{table}" INCLUDING DEFAULTS)'
                )
        conn.commit()
        settle_writes(database_url)
        started = time.perf_counter()
        with conn.cursor() as cur:
            for table in tables:
                with cur.copy(f'COPY "floor_{table}" FROM STDIN') as copy:
                    data = buffers[table]
                    for start in range(0, len(data), 1 << 20):
                        copy.write(data[start : start + (1 << 20)])
        conn.commit()
        seconds = time.perf_counter() - started
        with conn.cursor() as cur:
            for table in tables:
                cur.execute(f'DROP TABLE "floor_{table}"')
        conn.commit()
    return seconds, rows


# -- output -------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def gib(n: int) -> str:
    return f"{n / GB:.2f} GiB"


def print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print(
            "  "
            + "  ".join(
                cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                for i, cell in enumerate(row)
            )
        )
        if index == 0:
            print("  " + "  ".join("-" * w for w in widths))


def check_resources(workdir: Path, profile: str) -> None:
    free_disk = shutil.disk_usage(workdir).free
    with open("/proc/meminfo") as handle:
        meminfo = {line.split(":")[0]: int(line.split()[1]) * 1024 for line in handle}
    need = {"demo": 0.01, "flanders": 1.0, "x10": 10.0}[profile] * GB
    print(
        f"  {profile}: disk free {gib(free_disk)} (need ~{gib(int(need))} for input and "
        f"database), memory available {gib(meminfo['MemAvailable'])}"
    )
    if free_disk < need:
        raise SystemExit(f"not enough disk space in {workdir} for {profile}")


# -- main ---------------------------------------------------------------------------------------


def bench_profile(
    profile: str,
    args: argparse.Namespace,
    workdir: Path,
    sqlite: bool,
    floor: bool,
    rounds: int = 1,
) -> dict[str, Any]:
    print(f"\n== {profile} ==")
    check_resources(workdir, profile)
    folder = workdir / profile
    gen_wall, gen_rss = generate(
        folder, profile, args.reuse_input, workdir / f"generate-{profile}.log"
    )
    if gen_wall is not None:
        print(
            f"  generated in {gen_wall:.1f} s (peak RSS {gib(gen_rss)}); not part of the migration"
        )
    size = sum(p.stat().st_size for p, _ in input_files(folder))
    print(f"  input: {size / 1e6:.0f} MB in {len(input_files(folder))} files")
    result: dict[str, Any] = {"profile": profile, "generate_seconds": gen_wall, "targets": {}}

    # On a machine whose speed drifts, one migration and one floor a minute apart can fall in
    # different phases: with --rounds N, N (migration, floor) pairs are taken back to back and
    # the round with the median ratio is the one reported; every round is listed.
    taken: list[tuple[Target, dict[str, Any] | None]] = []
    for number in range(1, rounds + 1):
        if rounds > 1:
            print(f"  round {number} of {rounds}", flush=True)
        taken.append(migrate_and_floor(folder, args, workdir, floor))
    if floor and len(taken) > 1:
        result["rounds"] = [(t.wall, f["parse"] + f["copy"]) for t, f in taken if f]
        taken.sort(key=lambda r: r[0].wall / (r[1]["parse"] + r[1]["copy"]) if r[1] else 0.0)
    pg, found = taken[len(taken) // 2]
    result["targets"]["postgresql"] = pg
    if found is not None:
        result["floor"] = found

    if sqlite:
        path = workdir / f"bench-{profile}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        result["targets"]["sqlite"] = migrate("sqlite", folder, f"sqlite:///{path}", workdir)
        if not args.keep_db:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    return result


def migrate_and_floor(
    folder: Path, args: argparse.Namespace, workdir: Path, floor: bool
) -> tuple[Target, dict[str, Any] | None]:
    """One migration into a fresh PostgreSQL database and, if asked, the floor right after."""
    database_url = recreate_database(args.pg, PG_DB)
    try:
        pg = migrate("postgresql", folder, database_url, workdir)
        if not floor:
            return pg, None
        print("  floor: parsing with each parser ...", flush=True)
        best, parse_seconds, per_parser = parse_floor(folder)
        print("  floor: COPY of the same rows into bare tables ...", flush=True)
        tables = [t for t in TABLES if pg.rows.get(t)]
        copy_seconds, copy_rows = copy_floor(database_url, tables, unlogged=False)
        copy_unlogged, _ = copy_floor(database_url, tables, unlogged=True)
        return pg, {
            "parser": best,
            "parse": parse_seconds,
            "parsers": per_parser,
            "copy": copy_seconds,
            "copy_unlogged": copy_unlogged,
            "copy_rows": copy_rows,
        }
    finally:
        if not args.keep_db:
            drop_database(args.pg, PG_DB)


def report(result: dict[str, Any], flanders_wall: float | None) -> None:
    profile = result["profile"]
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    targets: dict[str, Target] = result["targets"]
    floor = result.get("floor")
    print(f"\n== {profile}: results (load average now {load}) ==")
    phases = ("read_and_validate", "merge", "write")
    header = ("", *targets)
    rows: list[tuple[str, ...]] = [header]
    for phase in phases:
        rows.append((f"{phase} (s)", *(f"{t.timings.get(phase, 0):.1f}" for t in targets.values())))
    rows.append(
        ("sum of phases (s)", *(f"{sum(t.timings.values()):.1f}" for t in targets.values()))
    )
    rows.append(("end to end, child wall (s)", *(f"{t.wall:.1f}" for t in targets.values())))
    rows.append(("CPU of the child, user+sys (s)", *(f"{t.cpu:.1f}" for t in targets.values())))
    rows.append(("peak RSS of the child", *(gib(t.peak_rss) for t in targets.values())))
    rows.append(("peak RSS, process tree (0.2 s)", *(gib(t.tree_peak) for t in targets.values())))
    rows.append(("rows written", *(f"{sum(t.rows.values()):,}" for t in targets.values())))
    print_table(rows)

    pg = targets.get("postgresql")
    if floor is not None:
        print("\n  floor (same machine, same run):")
        for name, seconds in floor["parsers"].items():
            mark = "  <- fastest" if name == floor["parser"] else ""
            print(f"    parse, {name:<26} {seconds:6.1f} s{mark}")
        print(
            f"    COPY {floor['copy_rows']:,} rows into bare logged tables {floor['copy']:6.1f} s"
        )
        print(f"    (same into UNLOGGED tables, for information: {floor['copy_unlogged']:.1f} s)")
        total_floor = floor["parse"] + floor["copy"]
        print(
            f"    floor = {floor['parse']:.1f} s parse + {floor['copy']:.1f} s COPY = "
            f"{total_floor:.1f} s"
        )
        if pg is not None:
            print(f"    ratio end to end / floor: {pg.wall / total_floor:.2f}")
        if result.get("rounds"):
            listed = ", ".join(f"{w:.1f} / {f:.1f} = {w / f:.2f}" for w, f in result["rounds"])
            print(f"    every round (end to end / floor): {listed}; the median is shown above")

    if pg is not None and profile == "flanders":
        print("\n  targets (flanders into PostgreSQL):")
        checks = [
            (
                f"end to end <= {TARGET_SECONDS:.0f} s",
                f"{pg.wall:.1f} s",
                pg.wall <= TARGET_SECONDS,
            ),
            (
                f"peak memory <= {gib(TARGET_PEAK_BYTES)}",
                gib(pg.peak_memory),
                pg.peak_memory <= TARGET_PEAK_BYTES,
            ),
        ]
        if floor is not None:
            ratio = pg.wall / (floor["parse"] + floor["copy"])
            checks.append(
                (
                    f"end to end <= {TARGET_FLOOR_RATIO:.0f} x floor",
                    f"{ratio:.2f} x",
                    ratio <= TARGET_FLOOR_RATIO,
                )
            )
        for label, value, ok in checks:
            print(f"    {label:<28} {value:>12}  {verdict(ok)}")
    if pg is not None and profile == "x10" and flanders_wall:
        ratio = pg.wall / flanders_wall
        print(
            f"\n  x10 / flanders: {pg.wall:.1f} s / {flanders_wall:.1f} s = {ratio:.2f} "
            f"(target <= {TARGET_X10_RATIO:.0f})  {verdict(ratio <= TARGET_X10_RATIO)}"
        )
        print(
            f"  x10 peak RSS: {gib(pg.peak_rss)}, process tree {gib(pg.tree_peak)} "
            "(2 GiB is a flanders target; for information)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profile", default="flanders", choices=["demo", "flanders", "x10"])
    parser.add_argument("--with-x10", action="store_true", help="also migrate x10 (PostgreSQL)")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/cir-bench-migration"))
    parser.add_argument("--pg", default=PG_SERVER, help="PostgreSQL server URL (no database)")
    parser.add_argument(
        "--reuse-input", action="store_true", help="keep input generated by an earlier run"
    )
    parser.add_argument("--keep-db", action="store_true", help="leave the databases behind")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="(migration, floor) pairs back to back; the median ratio's round is reported",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)

    print(f"bench/migration.py on {os.cpu_count()} cores; workdir {args.workdir}")
    print(f"  load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    from cir import compiled

    print(
        "  migration modules: "
        + (
            "compiled (fresh mypyc build in build/mypyc, decision 0009)"
            if compiled.is_fresh() and os.environ.get("CIR_COMPILED", "1") != "0"
            else "plain Python (no fresh build: `make compile`, or CIR_COMPILED=0)"
        )
    )
    results = [
        bench_profile(
            args.profile, args, args.workdir, not args.skip_sqlite, floor=True, rounds=args.rounds
        )
    ]
    report(results[0], None)
    if args.with_x10 and args.profile != "x10":
        base = results[0]["targets"].get("postgresql")
        results.append(bench_profile("x10", args, args.workdir, sqlite=False, floor=True))
        report(results[-1], base.wall if base else None)
    if args.json:
        args.json.write_bytes(
            orjson.dumps(
                results,
                default=lambda o: o.__dict__,
                option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS,
            )
        )


if __name__ == "__main__":
    main()
