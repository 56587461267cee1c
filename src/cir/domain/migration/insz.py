"""National numbers (rijksregisternummer / INSZ) as the migration needs them.

Validity is python-stdnum's (``stdnum.be.nn`` or ``stdnum.be.bis``), never our own arithmetic.
The input format wants 11 digits without separators, so a number in a notation stdnum would
clean up first ("85.07.30-033.28") is not accepted here. Results are cached per number because
the flanders profile asks about the same half a million numbers several times.

stdnum costs a few microseconds per number (it cleans the string on every call), several seconds
for the flanders profile: :func:`start_prefill` asks the same questions about the population's
numbers in a helper process, on the other core, while the dossiers are being read;
:meth:`InszOracle.absorb` takes the answers over. The helper runs this module's own
:class:`InszOracle`, so the answers are the ones the oracle would have given itself.
"""

from __future__ import annotations

import marshal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import date

from stdnum.be import bis, nn

# What nn.get_birth_date, get_birth_year and get_birth_month each compute after compact():
# (year, month, day), None where unknown. Private to stdnum, so looked up defensively; without
# it the public functions are used.
_BIRTH_DATE_PARTS: Callable[[str], tuple[int | None, int | None, int | None]] | None = getattr(
    nn, "_get_birth_date_parts", None
)


class InszOracle:
    """Cached answers about national numbers: valid or not, and the birth date they encode."""

    __slots__ = ("_birth", "_valid")

    def __init__(self) -> None:
        self._valid: dict[str, bool] = {}
        self._birth: dict[str, tuple[int | None, int | None, int | None]] = {}

    def is_valid(self, insz: str) -> bool:
        known = self._valid.get(insz)
        if known is None:
            known = (
                len(insz) == 11
                and insz.isascii()
                and insz.isdigit()
                and (nn.is_valid(insz) or bis.is_valid(insz))
            )
            self._valid[insz] = known
        return known

    def birth_parts(self, insz: str) -> tuple[int | None, int | None, int | None]:
        """(year, month, day) encoded in a valid number; ``None`` where the number leaves it open.

        stdnum folds the BIS month offsets (+20, +40) back and picks the century from the
        check digits (numbers of people born since 2000 carry a leading 2 in the check).
        """
        parts = self._birth.get(insz)
        if parts is None:
            if _BIRTH_DATE_PARTS is not None and self.is_valid(insz):
                # A valid number here is 11 ASCII digits, which stdnum's compact() leaves as it
                # is: ask stdnum's own parser once instead of cleaning the number three times.
                parts = _BIRTH_DATE_PARTS(insz)
            else:
                full = nn.get_birth_date(insz)
                if full is not None:
                    parts = (full.year, full.month, full.day)
                else:
                    parts = (nn.get_birth_year(insz), nn.get_birth_month(insz), None)
            self._birth[insz] = parts
        return parts

    def absorb(self, numbers: Sequence[str], answers: bytes) -> None:
        """Take over the answers of :func:`prefill_answers` for ``numbers`` (same order)."""
        valid, parts = marshal.loads(answers)
        if len(valid) != len(numbers) or len(parts) != len(numbers):
            raise ValueError("prefill answers do not match the numbers asked")
        for insz, is_valid, birth in zip(numbers, valid, parts, strict=True):
            self._valid[insz] = is_valid
            if birth is not None:
                self._birth[insz] = birth

    def contradicts(self, insz: str, birth_date: date) -> bool:
        """True when the known parts of the encoded birth date differ from ``birth_date``."""
        year, month, day = self.birth_parts(insz)
        return (
            (year is not None and year != birth_date.year)
            or (month is not None and month != birth_date.month)
            or (day is not None and day != birth_date.day)
        )


PREFILL_MIN_NUMBERS = 20_000
"""Below this many numbers the helper process costs more than it saves."""


def prefill_answers(numbers: Sequence[str]) -> bytes:
    """Validity and, for valid numbers, the encoded birth date parts, as :meth:`absorb` reads
    them."""
    oracle = InszOracle()
    valid = [oracle.is_valid(insz) for insz in numbers]
    parts = [
        oracle.birth_parts(insz) if ok else None for insz, ok in zip(numbers, valid, strict=True)
    ]
    return marshal.dumps((valid, parts))


class Prefill:
    """Answers about ``numbers`` being computed in a helper process (see :func:`start_prefill`)."""

    def __init__(self, numbers: Sequence[str]) -> None:
        self.numbers = numbers
        self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
            [sys.executable, "-c", "from cir.domain.migration.insz import _helper; _helper()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        # Fed from a thread: the helper reads only once its interpreter is up.
        self._feeder = threading.Thread(
            target=self._feed, args=(self._process, "\n".join(numbers).encode()), daemon=True
        )
        self._feeder.start()

    @staticmethod
    def _feed(process: subprocess.Popen[bytes], data: bytes) -> None:
        assert process.stdin is not None
        try:
            process.stdin.write(data)
            process.stdin.close()
        except OSError:  # the helper died or was cancelled; apply() sees its exit status
            pass

    def apply(self, oracle: InszOracle) -> None:
        """Give the answers to ``oracle``; if the helper failed, the oracle just asks stdnum
        itself (nothing is absorbed)."""
        process, self._process = self._process, None
        if process is None:
            return
        assert process.stdout is not None
        answers = process.stdout.read()
        self._feeder.join()
        process.stdout.close()
        if process.wait() == 0:
            oracle.absorb(self.numbers, answers)

    def cancel(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.wait()
            self._feeder.join()


def start_prefill(numbers: Sequence[str]) -> Prefill | None:
    """Start answering about ``numbers`` in a helper process, or ``None`` when there are too few
    to be worth it or the process cannot be started."""
    # Only plain 11-digit numbers travel to the helper (one per line); others are rare and the
    # oracle answers them itself.
    plain = [n for n in dict.fromkeys(numbers) if len(n) == 11 and n.isascii() and n.isdigit()]
    if len(plain) < PREFILL_MIN_NUMBERS:
        return None
    try:
        return Prefill(plain)
    except OSError:
        return None


def _helper() -> None:
    numbers = sys.stdin.buffer.read().decode().split("\n")
    sys.stdout.buffer.write(prefill_answers(numbers))
    sys.stdout.buffer.flush()
