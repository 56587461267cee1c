"""The migration's helper process: work that needs only the input files, on the other core.

:func:`start_helper` starts it at the beginning of :func:`~.inputs.read_inputs` when the
population is large. It reads the national numbers of ``population.jsonl`` itself (only that
field) and answers stdnum's question about each (valid or not) while the migration reads its
input: the rules wait for those answers, and the helper, starting at once, has them about when
the reading ends. Then it reads and validates ``population.jsonl`` (the same code as the
reading), gathers the national numbers of every input dossier from the dossier files (only
those fields), works out the identity warnings about them while the rules run, and exits. Its
answers come from the functions the migration would otherwise call itself
(:class:`~.insz.InszOracle`, :func:`~.rules.input_identity_warnings`), so they are the same
answers; whenever the helper fails, the migration does the work itself.

The folder is the helper's argument. It sends two messages, each 8 bytes of length and then
``marshal`` data: the numbers it asked about with their verdicts, then the warnings.
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
from collections.abc import Mapping
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
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            # A failing helper (e.g. on a malformed population.jsonl, which read_inputs reports
            # itself) must not print over the migration's own output: its exit status tells.
            stderr=subprocess.DEVNULL,
        )
        self._answered = False
        # Read the inputs but never planned: the helper goes when this object does.
        weakref.finalize(self, _kill, self.process)

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

    def give_answers(self, oracle: InszOracle, population: Mapping[str, object]) -> None:
        """Hand stdnum's verdicts on the population's numbers to ``oracle`` (once):
        ``population`` has the numbers of population.jsonl as keys, each once, in the order of
        the file (:func:`~.rules.first_population_lines`), which is how the helper asked about
        them; if the helper's numbers are not exactly those, its answers are not taken. The
        birth dates they encode are only asked for the identity warnings, which the helper works
        out itself."""
        if self._answered:
            return
        self._answered = True
        answers = self._receive()
        if (
            isinstance(answers, tuple)
            and len(answers) == 2
            and isinstance(answers[0], str)
            and isinstance(answers[1], bytes)
            and len(answers[1]) == len(population)
            and answers[0] == "\n".join(population)
        ):
            oracle.absorb_population(population, answers[1])
            return
        self.close()

    def identity_warnings(self) -> list[dict[str, Any]] | None:
        """The warnings of :func:`~.rules.input_identity_warnings`, or ``None`` (do it yourself)."""
        if not self._answered:  # out of order: the helper still waits to give its first answer
            self.close()
            return None
        warnings = self._receive()
        process = self.process
        if process is None:
            return None
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


_started_early: dict[Path, Helper] = {}


def start_early(folder: Path) -> None:
    """Start the helper for ``folder`` ahead of the reading; :func:`start_helper` takes it over.

    ``cir migrate-legacy`` does this before Django starts (about half a second): the rules wait
    for the helper's first answers, which then come about when the reading ends. A helper
    started early and never taken over is stopped when the process ends."""
    helper = start_helper(folder)
    if helper is not None:
        _started_early[folder.resolve()] = helper


def start_helper(folder: Path) -> Helper | None:
    """A helper for a large population, else ``None`` (also when it cannot be started); the
    one :func:`start_early` started for the same folder, if any."""
    early = _started_early.pop(folder.resolve(), None)
    if early is not None:
        return early
    try:
        if (folder / "population.jsonl").stat().st_size < MIN_POPULATION_BYTES:
            return None
        return Helper(folder)
    except OSError:
        return None


def _write(stream: IO[bytes], value: Any) -> None:
    data = marshal.dumps(value)
    stream.write(len(data).to_bytes(8, "big"))
    stream.write(data)
    stream.flush()


class _PersonNumber(msgspec.Struct):
    insz: str


def population_numbers(folder: Path) -> list[str]:
    """The national number of every line of ``population.jsonl``, in order (only that field is
    decoded); a line without one stops the helper, and the migration does the work itself."""
    from .inputs import POPULATION, _lines

    decode = msgspec.json.Decoder(_PersonNumber).decode
    return [decode(raw).insz for _number, raw in _lines(folder / POPULATION, "", None, None)]


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
    gc.disable()
    serve(Path(sys.argv[1]), sys.stdout.buffer)


def _lower_priority() -> None:
    """On Linux this lowers the calling thread only."""
    with contextlib.suppress(OSError):
        os.nice(19)


def serve(folder: Path, out: IO[bytes]) -> None:
    """The helper's work on ``folder``, its two messages written to ``out``."""
    from .inputs import _Dates, _read_population
    from .rules import first_population_lines, input_identity_warnings

    # 1. stdnum's answers about the numbers of population.jsonl (a number on two lines once).
    numbers = list(dict.fromkeys(population_numbers(folder)))
    oracle = InszOracle()
    verdicts = bytes(oracle.is_valid(n) for n in numbers)
    text = "\n".join(numbers)
    if text.count("\n") != max(len(numbers) - 1, 0):  # a number with a line break
        return
    # The migration takes the answers only once it has read its input, a second or more later,
    # and the pipe holds 64 kB of them: a thread waits for the migration, the work goes on (it
    # used to wait itself, leaving its core idle for 1.5 s of a flanders run, then worked on
    # into the building of the dossiers).
    answering = threading.Thread(target=_write, args=(out, (text, verdicts)), daemon=True)
    answering.start()
    # What is left is wanted late (the identity warnings only once every dossier is built):
    # the migration and PostgreSQL come first, the helper takes a core they leave. Not before
    # the answers: the rules wait for those.
    _lower_priority()
    # 2. The identity warnings about the numbers of the input dossiers.
    population = _read_population(folder, None, _Dates())
    in_input = input_numbers(folder)
    persons = first_population_lines(population)
    warnings = input_identity_warnings(persons, population, in_input, oracle)
    answering.join()
    _write(out, warnings)
