"""The load generator: a process of its own, speaking plain HTTP/1.1 over asyncio streams.

``python -m bench.loadgen SPEC.json`` runs one scenario in two phases and prints the results as
JSON on stdout:

- open loop: requests are scheduled every 1/rate seconds whatever the answers do, over at most
  ``open_connections`` connections; latency counts from the scheduled send time, so time spent
  queueing (for a connection, in the server's backlog) is part of it;
- closed loop: ``concurrency`` workers, each sending its next request as soon as the previous
  one is answered, for ``closed_duration`` seconds: the maximum throughput.

Bounded by construction: a fixed number of scheduled requests, a deadline per phase, a timeout
per request, and a cap on the closed loop's requests. The target must be on the loopback.
A hand-written client rather than httpx: it costs the shared two cores far less per request,
so more of them are left to the server being measured.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

REQUEST_TIMEOUT = 10.0
CLOSED_LOOP_CAP = 200_000


class HttpError(Exception):
    pass


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.used = False

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    def close(self) -> None:
        self.writer.close()

    async def roundtrip(self, raw: bytes) -> tuple[int, bytes, bool]:
        self.used = True
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head[:-4].split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        status = int(parts[1])
        keep_alive = parts[0] == b"HTTP/1.1"
        length = -1
        chunked = False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            value = value.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection":
                keep_alive = value == b"keep-alive" or (keep_alive and value != b"close")
            elif name == b"transfer-encoding" and b"chunked" in value:
                chunked = True
        if chunked:
            body = bytearray()
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    break
                body += await self.reader.readexactly(size + 2)
                del body[-2:]
            return status, bytes(body), keep_alive
        if length >= 0:
            return status, await self.reader.readexactly(length), keep_alive
        return status, await self.reader.read(), False


class Pool:
    """At most ``limit`` connections; a request waits for one (and that wait counts)."""

    def __init__(self, host: str, port: int, limit: int) -> None:
        self.host, self.port = host, port
        self.idle: list[Connection] = []
        self.slots = asyncio.Semaphore(limit)
        self.opened = 0

    async def _connection(self) -> Connection:
        if self.idle:
            return self.idle.pop()
        self.opened += 1
        return await Connection.open(self.host, self.port)

    async def send(self, raw: bytes) -> tuple[int, bytes]:
        async with self.slots:
            for attempt in (1, 2):
                conn = await self._connection()
                reused = conn.used
                try:
                    status, body, keep = await conn.roundtrip(raw)
                except (ConnectionError, asyncio.IncompleteReadError) as exc:
                    conn.close()
                    # A kept-alive connection the server closed meanwhile: once more, fresh.
                    # Safe for changing calls too: the correlation id makes them idempotent.
                    if reused and attempt == 1:
                        continue
                    raise HttpError(type(exc).__name__) from exc
                except BaseException:
                    conn.close()
                    raise
                if keep:
                    self.idle.append(conn)
                else:
                    conn.close()
                return status, body
        raise HttpError("unreachable")

    def close(self) -> None:
        for conn in self.idle:
            conn.close()
        self.idle.clear()


def request_bytes(method: str, path: str, token: str, body: Any = None) -> bytes:
    payload = b"" if body is None else json.dumps(body).encode()
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {token}\r\nx-correlation-id: {uuid.uuid4()}\r\n"
        f"Accept: application/json\r\n"
    )
    if body is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
    return (head + "\r\n").encode() + payload


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: Counter[str] = field(default_factory=Counter)
    sent: int = 0
    first: float = 0.0
    last: float = 0.0

    def record(self, started: float, status: int | str) -> None:
        now = time.monotonic()
        self.last = max(self.last, now)
        if status == 200:
            self.latencies.append(now - started)
        else:
            self.errors[str(status)] += 1

    def summary(self, **extra: Any) -> dict[str, Any]:
        values = sorted(self.latencies)
        elapsed = max(self.last - self.first, 1e-9)

        def pct(p: float) -> float | None:
            if not values:
                return None
            return 1000 * values[min(len(values) - 1, max(0, round(p * len(values)) - 1))]

        return {
            **extra,
            "sent": self.sent,
            "ok": len(values),
            "errors": sum(self.errors.values()),
            "error_kinds": dict(self.errors),
            "elapsed_s": round(elapsed, 3),
            "throughput": len(values) / elapsed,
            "p50_ms": pct(0.50),
            "p99_ms": pct(0.99),
            "max_ms": 1000 * values[-1] if values else None,
        }


Unit = Callable[[Pool, float, Phase], Awaitable[bool]]


class Scenario:
    """Makes the requests of one scenario; a unit is one request, or an OFFER+CCL pair."""

    per_unit = 1

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.token = spec["token"]
        self.rng = random.Random(spec.get("seed", 1))

    async def call(
        self, pool: Pool, started: float, phase: Phase, method: str, path: str, body: Any = None
    ) -> int | str:
        phase.sent += 1
        try:
            status, _ = await asyncio.wait_for(
                pool.send(request_bytes(method, path, self.token, body)), REQUEST_TIMEOUT
            )
        except TimeoutError:
            status_or_error: int | str = "timeout"
        except (HttpError, OSError) as exc:
            status_or_error = f"connection: {exc}"
        else:
            status_or_error = status
        phase.record(started, status_or_error)
        return status_or_error

    async def unit(self, pool: Pool, started: float, phase: Phase) -> bool:
        raise NotImplementedError


class Health(Scenario):
    async def unit(self, pool: Pool, started: float, phase: Phase) -> bool:
        await self.call(pool, started, phase, "GET", "/health")
        return True


class GetDossier(Scenario):
    async def unit(self, pool: Pool, started: float, phase: Phase) -> bool:
        number = self.rng.choice(self.spec["numbers"])
        await self.call(
            pool, started, phase, "GET", f"{self.spec['base']}dossiers/dossier/{number}"
        )
        return True


class Search(Scenario):
    async def unit(self, pool: Pool, started: float, phase: Phase) -> bool:
        body = {
            "nietGesynchroniseerd": True,
            "pagina": self.rng.randint(1, max(1, self.spec["pages"])),
            "paginaGrootte": 100,
        }
        await self.call(pool, started, phase, "POST", f"{self.spec['base']}dossiers/zoeken", body)
        return True


class OfferThenCancel(Scenario):
    """OFFER on a dossier never offered before, then CCL (back to REG): two requests."""

    per_unit = 2

    def __init__(self, spec: dict[str, Any], fresh: list[str]) -> None:
        super().__init__(spec)
        self.fresh = fresh

    async def unit(self, pool: Pool, started: float, phase: Phase) -> bool:
        if not self.fresh:
            return False
        number = self.fresh.pop()
        path = f"{self.spec['base']}dossiers/verwerkDossierActie"
        offer = await self.call(
            pool, started, phase, "POST", path, {"dossierNummer": number, "actie": "OFFER"}
        )
        if offer != 200:
            phase.sent += 1
            phase.record(started, "CCL skipped")
            return True
        await self.call(
            pool, time.monotonic(), phase, "POST", path, {"dossierNummer": number, "actie": "CCL"}
        )
        return True


async def open_loop(scenario: Scenario, spec: dict[str, Any], rate: float) -> dict[str, Any]:
    pool = Pool(spec["host"], spec["port"], spec["open_connections"])
    phase = Phase()
    units = int(rate * spec["duration"] / scenario.per_unit)
    interval = scenario.per_unit / rate
    start = time.monotonic() + 0.05
    phase.first = start
    tasks: list[asyncio.Task[bool]] = []
    for i in range(units):
        at = start + i * interval
        delay = at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(scenario.unit(pool, at, phase)))
    if tasks:
        _done, pending = await asyncio.wait(tasks, timeout=2 * REQUEST_TIMEOUT + 5)
        for task in pending:
            task.cancel()
        if pending:
            phase.errors["unfinished"] += len(pending) * scenario.per_unit
    pool.close()
    return phase.summary(
        mode="open",
        target_rate=rate,
        connections_opened=pool.opened,
        units=units,
    )


async def closed_loop(scenario: Scenario, spec: dict[str, Any]) -> dict[str, Any]:
    concurrency = spec["concurrency"]
    pool = Pool(spec["host"], spec["port"], concurrency)
    phase = Phase()
    start = time.monotonic()
    phase.first = start
    deadline = start + spec["closed_duration"]

    async def worker() -> None:
        while time.monotonic() < deadline and phase.sent < CLOSED_LOOP_CAP:
            if not await scenario.unit(pool, time.monotonic(), phase):
                return

    await asyncio.wait_for(
        asyncio.gather(*(worker() for _ in range(concurrency))),
        spec["closed_duration"] + 2 * REQUEST_TIMEOUT + 5,
    )
    pool.close()
    return phase.summary(mode="closed", concurrency=concurrency)


async def drain(spec: dict[str, Any]) -> float:
    """Wait until the server has worked off what the open loop left queued (a request whose
    client gave up still sits in the listen backlog of a sync worker and is still served), so
    that it does not weigh on the closed loop: /health answering quickly again, 60 s at most."""
    started = time.monotonic()
    pool = Pool(spec["host"], spec["port"], 1)
    health = request_bytes("GET", "/health", spec["token"])
    while time.monotonic() - started < 60:
        sent = time.monotonic()
        try:
            await asyncio.wait_for(pool.send(health), REQUEST_TIMEOUT)
        except (TimeoutError, HttpError, OSError):
            continue
        if time.monotonic() - sent < 0.05:
            break
        await asyncio.sleep(0.05)
    pool.close()
    await asyncio.sleep(0.5)
    return round(time.monotonic() - started, 2)


def make(spec: dict[str, Any], fresh: list[str] | None = None) -> Scenario:
    kind = spec["scenario"]
    if kind == "health":
        return Health(spec)
    if kind == "dossier":
        return GetDossier(spec)
    if kind == "search":
        return Search(spec)
    if kind == "offer_ccl":
        return OfferThenCancel(spec, fresh if fresh is not None else [])
    raise SystemExit(f"unknown scenario {kind}")


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    if spec["host"] not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("the load generator only targets the loopback")
    fresh = list(spec.get("fresh", []))
    warm_fresh = fresh[: spec.get("warmup_units", 0)]
    open_fresh = fresh[len(warm_fresh) : len(warm_fresh) + spec["open_fresh"]]
    closed_fresh = fresh[len(warm_fresh) + len(open_fresh) :]
    # Warm-up (not counted): every worker has loaded the code and opened its database connection.
    warm = make(spec, warm_fresh)
    pool = Pool(spec["host"], spec["port"], 4)
    scratch = Phase()
    for _ in range(spec.get("warmup_units", 0)):
        await warm.unit(pool, time.monotonic(), scratch)
    pool.close()
    results: dict[str, Any] = {"warmup_errors": dict(scratch.errors)}
    results["open"] = await open_loop(make(spec, open_fresh), spec, spec["rate"])
    results["open"]["drain_s"] = await drain(spec)
    closed = make(spec, closed_fresh)
    results["closed"] = await closed_loop(closed, spec)
    results["closed"]["fresh_left"] = len(closed_fresh) if spec["scenario"] == "offer_ccl" else None
    return results


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        spec = json.load(handle)
    print(json.dumps(asyncio.run(run(spec))))


if __name__ == "__main__":
    main()
