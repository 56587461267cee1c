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


__all__ = ["Dossier", "SearchCriteria", "page_of", "search_shares"]
