"""National numbers (rijksregisternummer / INSZ) as the migration needs them.

Validity is python-stdnum's (``stdnum.be.nn`` or ``stdnum.be.bis``), never our own arithmetic.
The input format wants 11 digits without separators, so a number in a notation stdnum would
clean up first ("85.07.30-033.28") is not accepted here. Results are cached per number because
the flanders profile asks about the same half a million numbers several times.

stdnum costs about 14 microseconds per number, several seconds for the flanders profile. Two
things make that smaller. A number of 11 ASCII digits is what ``compact()`` leaves unchanged, so
for such a number the oracle asks stdnum's date parser directly, which is what ``nn.validate``
does after cleaning: about half the cost, and the birth date parts come with the verdict
(``test_oracle_agrees_with_stdnum`` holds the two to the same answers). And the migration's
helper process (:mod:`.helper`) asks the questions about the population's numbers on the other
core while the dossiers are being read; :meth:`InszOracle.absorb` takes the answers over. The
helper runs this same class, so the answers are the ones the oracle would have given itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from stdnum.be import bis, nn
from stdnum.exceptions import ValidationError

# What nn.get_birth_date, get_birth_year and get_birth_month each compute after compact():
# (year, month, day), None where unknown. Private to stdnum, so looked up defensively; without
# it the public functions are used.
_BIRTH_DATE_PARTS: Callable[[str], tuple[int | None, int | None, int | None]] | None = getattr(
    nn, "_get_birth_date_parts", None
)


class InszOracle:
    """Cached answers about national numbers: valid or not, and the birth date they encode."""

    __slots__ = ("_birth", "_valid", "population", "population_invalid")

    def __init__(self) -> None:
        self._valid: dict[str, bool] = {}
        self._birth: dict[str, tuple[int | None, int | None, int | None]] = {}
        self.population: Mapping[str, object] | None = None
        """The numbers whose verdicts :meth:`absorb_population` took over (the population's)."""
        self.population_invalid: set[str] = set()
        """Those of :attr:`population` that are not valid: a few hundred of them, so a caller
        that has found a number among the population already asks this small set instead of a
        dictionary of every number (see ``MigrationPlanner._screen_one``)."""

    def is_valid(self, insz: str) -> bool:
        known = self._valid.get(insz)
        if known is None:
            population = self.population
            if population is not None and insz in population:
                return insz not in self.population_invalid
            known = (
                len(insz) == 11
                and insz.isascii()
                and insz.isdigit()
                and (self._valid_nn(insz) or bis.is_valid(insz))
            )
            self._valid[insz] = known
        return known

    def is_valid_found(self, insz: str, population: Mapping[str, object], found: bool) -> bool:
        """:meth:`is_valid` for a caller that has looked ``insz`` up in ``population`` already
        (``found``: it is there): when these are the numbers whose verdicts the oracle took
        over, the answer is in the small set of invalid ones, without a second lookup in a
        dictionary of every number."""
        if found and population is self.population:
            return insz not in self.population_invalid
        return self.is_valid(insz)

    def _valid_nn(self, insz: str) -> bool:
        """``nn.is_valid`` of 11 ASCII digits, keeping the birth date parts it works out."""
        if _BIRTH_DATE_PARTS is None:
            return nn.is_valid(insz)
        # nn.validate after compact(), which changes nothing here: a positive number, stdnum's
        # checksum and date checks, and a month field without the BIS offsets.
        if int(insz) <= 0 or int(insz[2:4]) > 12:
            return False
        try:
            parts = _BIRTH_DATE_PARTS(insz)
        except ValidationError:
            return False
        self._birth[insz] = parts
        return True

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

    def absorb_population(self, population: Mapping[str, object], verdicts: bytes) -> None:
        """Take over verdicts worked out elsewhere by this same class (the migration's helper
        process) on the numbers of ``population``, its keys in their order: ``verdicts[i]`` is
        1 where :meth:`is_valid` of the i-th number is true, else 0. ``population`` is kept, not
        copied: the verdicts are about the numbers it holds."""
        if len(population) != len(verdicts):
            raise ValueError("answers do not match the numbers asked")
        self.population_invalid = {
            insz for insz, verdict in zip(population, verdicts, strict=True) if verdict != 1
        }
        self.population = population

    def contradicts(self, insz: str, birth_date: date) -> bool:
        """True when the known parts of the encoded birth date differ from ``birth_date``."""
        year, month, day = self.birth_parts(insz)
        return (
            (year is not None and year != birth_date.year)
            or (month is not None and month != birth_date.month)
            or (day is not None and day != birth_date.day)
        )
