"""The COPY text the writer sends reads back, by PostgreSQL's rules, as the rows it was made of."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from cir.migration import writer

# PostgreSQL's COPY text format: \N alone is NULL; a backslash escapes the next character
# (b, f, n, r, t, v name control characters; anything else stands for itself).
_UNESCAPE = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def read_copy_text(data: bytes) -> list[list[str | None]]:
    rows = []
    for line in data.decode().split("\n")[:-1]:
        fields: list[str | None] = []
        for field in line.split("\t"):
            if field == "\\N":
                fields.append(None)
            else:
                fields.append(re.sub(r"\\(.)", lambda m: _UNESCAPE.get(m[1], m[1]), field))
        rows.append(fields)
    return rows


_TEXT = st.text(alphabet=st.sampled_from('ab \\\t\n\r\b\v\fN"é'), max_size=6)


@settings(max_examples=300)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 10**9),
            _TEXT,
            st.one_of(st.none(), st.dates()),
            st.one_of(st.just("{}"), st.just('{"a":"x\\\\y"}'), st.just('{"b":"\\n"}')),
            st.booleans(),
            st.one_of(st.none(), st.sampled_from(["11001", "44021"])),
        ),
        max_size=30,
    ),
    st.integers(1, 7),
)
def test_copy_text_reads_back_as_the_rows(rows, chunk_rows):
    """Whatever the text holds (mostly nothing to escape, sometimes a tab, a newline, a
    backslash or a literal ``\\N``), and however rows fall into chunks."""
    original = writer.COPY_CHUNK_ROWS
    writer.COPY_CHUNK_ROWS = chunk_rows
    try:
        data = b"".join(writer._copy_formatter("rsnjbn")(rows))
    finally:
        writer.COPY_CHUNK_ROWS = original

    def as_text(value: object) -> str | None:
        if value is None:
            return None
        if isinstance(value, bool):
            return "t" if value else "f"
        return value.isoformat() if isinstance(value, date) else str(value)

    assert read_copy_text(data) == [[as_text(v) for v in row] for row in rows]


def test_a_clean_chunk_is_written_as_it_is_and_only_a_dirty_one_escaped():
    clean = [(1, "Peeters", None, "{}", True, "11001")] * 3
    dirty = [*clean, (2, "Van\\Den", date(2000, 1, 2), "{}", False, None)]
    formatter = writer._copy_formatter("rsnjbn")
    assert b"".join(formatter(clean)) == b"1\tPeeters\t\\N\t{}\tt\t11001\n" * 3
    assert b"".join(formatter(dirty)).endswith(b"2\tVan\\\\Den\t2000-01-02\t{}\tf\t\\N\n")
