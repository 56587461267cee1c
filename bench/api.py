"""Benchmark of the local-software interface on a register of realistic size.

    .venv/bin/python bench/api.py [--dossiers 200000] [--rate 200] [--duration 20] [--keep-db]

1. (Re)creates the PostgreSQL database ``cir_bench``, migrates it, loads the demo areas and
   writes the dossiers with COPY (see ``bench/dataset.py``).
2. Makes an API client for the company that shares the most dossiers and gets its token.
3. Starts gunicorn (2 workers) on 127.0.0.1:8765 against that database.
4. Per scenario, from a separate process (``bench/loadgen.py``): an open loop at ``--rate``
   requests per second (latency from the scheduled send time) and a closed loop for the
   maximum throughput. Scenarios: /health (the framework's floor), GET dossier, zoeken
   nietGesynchroniseerd (pages of 100), OFFER followed by CCL on fresh dossiers. The closed
   loop keeps 32 connections open: with fewer, gunicorn's two workers often split the
   keep-alive connections unevenly (7 and 1, say) and the figure measures that split.
5. The throughput target: ``--pairs`` alternating closed loops of /health and GET dossier,
   back to back; the target is judged on the median of their ratios.
6. Prints the table and the targets; stops gunicorn; drops the database unless --keep-db.

Everything it sends goes to 127.0.0.1 and every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "src"))

from bench import dataset  # noqa: E402

BIN = Path(sys.executable).parent
AREAS = ROOT / "src/cir/reference/data/demo_operating_areas.json"
BASE = "/v1/socZek/socialeHuisvesting/"
HOST = "127.0.0.1"
SCENARIOS = {
    "health": "GET /health (floor)",
    "dossier": "GET dossier",
    "search": "zoeken nietGesynchroniseerd",
    "offer_ccl": "OFFER + CCL",
}
P99_TARGET_MS = 25.0
THROUGHPUT_RATIO_TARGET = 0.5


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--dossiers", type=int, default=200_000)
    p.add_argument("--rate", type=float, default=200.0, help="open-loop arrival rate (req/s)")
    p.add_argument("--duration", type=float, default=20.0, help="open-loop seconds per scenario")
    p.add_argument("--closed-duration", type=float, default=10.0, help="closed-loop seconds")
    p.add_argument("--concurrency", type=int, default=32, help="closed-loop connections")
    p.add_argument("--open-connections", type=int, default=64, help="open-loop connection cap")
    p.add_argument("--worker-class", choices=("sync", "gthread"), default="gthread")
    p.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--database", default="cir_bench")
    p.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="server URL")
    p.add_argument("--unsynchronised", type=float, default=0.05, help="share of shares")
    p.add_argument("--no-history", action="store_true", help="skip audit/action/event rows")
    p.add_argument("--scenarios", default=",".join(SCENARIOS))
    p.add_argument(
        "--pairs",
        type=int,
        default=5,
        help="alternating closed loops of /health and GET dossier for the throughput ratio",
    )
    p.add_argument("--pair-duration", type=float, default=6.0, help="seconds per paired loop")
    p.add_argument("--results", type=Path, help="also write the figures to this JSON file")
    p.add_argument("--keep-db", action="store_true", help="keep cir_bench afterwards")
    p.add_argument(
        "--reuse-db", action="store_true", help="use an existing cir_bench (from --keep-db)"
    )
    args = p.parse_args(argv)
    if not 0 < args.rate <= 2000 or not 0 < args.duration <= 120 or args.closed_duration > 120:
        p.error("rate 0-2000 req/s, durations up to 120 s")
    if not 1 <= args.concurrency <= 64 or not 1 <= args.open_connections <= 256:
        p.error("at most 64 closed-loop and 256 open-loop connections")
    unknown = set(args.scenarios.split(",")) - set(SCENARIOS)
    if unknown:
        p.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    return args


# --- database --------------------------------------------------------------------------------


def admin(args: argparse.Namespace, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
        conn.execute(sql.encode())


def database_exists(args: argparse.Namespace) -> bool:
    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (args.database,))
        return row.fetchone() is not None


def cir(env: dict[str, str], *command: str) -> str:
    done = subprocess.run(
        [str(BIN / "cir"), *command], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"cir {' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def build_database(args: argparse.Namespace, env: dict[str, str], dsn: str) -> None:
    import psycopg

    log(f"database {args.database}: recreating")
    admin(args, f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    admin(args, f'CREATE DATABASE "{args.database}"')
    started = time.monotonic()
    cir(env, "migrate", "--no-input", "-v", "0")
    areas = cir(env, "load-areas", str(AREAS)).strip().splitlines()[0]
    log(f"migrated, areas loaded ({areas}) in {time.monotonic() - started:.1f} s")

    with psycopg.connect(dsn) as conn:
        ref = dataset.read_reference(conn.cursor())
    started = time.monotonic()
    stats = dataset.load(
        lambda: psycopg.connect(dsn),
        ref,
        args.dossiers,
        unsynchronised_share=args.unsynchronised,
        history=not args.no_history,
    )
    loaded = time.monotonic() - started
    log(
        f"COPY: {stats.dossiers} dossiers, {stats.persons} persons/members, "
        f"{stats.choices} choices, {stats.shares} shares ({stats.unsynchronised} "
        f"unsynchronised), {stats.history_rows} history rows in {loaded:.1f} s"
    )
    started = time.monotonic()
    with psycopg.connect(dsn, autocommit=True) as conn:
        cursor = conn.cursor()
        tables = [
            "register_person",
            "register_dossier",
            "register_member",
            "register_municipalitychoice",
            "register_dossiershare",
            "register_statuschange",
            "register_actionrecord",
            "register_auditentry",
            "register_event",
        ]
        dataset.reset_sequences(cursor, tables)
        problems = dataset.verify(cursor)
        if problems:
            raise SystemExit(
                "the generated register breaks its constraints:\n" + "\n".join(problems)
            )
        checked = time.monotonic() - started
        cursor.execute("VACUUM (ANALYZE)")
    log(
        f"constraints verified in {checked:.1f} s; VACUUM ANALYZE in "
        f"{time.monotonic() - started - checked:.1f} s; "
        f"load total {loaded + time.monotonic() - started:.1f} s"
    )


def pick_company(dsn: str) -> tuple[str, int, int]:
    import psycopg

    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            """
            SELECT c.company_id, count(*), count(*) FILTER (WHERE s.unsynchronised)
            FROM register_dossiershare s JOIN reference_housingcompany c ON c.id = s.company_id
            GROUP BY c.company_id ORDER BY count(*) DESC, c.company_id LIMIT 1
            """
        ).fetchone()
    assert row is not None
    return row[0], row[1], row[2]


def company_numbers(dsn: str, company_id: str) -> tuple[list[str], list[str], int]:
    """All dossier numbers the company shares, those never offered (fresh), unsynced count."""
    import psycopg

    with psycopg.connect(dsn) as conn:
        numbers = [
            r[0]
            for r in conn.execute(
                """
                SELECT d.number FROM register_dossier d
                JOIN register_dossiershare s ON s.dossier_id = d.id
                JOIN reference_housingcompany c ON c.id = s.company_id
                WHERE c.company_id = %s ORDER BY d.id
                """,
                (company_id,),
            )
        ]
        fresh = [
            r[0]
            for r in conn.execute(
                """
                SELECT d.number FROM register_dossier d
                JOIN register_dossiershare s ON s.dossier_id = d.id
                JOIN reference_housingcompany c ON c.id = s.company_id
                WHERE c.company_id = %s AND d.status = 'REG' AND d.offer_block_until IS NULL
                  AND NOT EXISTS (SELECT 1 FROM register_actionrecord a
                                  WHERE a.dossier_id = d.id AND a.action = 'OFFER')
                ORDER BY d.id
                """,
                (company_id,),
            )
        ]
        row = conn.execute(
            """
            SELECT count(*) FROM register_dossiershare s
            JOIN reference_housingcompany c ON c.id = s.company_id
            WHERE c.company_id = %s AND s.unsynchronised
            """,
            (company_id,),
        ).fetchone()
    assert row is not None
    return numbers, fresh, row[0]


def read_audit_count(dsn: str, company_id: str) -> int:
    import psycopg

    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            """
            SELECT count(*) FROM register_auditentry a
            JOIN reference_housingcompany c ON c.id = a.actor_company_id
            WHERE c.company_id = %s AND a.operation = 'READ'
            """,
            (company_id,),
        ).fetchone()
    assert row is not None
    return int(row[0])


# --- server ----------------------------------------------------------------------------------


def start_gunicorn(args: argparse.Namespace, env: dict[str, str], logfile: Path) -> Any:
    command = [
        str(BIN / "gunicorn"),
        "cir.wsgi:application",
        "-w",
        str(args.workers),
        "-b",
        f"{HOST}:{args.port}",
        "--worker-class",
        args.worker_class,
        "--backlog",
        "512",
        "--timeout",
        "60",
        "--keep-alive",
        "75",
    ]
    if args.worker_class == "gthread":
        command += ["--threads", str(args.threads)]
    handle = logfile.open("w")
    proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn stopped:\n{logfile.read_text()[-3000:]}")
        try:
            status, _ = http(args.port, "GET", "/health")
            if status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    stop(proc)
    raise SystemExit(f"gunicorn did not answer /health within 30 s:\n{logfile.read_text()[-3000:]}")


def stop(proc: Any) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def http(
    port: int,
    method: str,
    path: str,
    body: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    import uuid

    conn = HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request(method, path, body, {"x-correlation-id": str(uuid.uuid4()), **(headers or {})})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def token_for(port: int, credentials: dict[str, str]) -> str:
    body = urllib.parse.urlencode({"grant_type": "client_credentials", **credentials})
    status, content = http(
        port,
        "POST",
        "/oauth/token/",
        body,
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    if status != 200:
        raise SystemExit(f"no token: {status} {content[:300]!r}")
    return str(json.loads(content)["access_token"])


# --- load ------------------------------------------------------------------------------------


def run_scenario(spec: dict[str, Any], workdir: Path) -> dict[str, Any]:
    path = workdir / f"spec-{spec['scenario']}.json"
    path.write_text(json.dumps(spec))
    budget = spec["duration"] + spec["closed_duration"] + 120
    done = subprocess.run(
        [sys.executable, "-m", "bench.loadgen", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=budget,
    )
    if done.returncode != 0:
        raise SystemExit(f"load generator failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout))


def fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def table(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    head = (
        f"{'scenario':<30} | {'open loop @ ' + format(args.rate, 'g') + ' req/s':^44} | "
        f"{'closed loop, ' + str(args.concurrency) + ' conns':^32}"
    )
    sub = (
        f"{'':<30} | {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7} | "
        f"{'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'err':>5}"
    )
    lines = [head, sub, "-" * len(sub)]
    for name, result in results.items():
        o, c = result["open"], result["closed"]
        lines.append(
            f"{SCENARIOS[name]:<30} | {fmt(o['throughput']):>7} {fmt(o['p50_ms'], 2):>8} "
            f"{fmt(o['p99_ms'], 2):>8} {fmt(o['max_ms'], 1):>8} {o['errors']:>7} | "
            f"{fmt(c['throughput']):>8} {fmt(c['p50_ms'], 2):>7} {fmt(c['p99_ms'], 2):>7} "
            f"{c['errors']:>5}"
        )
    return "\n".join(lines)


def paired_ratios(
    args: argparse.Namespace, base_spec: dict[str, Any], numbers: list[str], workdir: Path
) -> list[tuple[float, float]]:
    """(floor, dossier) closed-loop throughputs, measured back to back ``--pairs`` times.

    The cores of this machine are shared, and their speed drifts by tens of percent over a
    minute; measuring the floor and GET dossier once each, a minute apart, compares two
    different machines. Alternating short loops and taking the median ratio compares like
    with like."""
    pairs: list[tuple[float, float]] = []
    for _ in range(args.pairs):
        measured: dict[str, float] = {}
        for name in ("health", "dossier"):
            spec = {
                **base_spec,
                "scenario": name,
                "duration": 0,
                "closed_duration": args.pair_duration,
                "numbers": numbers if name == "dossier" else [],
                "warmup_units": 50,
            }
            measured[name] = run_scenario(spec, workdir)["closed"]["throughput"]
        pairs.append((measured["health"], measured["dossier"]))
        log(
            f"  pair {len(pairs)}: /health {measured['health']:.0f} req/s, GET dossier "
            f"{measured['dossier']:.0f} req/s, ratio {measured['dossier'] / measured['health']:.2f}"
        )
    return pairs


def targets(
    results: dict[str, dict[str, Any]], rate: float, pairs: list[tuple[float, float]]
) -> list[tuple[str, bool]]:
    checks = []
    if "dossier" in results:
        p99 = results["dossier"]["open"]["p99_ms"]
        errors = results["dossier"]["open"]["errors"]
        ok = p99 is not None and p99 <= P99_TARGET_MS and errors == 0
        checks.append(
            (
                f"GET dossier p99 at {rate:g} req/s: {fmt(p99, 2)} ms (target <= "
                f"{P99_TARGET_MS:g} ms, {errors} errors)",
                ok,
            )
        )
    if pairs:
        ratios = sorted(dossier / floor for floor, dossier in pairs if floor)
        median = statistics.median(ratios) if ratios else 0.0
        checks.append(
            (
                f"GET dossier max throughput, median of {len(pairs)} alternating pairs: "
                f"{median:.2f} x /health (pairs: {', '.join(f'{r:.2f}' for r in ratios)}; "
                f"target >= {THROUGHPUT_RATIO_TARGET:g} x)",
                median >= THROUGHPUT_RATIO_TARGET,
            )
        )
    elif "dossier" in results and "health" in results:
        dossier = results["dossier"]["closed"]["throughput"]
        floor = results["health"]["closed"]["throughput"]
        ratio = dossier / floor if floor else 0.0
        checks.append(
            (
                f"GET dossier max throughput {dossier:.0f} req/s = {ratio:.2f} x /health "
                f"{floor:.0f} req/s (target >= {THROUGHPUT_RATIO_TARGET:g} x)",
                ratio >= THROUGHPUT_RATIO_TARGET,
            )
        )
    return checks


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    dsn = f"{args.pg}/{args.database}"
    env = {
        **os.environ,
        "DATABASE_URL": dsn,
        "CIR_DB_CONN_MAX_AGE": "600",
        "DJANGO_SETTINGS_MODULE": "cir.settings",
        "CIR_LOG_LEVEL": "WARNING",
        "CIR_DEBUG": "0",
    }
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")})
    import django

    django.setup()

    workdir = Path(tempfile.mkdtemp(prefix="cir-bench-"))
    server = None
    try:
        if args.reuse_db and database_exists(args):
            log(f"database {args.database}: reused as it is")
        else:
            build_database(args, env, dsn)
        company, shared, unsynced = pick_company(dsn)
        credentials = json.loads(cir(env, "create-client", "--company", company))
        log(f"client for {company}: shares {shared} dossiers, {unsynced} unsynchronised")

        log(f"gunicorn: {args.workers} {args.worker_class} workers on {HOST}:{args.port}")
        server = start_gunicorn(args, env, workdir / "gunicorn.log")
        token = token_for(args.port, credentials)
        numbers, fresh, unsynced = company_numbers(dsn, company)
        open_pairs = int(args.rate * args.duration / 2)
        reads_before = read_audit_count(dsn, company)

        results: dict[str, dict[str, Any]] = {}
        load_before = os.getloadavg()
        common = {
            "host": HOST,
            "port": args.port,
            "base": BASE,
            "token": token,
            "rate": args.rate,
            "concurrency": args.concurrency,
            "open_connections": args.open_connections,
        }
        for name in args.scenarios.split(","):
            spec = {
                **common,
                "scenario": name,
                "duration": args.duration,
                "closed_duration": args.closed_duration,
                "numbers": numbers if name == "dossier" else [],
                "pages": math.ceil(unsynced / 100),
                "fresh": fresh if name == "offer_ccl" else [],
                "open_fresh": open_pairs,
                "warmup_units": 20 if name == "offer_ccl" else 200,
            }
            log(f"{SCENARIOS[name]}: open {args.duration:g} s, closed {args.closed_duration:g} s")
            results[name] = run_scenario(spec, workdir)
            o, c = results[name]["open"], results[name]["closed"]
            log(
                f"  open {o['throughput']:.0f} req/s p99 {fmt(o['p99_ms'], 2)} ms "
                f"errors {o['error_kinds'] or 0}; closed {c['throughput']:.0f} req/s "
                f"errors {c['error_kinds'] or 0}"
            )
            if name == "offer_ccl" and len(fresh) < 20 + open_pairs:
                log(f"  only {len(fresh)} fresh dossiers: the open loop ran short")

        if "dossier" in results:
            reads = read_audit_count(dsn, company) - reads_before
            served = sum(results["dossier"][m]["ok"] for m in ("open", "closed")) + 200
            log(f"audit: {reads} READ entries for {served} dossier reads answered 200")

        pairs: list[tuple[float, float]] = []
        if "dossier" in results and "health" in results and args.pairs > 0:
            log(
                f"throughput pairs: {args.pairs} x (/health, GET dossier), "
                f"{args.pair_duration:g} s each"
            )
            base_spec = {**common, "pages": 0, "fresh": [], "open_fresh": 0}
            pairs = paired_ratios(args, base_spec, numbers, workdir)

        print()
        print(
            f"CIR API benchmark: {args.dossiers} dossiers, company {company} ({len(numbers)} "
            f"shared, {unsynced} unsynchronised), gunicorn {args.workers} x {args.worker_class}"
            + (f" ({args.threads} threads)" if args.worker_class == "gthread" else "")
            + f", {os.cpu_count()} cores"
        )
        print(table(results, args))
        print()
        load_after = os.getloadavg()
        print(
            "load average (1/5/15 min) before the load: "
            + " ".join(f"{x:.2f}" for x in load_before)
            + ", after: "
            + " ".join(f"{x:.2f}" for x in load_after)
            + " (anything above ~2.5 means other work shared the two cores)"
        )
        checks = targets(results, args.rate, pairs)
        for label, ok in checks:
            print(f"[{'PASS' if ok else 'FAIL'}] {label}")
        if args.results:
            args.results.write_text(
                json.dumps(
                    {
                        "args": {k: str(v) for k, v in vars(args).items()},
                        "company": company,
                        "load_before": load_before,
                        "load_after": load_after,
                        "results": results,
                        "throughput_pairs": pairs,
                        "table": table(results, args),
                    },
                    indent=2,
                )
            )
        return 0 if all(ok for _, ok in checks) else 1
    finally:
        stop(server)
        if not args.keep_db:
            from django.db import connections

            connections.close_all()
            admin(args, f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
            log(f"database {args.database} dropped")
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
