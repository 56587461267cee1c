"""Read-side queries: the search of the local-software interface."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
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


SUMMARY_FIELDS = (
    "dossier_id",
    "dossier__number",
    "dossier__status",
    "dossier__dossier_type",
    "dossier__version",
    "dossier__registration_date",
    "dossier__created_at",
    "dossier__updated_at",
    "dossier__received_at",
    "dossier__primary_landlord__kbo",
    "unsynchronised",
)


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """What a search result shows of one dossier (plain values: a page has hundreds)."""

    number: str | None
    status: str
    dossier_type: str
    version: int
    registration_date: date | None
    created_at: datetime
    updated_at: datetime
    received_at: datetime | None
    primary_kbo: str | None
    unsynchronised: bool
    applicant: tuple[str, str, str] | None  # insz, first name, last name


def page_of(shares: QuerySet[DossierShare], page: int, size: int) -> tuple[list[SummaryRow], int]:
    """One page of search results, in two queries besides the count."""
    total = shares.count()
    offset = (page - 1) * size
    rows = list(shares.values_list(*SUMMARY_FIELDS)[offset : offset + size])
    applicants = {
        dossier_id: (insz, first, last)
        for dossier_id, insz, first, last in Member.objects.filter(
            dossier_id__in=[row[0] for row in rows], role="applicant"
        ).values_list("dossier_id", "person__insz", "person__first_name", "person__last_name")
    }
    return [
        SummaryRow(
            number=number,
            status=status,
            dossier_type=dossier_type,
            version=version,
            registration_date=registration_date,
            created_at=created_at,
            updated_at=updated_at,
            received_at=received_at,
            primary_kbo=primary_kbo,
            unsynchronised=unsynchronised,
            applicant=applicants.get(dossier_id),
        )
        for (
            dossier_id,
            number,
            status,
            dossier_type,
            version,
            registration_date,
            created_at,
            updated_at,
            received_at,
            primary_kbo,
            unsynchronised,
        ) in rows
    ], total


# --- the whole dossier as one JSON document, built by PostgreSQL ------------------------------

#: Outcomes of the caller check in :func:`read_document_logged`.
AUTH_OK, AUTH_NO_TOKEN, AUTH_FORBIDDEN = "ok", "no_token", "forbidden"


def _document_sql() -> str:
    """One statement: check the bearer token and its binding, check that the caller shares the
    dossier (policy.dossiers_visible_to), build the document exactly as presenters.whole does,
    and log the read. Used by the hot GET dossier path on PostgreSQL; tests compare it with the
    ORM path field by field."""
    from oauth2_provider.models import AccessToken, Application

    from cir.interface.models import ClientBinding
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
        return f'"{model._meta.db_table}"'

    def moment(column: str) -> str:
        return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"

    role_order = "CASE m.role WHEN 'applicant' THEN 0 WHEN 'partner' THEN 1 ELSE 2 END"
    return f"""
