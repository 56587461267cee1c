"""The register export (register-dossier.schema.json), streamed in dossier-number order."""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator
from contextlib import ExitStack
from typing import Any

import msgspec
from django.db import connection, transaction
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast

from cir.migration.rows import json_bytes
from cir.register.models import Dossier, DossierShare, Member, MunicipalityChoice

ROLE_ORDER = {"applicant": 0, "partner": 1, "co_resident": 2}
CHUNK = 5000
"""Rows fetched at a time from each of the export's four streams."""


class _ByNumber:
    """The rows of a stream sorted by dossier number (each row's first field), taken dossier
    by dossier as the dossiers' own stream, in the same order, reaches them."""

    def __init__(self, rows: QuerySet[Any, tuple[Any, ...]]) -> None:
        self.rows = _stream(rows)
        self.head: tuple[Any, ...] | None = next(self.rows, None)

    def take(self, number: str) -> list[tuple[Any, ...]]:
        """The rows of dossier ``number`` (without the number)."""
        taken: list[tuple[Any, ...]] = []
        head = self.head
        while head is not None and head[0] == number:
            taken.append(head[1:])
            head = next(self.rows, None)
        if head is not None and head[0] < number:
            # Both streams come from one snapshot, sorted alike: a row can only be left
            # behind if they disagree on the order, and the export would lose it silently.
            raise RuntimeError(f"export: a row of dossier {head[0]} came out of order")
        self.head = head
        return taken

    def __enter__(self) -> _ByNumber:
        return self

    def __exit__(self, *exc: object) -> None:
        # The cursor is closed now, inside the export's transaction: left to the garbage
        # collector, it was closed after a consumer that stopped early had rolled back the
        # savepoint that opened it, and that failed the caller's transaction.
        self.rows.close()


def _stream(rows: QuerySet[Any, tuple[Any, ...]]) -> Generator[tuple[Any, ...], None, None]:
    """``rows`` fetched :data:`CHUNK` at a time (on PostgreSQL, from a server-side cursor)."""
    yield from rows.iterator(chunk_size=CHUNK)


def _from_json_text(text: str | None) -> Any:
    """A JSON column's value from its text, as Django reads it (the standard library's json):
    with msgspec, which reads the same values (integers of any size included) several times
    faster, but for what it refuses (a number beyond a float's range, a lone surrogate)."""
    if text is None:
        return None
    try:
        return _decode(text)
    except msgspec.DecodeError:
        return json.loads(text)


_decode = msgspec.json.Decoder().decode


def export_lines() -> Iterator[bytes]:
    """Dossiers with a number, sorted by number; members applicant, partner, co-residents by
    national number; municipalities, dwelling types, secondary landlords and merged_from sorted.

    One snapshot of the register (on PostgreSQL a read-only repeatable-read transaction, unless
    the caller holds one already): dossiers that landlords change meanwhile are exported as
    they were when the export began. The dossiers and their members, choices and shares come
    as four streams sorted by number, read side by side: one query each for the whole
    register, none per dossier or per batch."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            # The first statement of a new transaction: its isolation can still be set.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        with ExitStack() as opened:
            yield from _export(opened)


def _export(opened: ExitStack) -> Iterator[bytes]:
    """:func:`export_lines` inside its transaction; every stream's cursor is closed by
    ``opened``, before the transaction ends."""
    numbered = {"dossier__number__isnull": False}
    members = opened.enter_context(
        _ByNumber(
            Member.objects.filter(**numbered)
            .order_by("dossier__number")
            .values_list("dossier__number", "role", "person__insz", "waiting_since")
        )
    )
    choices = opened.enter_context(
        _ByNumber(
            MunicipalityChoice.objects.filter(**numbered)
            .order_by("dossier__number")
            .values_list("dossier__number", "municipality_id")
        )
    )
    secondaries = opened.enter_context(
        _ByNumber(
            DossierShare.objects.filter(is_primary=False, **numbered)
            .order_by("dossier__number")
            .values_list("dossier__number", "company__company_id")
        )
    )
    # The JSON columns as text, parsed here with msgspec: Django's own parsing (the
    # standard library's json, four documents per dossier) was half the export's time.
    as_text = {
        f"{field}_text": Cast(field, TextField())
        for field in ("dwelling_types", "other_preferences", "content_source", "merged_from")
    }
    dossiers = (
        Dossier.objects.filter(number__isnull=False)
        .order_by("number")
        .annotate(**as_text)
        .values_list(
            "number",
            "registration_date",
            "status",
            "primary_landlord__company_id",
            *as_text,
        )
    )
    rows = _stream(dossiers)
    opened.callback(rows.close)
    yield from _lines(rows, members, choices, secondaries)


def _lines(
    rows: Iterator[tuple[Any, ...]],
    members: _ByNumber,
    choices: _ByNumber,
    secondaries: _ByNumber,
) -> Iterator[bytes]:
    """The export's lines: the dossiers' ``rows`` with the rows of the other streams."""
    for number, reg, status, primary, *documents in rows:
        assert number is not None  # filtered above; the column itself may be NULL
        types, other, source, merged = (_from_json_text(text) for text in documents)
        out_members = []
        for role, insz, since in sorted(
            members.take(number), key=lambda m: (ROLE_ORDER[m[0]], m[1])
        ):
            entry: dict[str, Any] = {"insz": insz, "role": role}
            if role != "co_resident" and since is not None:
                entry["waiting_since"] = since.isoformat()
            out_members.append(entry)
        preferences: dict[str, Any] = {
            "municipalities": sorted(nis for (nis,) in choices.take(number)),
            "dwelling_types": sorted(types or []),
        }
        if other:
            preferences["other"] = other
        yield (
            json_bytes(
                {
                    "dossier_number": number,
                    "registration_date": reg.isoformat() if reg else None,
                    "status": status,
                    "primary_landlord": primary,
                    "secondary_landlords": sorted(c for (c,) in secondaries.take(number)),
                    "members": out_members,
                    "preferences": preferences,
                    "content_source": source,
                    "merged_from": sorted(merged, key=lambda m: (m["landlord_id"], m["dossier_id"]))
                    if merged
                    else None,
                }
            )
            + b"\n"
        )
