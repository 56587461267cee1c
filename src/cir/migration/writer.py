"""Writing a migration plan into the register: many rows, one transaction.

PostgreSQL gets COPY (the fastest way in); SQLite gets batched inserts. Ids are assigned here so
that rows can reference each other without a round trip; sequences are reset afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import orjson
from django.db import connection
from django.db.models import Max, Model
from django.utils import timezone

from cir.domain.migration.inputs import MigrationInputs
from cir.domain.migration.rules import MigrationPlan
from cir.migration.models import LegacyLandlord
from cir.reference.models import HousingCompany, Municipality
from cir.register.models import (
    ActionRecord,
    AuditEntry,
    Dossier,
    DossierShare,
    Event,
    Member,
    MunicipalityChoice,
    Person,
    StatusChange,
)

Progress = Callable[[str, int, int | None], None]
ACTOR_LABEL = "invlechting"
CANDIDATE_ROLES = ("applicant", "partner")


@dataclass
class WriteResult:
    persons_created: int
    dossiers: int
    rows: int
    municipalities_unknown: int
    per_table: dict[str, int] = field(default_factory=dict)


class _Sink:
    """Rows for one table, in the order of ``columns``; flushed by COPY or batched inserts."""

    def __init__(self, model: type[Model], columns: Sequence[str]) -> None:
        self.model = model
        self.table = model._meta.db_table
        self.columns = list(columns)
        self.rows: list[tuple[Any, ...]] = []

    def add(self, *row: Any) -> None:
        self.rows.append(row)

    def flush(self) -> int:
        if not self.rows:
            return 0
        count = len(self.rows)
        if connection.vendor == "postgresql":
            self._copy()
        else:
            self._insert()
        self.rows = []
        return count

    def _copy(self) -> None:
        cols = ", ".join(f'"{c}"' for c in self.columns)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3 cursor under Django's wrapper
            with raw.copy(f'COPY "{self.table}" ({cols}) FROM STDIN') as copy:
                for row in self.rows:
                    copy.write_row(row)

    def _insert(self) -> None:
        cols = ", ".join(f'"{c}"' for c in self.columns)
        marks = ", ".join(["%s"] * len(self.columns))
        sql = f'INSERT INTO "{self.table}" ({cols}) VALUES ({marks})'
        with connection.cursor() as cursor:
            for start in range(0, len(self.rows), 5000):
                cursor.executemany(sql, self.rows[start : start + 5000])


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _next_id(model: type[Model]) -> int:
    return int(model._default_manager.aggregate(m=Max("id"))["m"] or 0) + 1


def reset_sequences(models: Iterable[type[Model]]) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{table}"), 1))'
            )


def clear_register() -> None:
    """--replace: remove every dossier and what hangs off it, and persons no longer used."""
    tables = [
        model._meta.db_table
        for model in (
            AuditEntry,
            Event,
            ActionRecord,
            StatusChange,
            DossierShare,
            MunicipalityChoice,
            Member,
        )
    ]
    from cir.register.models import Document, Proxy, Ranking

    tables += [Ranking._meta.db_table, Proxy._meta.db_table, Document._meta.db_table]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'DELETE FROM "{table}"')
        cursor.execute(f'DELETE FROM "{Dossier._meta.db_table}"')
        cursor.execute(f'DELETE FROM "{Person._meta.db_table}"')


def write_legacy_landlords(inputs: MigrationInputs) -> None:
    companies = dict(HousingCompany.objects.values_list("company_id", "pk"))
    known = set(Municipality.objects.values_list("nis_code", flat=True))
    LegacyLandlord.objects.all().delete()
    LegacyLandlord.objects.bulk_create(
        LegacyLandlord(
            landlord_id=landlord.landlord_id,
            name=landlord.name,
            kind=landlord.type,
            company_id=companies.get(landlord.company_id) if landlord.company_id else None,
            municipality_id=landlord.municipality if landlord.municipality in known else None,
        )
        for landlord in inputs.landlords.values()
    )


def write_plan(
    plan: MigrationPlan,
    reference_date: date,
    progress: Progress | None = None,
) -> WriteResult:
    """Write persons, dossiers, members, choices, shares, history, action log, audit and one
    MIGRA event per dossier. The caller holds the transaction."""
    now: datetime = timezone.now()
    run_id = str(uuid.uuid4())
    company_pk = dict(HousingCompany.objects.values_list("company_id", "pk"))
    known_nis = set(Municipality.objects.values_list("nis_code", flat=True))

    person_pk = dict(Person.objects.values_list("insz", "pk"))
    persons = _Sink(
        Person,
        [
            "id",
            "insz",
            "first_name",
            "last_name",
            "birth_date",
            "domicile_id",
            "email",
            "phone1",
            "phone2",
            "address",
        ],
    )
    next_person = _next_id(Person)
    for p in plan.persons:
        if p.insz in person_pk:
            continue
        person_pk[p.insz] = next_person
        domicile = p.domicile_nis if p.domicile_nis in known_nis else None
        persons.add(
            next_person,
            p.insz,
            p.first_name or "",
            p.last_name or "",
            p.birth_date,
            domicile,
            "",
            "",
            "",
            "",
        )
        next_person += 1
    created_persons = persons.flush()
    per_table = {persons.table: created_persons}
    if progress:
        progress("write", created_persons, None)

    dossiers = _Sink(
        Dossier,
        [
            "id",
            "number",
            "registration_date",
            "status",
            "dossier_type",
            "primary_landlord_id",
            "sanction_count",
            "removal_reason",
            "version",
            "dwelling_types",
            "other_preferences",
            "housing_situation",
            "contact",
            "received_at",
            "created_at",
            "updated_at",
            "last_activity_on",
            "content_source",
            "merged_from",
        ],
    )
    members = _Sink(
        Member, ["id", "dossier_id", "person_id", "role", "waiting_since", "holds_candidacy"]
    )
    choices = _Sink(
        MunicipalityChoice, ["id", "dossier_id", "position", "municipality_id", "neighbourhoods"]
    )
    shares = _Sink(
        DossierShare,
        ["id", "dossier_id", "company_id", "is_primary", "acknowledged_version", "unsynchronised"],
    )
    history = _Sink(
        StatusChange,
        [
            "id",
            "dossier_id",
            "from_status",
            "to_status",
            "action",
            "effective_date",
            "removal_reason",
            "at",
        ],
    )
    actions = _Sink(
        ActionRecord,
        [
            "id",
            "dossier_id",
            "action",
            "actor_kind",
            "actor_label",
            "correlation_id",
            "comment",
            "payload",
            "effective_date",
            "version_after",
            "at",
        ],
    )
    events = _Sink(
        Event, ["id", "audience", "dossier_id", "kind", "effective_date", "payload", "created_at"]
    )
    audit = _Sink(
        AuditEntry,
        [
            "id",
            "at",
            "operation",
            "actor_kind",
            "actor_label",
            "correlation_id",
            "dossier_id",
            "summary",
            "after",
        ],
    )
    ids = {
        name: _next_id(model)
        for name, model in (
            ("dossier", Dossier),
            ("member", Member),
            ("choice", MunicipalityChoice),
            ("share", DossierShare),
            ("history", StatusChange),
            ("action", ActionRecord),
            ("event", Event),
            ("audit", AuditEntry),
        )
    }
    unknown_municipalities = 0
    for index, d in enumerate(plan.dossiers):
        dossier_id = ids["dossier"] + index
        source = {"landlord_id": d.content_source[0], "dossier_id": d.content_source[1]}
        merged = [{"landlord_id": lid, "dossier_id": did} for lid, did in d.merged_from]
        dossiers.add(
            dossier_id,
            d.number,
            d.registration_date,
            d.status,
            "MIGRA",
            company_pk[d.primary_company_id],
            0,
            "",
            1,
            _json(list(d.dwelling_types)),
            _json(d.other or {}),
            d.housing_situation or "",
            _json(d.contact or {}),
            now,
            now,
            now,
            reference_date,
            _json(source),
            _json(merged),
        )
        for member in d.members:
            members.add(
                ids["member"],
                dossier_id,
                person_pk[member.insz],
                member.role,
                member.waiting_since,
                member.role in CANDIDATE_ROLES,
            )
            ids["member"] += 1
        position = 0
        for nis in d.municipalities:
            if nis not in known_nis:
                unknown_municipalities += 1
                continue
            position += 1
            choices.add(ids["choice"], dossier_id, position, nis, "[]")
            ids["choice"] += 1
        for company_id, primary in [(d.primary_company_id, True)] + [
            (c, False) for c in d.secondary_company_ids
        ]:
            shares.add(ids["share"], dossier_id, company_pk[company_id], primary, 0, True)
            ids["share"] += 1
        history.add(ids["history"] + index, dossier_id, "", "REG", "MIGRA", reference_date, "", now)
        actions.add(
            ids["action"] + index,
            dossier_id,
            "MIGRA",
            "register",
            ACTOR_LABEL,
            run_id,
            "",
            _json({"samengevoegdUit": merged, "gesplitst": d.split}),
            reference_date,
            1,
            now,
        )
        candidates = [m.insz for m in d.members if m.role in CANDIDATE_ROLES]
        events.add(
            ids["event"] + index,
            "HUURPREMIE",
            dossier_id,
            "MIGRA",
            reference_date,
            _json(
                {
                    "dossierNummer": d.number,
                    "rijksregisternummers": candidates,
                    "actie": "MIGRA",
                    "wachtSinds": {
                        m.insz: m.waiting_since.isoformat()
                        for m in d.members
                        if m.waiting_since is not None
                    },
                    "gesplitst": d.split,
                }
            ),
            now,
        )
        audit.add(
            ids["audit"] + index,
            now,
            "CREATE",
            "register",
            ACTOR_LABEL,
            run_id,
            dossier_id,
            "dossier aangemaakt door de invlechting",
            _json({"number": d.number, "status": "REG", "version": 1}),
        )
    rows = created_persons
    for sink in (dossiers, members, choices, shares, history, actions, events, audit):
        written = sink.flush()
        per_table[sink.table] = written
        rows += written
        if progress:
            progress("write", written, None)
    reset_sequences(
        [
            Person,
            Dossier,
            Member,
            MunicipalityChoice,
            DossierShare,
            StatusChange,
            ActionRecord,
            Event,
            AuditEntry,
        ]
    )
    return WriteResult(created_persons, len(plan.dossiers), rows, unknown_municipalities, per_table)
