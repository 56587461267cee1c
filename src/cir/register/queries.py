"""Read-side queries: the search of the local-software interface."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from cir.reference.models import HousingCompany, Municipality
from cir.register.models import Dossier, DossierShare, Member


@dataclass(frozen=True)
class SearchCriteria:
    dossier_number: str | None = None
    status: str | None = None
    dossier_type: str | None = None
    applicant_insz: str | None = None
    postal_code: str | None = None
    created_from: date | None = None
    created_until: date | None = None
    updated_from: date | None = None
    updated_until: date | None = None
    received_from: date | None = None
    received_until: date | None = None
    unsynchronised_only: bool = False


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _end(day: date) -> datetime:
    """``Tot`` dates are inclusive: up to the end of that day."""
    return _start(day + timedelta(days=1))


def search_shares(company: HousingCompany, criteria: SearchCriteria) -> QuerySet[DossierShare]:
    """The caller's shares whose dossier matches, ordered stably by dossier id."""
    shares = DossierShare.objects.filter(company=company)
    if criteria.unsynchronised_only:
        shares = shares.filter(unsynchronised=True)
    filters: dict[str, Any] = {}
    if criteria.dossier_number:
        filters["dossier__number"] = criteria.dossier_number
    if criteria.status:
        filters["dossier__status"] = criteria.status
    if criteria.dossier_type:
        filters["dossier__dossier_type"] = criteria.dossier_type
    if criteria.created_from:
        filters["dossier__created_at__gte"] = _start(criteria.created_from)
    if criteria.created_until:
        filters["dossier__created_at__lt"] = _end(criteria.created_until)
    if criteria.updated_from:
        filters["dossier__updated_at__gte"] = _start(criteria.updated_from)
    if criteria.updated_until:
        filters["dossier__updated_at__lt"] = _end(criteria.updated_until)
    if criteria.received_from:
        filters["dossier__received_at__gte"] = _start(criteria.received_from)
    if criteria.received_until:
        filters["dossier__received_at__lt"] = _end(criteria.received_until)
    shares = shares.filter(**filters)
    if criteria.applicant_insz:
        shares = shares.filter(
            dossier__members__role="applicant",
            dossier__members__person__insz=criteria.applicant_insz,
        )
    if criteria.postal_code:
        nis_codes = [
            m.nis_code
            for m in Municipality.objects.only("nis_code", "postal_codes")
            if criteria.postal_code in (m.postal_codes or [])
        ]
        shares = shares.filter(
            dossier__members__role="applicant",
            dossier__members__person__domicile_id__in=nis_codes,
        )
    return shares.order_by("dossier_id")


def page_of(shares: QuerySet[DossierShare], page: int, size: int) -> tuple[list[DossierShare], int]:
    total = shares.count()
    offset = (page - 1) * size
    rows = list(
        shares.select_related("dossier__primary_landlord").prefetch_related(
            Prefetch(
                "dossier__members",
                queryset=Member.objects.filter(role="applicant").select_related("person"),
            )
        )[offset : offset + size]
    )
    return rows, total


# --- one whole dossier (geefDossier) ----------------------------------------------------------
#
# The hot path of the interface. What the answer shows besides the dossier row itself is read
# as plain rows (``WholeParts``); on PostgreSQL the dossier, the visibility check (the caller
# must share it), the read's audit entry and all those rows come from ONE statement with a
# fixed text, so neither the ORM's query compiler nor a second round trip is on the path.
# Other databases (SQLite for development) take the ORM with prefetches and give the same parts.


@dataclass(frozen=True)
class WholeParts:
    """What a whole dossier shows besides its own row; dates as ISO strings.

    - members: [role, insz, first name, last name, birth date, domicile NIS, waiting since,
      participation confirmed] in the order they were added;
    - choices: [position, NIS code, municipality name, neighbourhoods] by position;
    - shares: [company pk, is primary, unsynchronised, company KBO];
    - rankings: the reading company's only, [list type, criterion, local binding, limited
      region choice, municipality NIS, neighbourhood] in the order they were made;
    - history: [from status, to status, action, effective date] in order.
    """

    primary_kbo: str | None
    offer_kbo: str | None
    members: list[list[Any]]
    choices: list[list[Any]]
    shares: list[list[Any]]
    rankings: list[list[Any]]
    history: list[list[Any]]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def parts_from_prefetched(dossier: Dossier, company: HousingCompany) -> WholeParts:
    """The parts of a dossier loaded through ``services.dossier_queryset``."""
    return WholeParts(
        primary_kbo=dossier.primary_landlord.kbo if dossier.primary_landlord else None,
        offer_kbo=dossier.offer_company.kbo if dossier.offer_company else None,
        members=[
            [
                m.role,
                m.person.insz,
                m.person.first_name,
                m.person.last_name,
                _iso(m.person.birth_date),
                m.person.domicile_id,
                _iso(m.waiting_since),
                m.participation_confirmed_at is not None,
            ]
            for m in sorted(dossier.members.all(), key=lambda m: m.pk)
        ],
        choices=[
            [c.position, c.municipality_id, c.municipality.name_nl, c.neighbourhoods]
            for c in sorted(dossier.choices.all(), key=lambda c: c.position)
        ],
        shares=[
            [s.company_id, s.is_primary, s.unsynchronised, s.company.kbo]
            for s in dossier.shares.all()
        ],
        rankings=[
            [
                r.list_type,
                r.criterion,
                r.local_binding,
                r.limited_region_choice,
                r.municipality_id,
                r.neighbourhood,
            ]
            for r in sorted(dossier.rankings.all(), key=lambda r: r.pk)
            if r.company_id == company.pk
        ],
        history=[
            [h.from_status, h.to_status, h.action, _iso(h.effective_date)]
            for h in sorted(dossier.status_history.all(), key=lambda h: h.pk)
        ],
    )


