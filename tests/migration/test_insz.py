"""The national-number oracle gives stdnum's answers, whatever shortcut it takes."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
from stdnum.be import bis, nn

from cir.domain.migration.insz import InszOracle


def _checked_number(year: int, month: int, day: int, serial: int, born_since_2000: bool) -> str:
    """Eleven digits whose check digits are right for the century asked."""
    nine = f"{year:02d}{month:02d}{day:02d}{serial:03d}"
    base = int(("2" if born_since_2000 else "") + nine)
    return f"{nine}{97 - base % 97:02d}"


_ELEVEN_DIGITS = st.text(alphabet="0123456789", min_size=11, max_size=11)
# Numbers with correct check digits for both centuries, BIS month offsets and months beyond them,
# unknown birth dates, impossible days and months: the corners where validity turns on the date.
_CHECKED = st.builds(
    _checked_number,
    st.integers(0, 99),
    st.one_of(st.integers(0, 14), st.integers(0, 99)),
    st.integers(0, 32),
    st.integers(0, 999),
    st.booleans(),
)


@settings(max_examples=3000)
@given(st.one_of(_ELEVEN_DIGITS, _CHECKED))
@example("85073003328")  # stdnum's own example of a valid number
@example("00000100195")  # birth date unknown
@example("00000000000")
@example("40000095579")  # BIS, stdnum's example
def test_oracle_agrees_with_stdnum(number: str) -> None:
    oracle = InszOracle()
    assert oracle.is_valid(number) is (nn.is_valid(number) or bis.is_valid(number))
    if nn.is_valid(number):
        # The parts kept with the verdict are stdnum's.
        year, month, day = oracle.birth_parts(number)
        assert year == nn.get_birth_year(number)
        assert month == nn.get_birth_month(number)
        full = nn.get_birth_date(number)
        if full is None:
            assert day is None or month is None
        else:
            assert (year, month, day) == (full.year, full.month, full.day)
