"""The migration's helper process: work that needs only the input files, on the other core.

:func:`start_helper` starts it at the beginning of :func:`~.inputs.read_inputs` when the
population is large. Once the reading has the population's national numbers, the helper answers
stdnum's questions about them (validity, encoded birth date) while the dossiers are being read.
Then it reads and validates ``population.jsonl`` itself (the same code as the reading), gathers
the national numbers of every input dossier from the dossier files (only those fields), works
out the identity warnings about them while the rules run, and exits. Its answers come from the
functions the migration would otherwise call itself (:class:`~.insz.InszOracle`,
:func:`~.rules.input_identity_warnings`), so they are the same answers; whenever the helper
fails, the migration does the work itself.

The folder is the helper's argument. Messages both ways: 8 bytes of length, then the data:
national numbers one per line to the helper (once), ``marshal`` data back (twice).
"""

from __future__ import annotations

import contextlib
import gc
import marshal
import os
import subprocess
import sys
import threading
import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import msgspec

from .insz import InszOracle

MIN_POPULATION_BYTES = 2_000_000
"""Below this size of ``population.jsonl`` (some 20 000 persons) the helper is not worth it."""


class Helper:
    """The parent's side of the helper process; every method gives up quietly on failure."""

    def __init__(self, folder: Path) -> None:
        self.process: subprocess.Popen[bytes] | None = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from cir.domain.migration.helper import main; main()",
                str(folder.resolve()),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            # A failing helper (e.g. on a malformed population.jsonl, which read_inputs reports
            # itself) must not print over the migration's own output: its exit status tells.
            stderr=subprocess.DEVNULL,
        )
        self._feeder: threading.Thread | None = None
        self._asked = False
        self._answered = False
        self._numbers: list[str] = []
        # Read the inputs but never planned: the helper goes when this object does.
        weakref.finalize(self, _kill, self.process)

    def _send(self, numbers: Iterable[str]) -> bool:
        """Send national numbers, one per line, from a thread (the helper may not be reading
        yet); False when a number cannot travel that way (it holds a line break)."""
        process = self.process
        if process is None:
            return False
        stdin = process.stdin
        assert stdin is not None
        listed = list(numbers)
        data = "\n".join(listed).encode()
        if data.count(b"\n") != max(len(listed) - 1, 0):
            return False

        def feed() -> None:
            try:
                stdin.write(len(data).to_bytes(8, "big"))
                stdin.write(data)
                stdin.flush()
            except OSError:  # the helper is gone; its exit status tells
                pass

        self._feeder = threading.Thread(target=feed, name="cir-migration-helper", daemon=True)
        self._feeder.start()
        return True

    def ask_answers(self, numbers: list[str]) -> None:
        """Send the population's numbers; :meth:`give_answers` gets stdnum's answers."""
        if self._asked or not self._send(numbers):
            self.close()  # out of order, or a number with a line break
            return
        self._asked = True
        self._numbers = numbers

    def _receive(self) -> Any:
        process = self.process
        if process is None:
            return None
        stdout = process.stdout
        assert stdout is not None
        head = _read_exactly(stdout, 8)
        body = _read_exactly(stdout, int.from_bytes(head, "big")) if head is not None else None
        if body is None:
            self.close()
            return None
        try:
            return marshal.loads(body)
        except (EOFError, ValueError, TypeError):
            self.close()
            return None

    def give_answers(self, oracle: InszOracle) -> None:
        """Hand stdnum's verdicts on the population's numbers to ``oracle`` (once). The birth
        dates they encode are only asked for the identity warnings, which the helper works out
        itself."""
        if self._answered:
            return
        self._answered = True
        answers = self._receive() if self._asked else None
        if isinstance(answers, bytes) and len(answers) == len(self._numbers):
            oracle.absorb(self._numbers, [flag == 1 for flag in answers])
        self._numbers = []

    def identity_warnings(self) -> list[dict[str, Any]] | None:
        """The warnings of :func:`~.rules.input_identity_warnings`, or ``None`` (do it yourself)."""
        if not self._answered:  # out of order: the helper still waits to give its first answer
            self.close()
            return None
        warnings = self._receive()
        process = self.process
        if process is None:
            return None
        if self._feeder is not None:
            self._feeder.join()
        self.process = None
        _close_pipes(process)
        if process.wait() != 0 or not isinstance(warnings, list):
            return None
        return warnings

    def close(self) -> None:
        """Stop the helper (if it still runs); nothing more is asked of it."""
        process, self.process = self.process, None
        if process is not None:
            process.kill()
            process.wait()
            if self._feeder is not None:
                self._feeder.join()
            _close_pipes(process)


def _close_pipes(process: subprocess.Popen[bytes]) -> None:
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


def _kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()


def _read_exactly(stream: IO[bytes], size: int) -> bytes | None:
    data = stream.read(size)
    return data if data is not None and len(data) == size else None


def start_helper(folder: Path) -> Helper | None:
    """A helper for a large population, else ``None`` (also when it cannot be started)."""
    try:
        if (folder / "population.jsonl").stat().st_size < MIN_POPULATION_BYTES:
            return None
        return Helper(folder)
    except OSError:
        return None


def _read(stream: IO[bytes]) -> list[str]:
    head = _read_exactly(stream, 8)
    body = _read_exactly(stream, int.from_bytes(head, "big")) if head is not None else None
    if body is None:
        raise EOFError("the migration stopped asking")
    return body.decode().split("\n") if body else []


def _write(stream: IO[bytes], value: Any) -> None:
    data = marshal.dumps(value)
    stream.write(len(data).to_bytes(8, "big"))
    stream.write(data)
    stream.flush()


class _MemberNumber(msgspec.Struct):
    insz: str


class _DossierNumbers(msgspec.Struct):
    members: list[_MemberNumber]


def input_numbers(folder: Path) -> set[str]:
    """Every national number of every line of the dossier files: the migration's
    ``MigrationPlanner.in_input`` for the same folder, read by the helper itself instead of sent
    by the migration, which would spend a pass over every dossier on it. Only the members'
    numbers are decoded; a line the migration accepts always has them (it stops on any other),
    and a line that fails here stops the helper, so the migration does the work itself."""
    from .inputs import _lines, dossier_files

    decode = msgspec.json.Decoder(_DossierNumbers).decode
    numbers: set[str] = set()
    add = numbers.add
    for path in dossier_files(folder):
        for _number, raw in _lines(path, "dossiers", None, None):
            for member in decode(raw).members:
                add(member.insz)
    return numbers


def main() -> None:
    """The helper process itself."""
    from .inputs import _Dates, _read_population
    from .rules import first_population_lines, input_identity_warnings

    gc.disable()
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    folder = Path(sys.argv[1])
    # 1. stdnum's answers about the numbers the migration read from population.jsonl.
    numbers = _read(stdin)
    oracle = InszOracle()
    _write(stdout, bytes(oracle.is_valid(n) for n in numbers))
    # What is left is wanted late (the identity warnings only once every dossier is built):
    # the migration and PostgreSQL come first, the helper takes a core they leave. Not before
    # the answers: the rules wait for those.
    with contextlib.suppress(OSError):
        os.nice(19)
    # 2. The identity warnings about the numbers of the input dossiers.
    population = _read_population(folder, None, _Dates())
    in_input = input_numbers(folder)
    persons = first_population_lines(population)
    _write(stdout, input_identity_warnings(persons, population, in_input, oracle))