def _whole_sql() -> tuple[str, list[Any]]:
    from cir.reference.models import HousingCompany, Municipality
    from cir.register.models import (
        AuditEntry,
        Member,
        MunicipalityChoice,
        Person,
        Ranking,
        StatusChange,
    )

    def t(model: Any) -> str:
        return str(model._meta.db_table)

    fields = list(Dossier._meta.concrete_fields)
    columns = ", ".join(f'd."{f.column}"' for f in fields)
    sql = f"""
WITH d AS (
    SELECT {columns} FROM {t(Dossier)} d
    WHERE d.number = %(number)s AND EXISTS (
        SELECT 1 FROM {t(DossierShare)} s WHERE s.dossier_id = d.id AND s.company_id = %(company)s
    )
), logged AS (
    INSERT INTO {t(AuditEntry)} (at, operation, actor_kind, actor_company_id, actor_label,
                                 on_behalf_of_id, correlation_id, dossier_id, summary)
    SELECT %(at)s, %(operation)s, %(actor_kind)s, %(company)s, %(actor_label)s,
           %(on_behalf_of)s, %(correlation_id)s, d.id, %(summary)s
    FROM d
    RETURNING id
)
SELECT {columns},
    (SELECT c.kbo FROM {t(HousingCompany)} c WHERE c.id = d.primary_landlord_id),
    (SELECT c.kbo FROM {t(HousingCompany)} c WHERE c.id = d.offer_company_id),
    (SELECT COALESCE(json_agg(json_build_array(m.role, p.insz, p.first_name, p.last_name,
                p.birth_date, p.domicile_id, m.waiting_since,
                m.participation_confirmed_at IS NOT NULL) ORDER BY m.id), '[]')::text
        FROM {t(Member)} m JOIN {t(Person)} p ON p.id = m.person_id
        WHERE m.dossier_id = d.id),
    (SELECT COALESCE(json_agg(json_build_array(c.position, c.municipality_id, mu.name_nl,
                c.neighbourhoods) ORDER BY c.position), '[]')::text
        FROM {t(MunicipalityChoice)} c JOIN {t(Municipality)} mu ON mu.nis_code = c.municipality_id
        WHERE c.dossier_id = d.id),
    (SELECT COALESCE(json_agg(json_build_array(s.company_id, s.is_primary, s.unsynchronised,
                hc.kbo) ORDER BY s.id), '[]')::text
        FROM {t(DossierShare)} s JOIN {t(HousingCompany)} hc ON hc.id = s.company_id
        WHERE s.dossier_id = d.id),
    (SELECT COALESCE(json_agg(json_build_array(r.list_type, r.criterion, r.local_binding,
                r.limited_region_choice, r.municipality_id, r.neighbourhood) ORDER BY r.id),
                '[]')::text
        FROM {t(Ranking)} r WHERE r.dossier_id = d.id AND r.company_id = %(company)s),
    (SELECT COALESCE(json_agg(json_build_array(h.from_status, h.to_status, h.action,
                h.effective_date) ORDER BY h.id), '[]')::text
        FROM {t(StatusChange)} h WHERE h.dossier_id = d.id),
    (SELECT count(*) FROM logged)
FROM d
"""
    return sql, fields


_WHOLE: tuple[str, list[Any]] | None = None


def read_whole_logged(number: str, company: HousingCompany, audit: dict[str, Any]) -> Any:
    """PostgreSQL only: the dossier ``number`` if ``company`` shares it, with its parts in
    ``dossier.whole_parts``, and the read logged as an audit entry with the ``audit`` values
    (at, operation, actor_kind, actor_label, on_behalf_of, correlation_id, summary), all in
    one statement. ``None`` (and nothing logged) when the company does not share it."""
    import orjson
    from django.db import connection

    global _WHOLE
    if _WHOLE is None:
        _WHOLE = _whole_sql()
    sql, fields = _WHOLE
    from cir.interface.oauth import fetch_prepared

    row = fetch_prepared(sql, {"number": number, "company": company.pk, **audit})
    if row is None:
        return None
    n = len(fields)
    values = [
        f.from_db_value(v, None, connection) if v is not None and hasattr(f, "from_db_value") else v
        for f, v in zip(fields, row[:n], strict=True)
    ]
    dossier = Dossier.from_db(connection.alias, [f.attname for f in fields], values)
    primary_kbo, offer_kbo, members, choices, shares, rankings, history, logged = row[n:]
    assert logged == 1
    dossier.whole_parts = WholeParts(  # type: ignore[attr-defined]
        primary_kbo=primary_kbo,
        offer_kbo=offer_kbo,
        members=orjson.loads(members),
        choices=orjson.loads(choices),
        shares=orjson.loads(shares),
        rankings=orjson.loads(rankings),
        history=orjson.loads(history),
    )
    return dossier


__all__ = [
    "Dossier",
    "SearchCriteria",
    "WholeParts",
    "page_of",
    "parts_from_prefetched",
    "read_whole_logged",
    "search_shares",
]