WITH tok AS (
    SELECT t.expires, t.scope, b.company_id, a.client_id
    FROM {t(AccessToken)} t
    JOIN {t(Application)} a ON a.id = t.application_id
    LEFT JOIN {t(ClientBinding)} b ON b.application_id = a.id
    WHERE t.token_checksum = %(checksum)s AND t.expires > now()
), caller AS (
    SELECT company_id, client_id FROM tok
    WHERE company_id IS NOT NULL AND %(scope)s = ANY (string_to_array(scope, ' '))
), d AS (
    SELECT d.*, s.unsynchronised, caller.company_id AS caller_id, caller.client_id
    FROM {t(Dossier)} d
    JOIN {t(DossierShare)} s ON s.dossier_id = d.id
    JOIN caller ON s.company_id = caller.company_id
    WHERE d.number = %(number)s
), logged AS (
    INSERT INTO {t(AuditEntry)} (at, operation, actor_kind, actor_company_id, actor_label,
                                 correlation_id, dossier_id, summary)
    SELECT now(), 'READ', 'landlord', d.caller_id, 'client ' || d.client_id,
           %(correlation_id)s, d.id, 'dossier gelezen'
    FROM d
    RETURNING id
)
SELECT
    CASE WHEN NOT EXISTS (SELECT 1 FROM tok) THEN '{AUTH_NO_TOKEN}'
         WHEN NOT EXISTS (SELECT 1 FROM caller) THEN '{AUTH_FORBIDDEN}'
         ELSE '{AUTH_OK}' END,
    (SELECT json_build_object(
        'dossierNummer', d.number,
        'dossierStatus', d.status,
        'dossierType', d.dossier_type,
        'versie', d.version,
        'inschrijvingsDatum', d.registration_date,
        'creatieDatum', {moment("d.created_at")},
        'updateDatum', {moment("d.updated_at")},
        'ontvangstDatum', {moment("d.received_at")},
        'primaireVerhuurder',
            (SELECT c.kbo FROM {t(HousingCompany)} c WHERE c.id = d.primary_landlord_id),
        'aanvrager', (SELECT json_build_object('rijksregisternummer', p.insz,
                                               'voorNaam', p.first_name, 'naam', p.last_name)
                      FROM {t(Member)} m JOIN {t(Person)} p ON p.id = m.person_id
                      WHERE m.dossier_id = d.id AND m.role = 'applicant'),
        'gesynchroniseerd', NOT d.unsynchronised,
        'secundaireVerhuurders', (SELECT COALESCE(json_agg(c.kbo ORDER BY c.kbo), '[]')
                      FROM {t(DossierShare)} s JOIN {t(HousingCompany)} c ON c.id = s.company_id
                      WHERE s.dossier_id = d.id AND NOT s.is_primary),
        'aanbod', CASE WHEN d.offer_company_id IS NULL THEN NULL ELSE json_build_object(
                      'verhuurder',
                      (SELECT c.kbo FROM {t(HousingCompany)} c WHERE c.id = d.offer_company_id),
                      'sinds', d.offer_started_on) END,
        'aanbodBlokkeringTot', d.offer_block_until,
        'aantalSancties', d.sanction_count,
        'redenSchrapping', d.removal_reason,
        'leden', (SELECT COALESCE(json_agg(json_build_object(
                      'rol', CASE m.role WHEN 'applicant' THEN 'AANVRAGER'
                                         WHEN 'partner' THEN 'PARTNER' ELSE 'MEDEBEWONER' END,
                      'rijksregisternummer', p.insz,
                      'voorNaam', p.first_name,
                      'naam', p.last_name,
                      'geboorteDatum', p.birth_date,
                      'domicilieGemeenteNisCode', p.domicile_id,
                      'wachtSinds', m.waiting_since,
                      'deelnameBevestigd', m.participation_confirmed_at IS NOT NULL)
                      ORDER BY {role_order}, p.insz), '[]')
                  FROM {t(Member)} m JOIN {t(Person)} p ON p.id = m.person_id
                  WHERE m.dossier_id = d.id),
        'voorkeuren', json_build_object(
            'gemeentes', (SELECT COALESCE(json_agg(json_build_object(
                              'volgorde', c.position,
                              'gemeenteNisCode', c.municipality_id,
                              'gemeente', (SELECT mu.name_nl FROM {t(Municipality)} mu
                                           WHERE mu.nis_code = c.municipality_id),
                              'wijken', c.neighbourhoods) ORDER BY c.position), '[]')
                          FROM {t(MunicipalityChoice)} c
                          WHERE c.dossier_id = d.id),
            'woningTypes', d.dwelling_types,
            'andere', d.other_preferences),
        'woonsituatie', d.housing_situation,
        'contact', d.contact,
        'rangschikkingen', (SELECT COALESCE(json_agg(json_build_object(
                              'rangLijstType', r.list_type,
                              'criterium1', r.criterion,
                              'lokaleBinding', r.local_binding,
                              'beperkteRegioKeuze', r.limited_region_choice,
                              'gemeenteNisCode', r.municipality_id,
                              'wijk', r.neighbourhood) ORDER BY r.id), '[]')
                          FROM {t(Ranking)} r
                          WHERE r.dossier_id = d.id AND r.company_id = d.caller_id),
        'statusHistoriek', (SELECT COALESCE(json_agg(json_build_object(
                              'vanStatus', h.from_status,
                              'naarStatus', h.to_status,
                              'actie', h.action,
                              'datum', h.effective_date) ORDER BY h.id), '[]')
                          FROM {t(StatusChange)} h WHERE h.dossier_id = d.id),
        'inhoudsbron', d.content_source,
        'samengevoegdUit', d.merged_from
    )::text FROM d),
    (SELECT count(*) FROM logged)
"""


_DOCUMENT: str | None = None


def read_document_logged(
    number: str, token_checksum: str, scope: str, correlation_id: str
) -> tuple[str, str | None]:
    """PostgreSQL only: ``(caller check, document)`` for a bearer token's checksum.

    The check is AUTH_NO_TOKEN (unknown or expired token), AUTH_FORBIDDEN (no landlord binding
    or scope) or AUTH_OK; the document is None when the caller does not share the dossier (and
    then nothing is logged)."""
    from cir.prepared import fetch_prepared

    global _DOCUMENT
    if _DOCUMENT is None:
        _DOCUMENT = _document_sql()
    row = fetch_prepared(
        _DOCUMENT,
        {
            "number": number,
            "checksum": token_checksum,
            "scope": scope,
            "correlation_id": correlation_id,
        },
    )
    return row[0], row[1]
