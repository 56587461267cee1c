"""A large, realistic register, written straight into PostgreSQL with COPY.

The rows are those the services would have left after each dossier went the candidate's way
(``create_dossier`` -> ``confirm_participation`` per adult -> APP with the conditions met, which
registers and numbers it) and after the landlords acknowledged most of their shares:

- persons with valid national numbers (mod-97 check digits, 2 prefixed for births from 2000);
- one applicant, sometimes a partner, sometimes co-residents; ``holds_candidacy`` for candidates,
  ``waiting_since`` the registration date, participation confirmed for every adult;
- 1-4 chosen municipalities, the Flemish domicile first when the candidate left it out;
- one share per company: the primary and secondary landlords from ``derive_landlords``;
- numbers ``jjjj.mm.dd.xxxx``, the lowest free sequence of the date in order of registration;
- status history, action log, audit trail and events as the services write them.

Foreign keys are not checked row by row during the load (``session_replication_role =
replica`` skips their triggers); :func:`verify` checks every one of them afterwards with one
anti-join each. Unique indexes and check constraints are enforced during the load as always.
"""

from __future__ import annotations

import gc
import json
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

FIRST_NAMES = (
    "Jan",
    "Piet",
    "Joris",
    "Korneel",
    "Lotte",
    "Emma",
    "Louise",
    "Noor",
    "Lars",
    "Wout",
    "Sien",
    "Lies",
    "Marie",
    "Anna",
    "Elise",
    "Jef",
    "Mathias",
    "Bram",
    "Arne",
    "Ruben",
    "Fien",
    "Nina",
    "Julie",
    "Sofie",
    "Tom",
    "Koen",
    "Karel",
    "Mohamed",
    "Fatima",
    "Yusuf",
    "Amina",
    "Hanne",
    "Griet",
    "Jozef",
    "Maria",
    "Staf",
    "Rita",
    "Luc",
    "Annick",
    "Dirk",
    "Ilse",
    "Kevin",
    "Jana",
    "Febe",
    "Stijn",
    "Kobe",
    "Lore",
)
LAST_NAMES = (
    "Peeters",
    "Janssens",
    "Maes",
    "Jacobs",
    "Mertens",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
    "De Smet",
    "Dubois",
    "Hermans",
    "Aerts",
    "Michiels",
    "Lambrechts",
    "Vermeulen",
    "Claeys",
    "Pauwels",
    "Van Damme",
    "Martens",
    "De Clercq",
    "Verstraete",
    "Smets",
    "Cools",
    "Bogaerts",
    "Vandenberghe",
    "El Amrani",
    "Yilmaz",
    "Benali",
    "Dewilde",
    "Segers",
)
STREETS = (
    "Kerkstraat",
    "Stationsstraat",
    "Dorpsstraat",
    "Molenstraat",
    "Nieuwstraat",
    "Schoolstraat",
    "Kapelstraat",
    "Veldstraat",
    "Beekstraat",
    "Lindelaan",
    "Heidestraat",
    "Bosstraat",
    "Hoogstraat",
    "Langestraat",
    "Meir",
)
SITUATIONS = (
    "",
    "Huurt een woning op de private markt.",
    "Woont in bij familie.",
    "Huurt een studio die te klein is voor het gezin.",
    "Woning onbewoonbaar verklaard.",
    "Dakloos, tijdelijk opgevangen.",
)
DWELLINGS = ("A", "H", "R", "S")


def national_number(birth: date, serial: int) -> str:
    """The 11-digit national number: yymmdd, a serial 001-997 and the mod-97 check digits."""
    body = f"{birth:%y%m%d}{serial:03d}"
    base = int(("2" + body) if birth.year >= 2000 else body)
    return f"{body}{97 - base % 97:02d}"


def mask(insz: str) -> str:
    return insz[:6] + "*" * (len(insz) - 6)


@dataclass
class Reference:
    """Companies and their areas as ``cir load-areas`` left them."""

    company_pk: dict[str, int]
    company_of: dict[str, str]  # nis -> company_id, for every municipality in an area
    areas: dict[str, list[str]]  # company_id -> its municipalities
    outside: list[str]  # municipalities outside Flanders (a domicile elsewhere)


@dataclass
class LoadStats:
    dossiers: int = 0
    persons: int = 0
    members: int = 0
    choices: int = 0
    shares: int = 0
    unsynchronised: int = 0
    history_rows: int = 0
    shares_per_company: Counter[str] = field(default_factory=Counter)
    unsynchronised_per_company: Counter[str] = field(default_factory=Counter)


def read_reference(cursor: Any) -> Reference:
    cursor.execute("SELECT id, company_id FROM reference_housingcompany")
    company_pk = {cid: pk for pk, cid in cursor.fetchall()}
    by_pk = {pk: cid for cid, pk in company_pk.items()}
    cursor.execute(
        "SELECT nis_code, housing_company_id, is_flemish FROM reference_municipality "
        "ORDER BY nis_code"
    )
    company_of: dict[str, str] = {}
    areas: dict[str, list[str]] = defaultdict(list)
    outside: list[str] = []
    for nis, company, flemish in cursor.fetchall():
        if company is not None:
            company_of[nis] = by_pk[company]
            areas[by_pk[company]].append(nis)
        elif not flemish:
            outside.append(nis)
    return Reference(company_pk, company_of, dict(areas), outside)


class _Household:
    """One generated household: (person, role, adult) in the order the services create them."""

    __slots__ = ("members",)

    def __init__(self) -> None:
        self.members: list[tuple[int, str, str, bool]] = []  # person id, insz, role, adult


def _columns(model: Any) -> tuple[str, list[str]]:
    return model._meta.db_table, [f.column for f in model._meta.concrete_fields]


def load(
    connect: Callable[[], Any],
    ref: Reference,
    n: int,
    *,
    seed: int = 20261127,
    unsynchronised_share: float = 0.05,
    today: date | None = None,
    history: bool = True,
) -> LoadStats:
    """Write ``n`` registered dossiers. ``connect()`` gives a new psycopg connection."""
    from stdnum.be import nn

    from cir.domain.landlords import derive_landlords
    from cir.register import models as m

    rng = random.Random(seed)
    today = today or date.today()
    first_day = today - timedelta(days=3650)
    span = (today - first_day).days

    tables = [m.Person, m.Dossier, m.Member, m.MunicipalityChoice, m.DossierShare]
    if history:
        tables += [m.StatusChange, m.ActionRecord, m.AuditEntry, m.Event]
    conns: dict[Any, Any] = {}
    copies: dict[Any, Any] = {}
    cms: list[Any] = []
    stats = LoadStats()

    # Domiciles: some municipalities are far bigger than others.
    covered = sorted(ref.company_of)
    weight_rng = random.Random(seed + 1)
    weights = [weight_rng.lognormvariate(0, 1.1) for _ in covered]
    companies = sorted(ref.areas)
    position_of = {cid: i for i, cid in enumerate(companies)}
    pk_of = ref.company_pk

    # National numbers: a per-birth-date serial keeps every number unique.
    serials: Counter[date] = Counter()

    def person_number(birth: date) -> str:
        serials[birth] += 1
        serial = serials[birth]
        if serial > 997:  # the day is full: take the next one
            return person_number(birth + timedelta(days=1))
        return national_number(birth, serial)

    def birth_between(lo: date, hi: date) -> date:
        return lo + timedelta(days=rng.randrange(max(1, (hi - lo).days)))

    sequence_of_day: Counter[date] = Counter()
    # Registration dates in order, so that ids grow with time as they would.
    reg_dates = sorted(first_day + timedelta(days=rng.randrange(span)) for _ in range(n))

    ids = Counter[str]()

    def next_id(table: str) -> int:
        ids[table] += 1
        return ids[table]

    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for model in tables:
            conn = connect()
            conn.execute("SET session_replication_role = replica")
            conn.execute("SET synchronous_commit = off")
            table, columns = _columns(model)
            cursor = conn.cursor()
            cm = cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN")
            copies[model] = cm.__enter__()
            cms.append(cm)
            conns[model] = conn
        w_person = copies[m.Person].write_row
        w_dossier = copies[m.Dossier].write_row
        w_member = copies[m.Member].write_row
        w_choice = copies[m.MunicipalityChoice].write_row
        w_share = copies[m.DossierShare].write_row
        if history:
            w_status = copies[m.StatusChange].write_row
            w_action = copies[m.ActionRecord].write_row
            w_audit = copies[m.AuditEntry].write_row
            w_event = copies[m.Event].write_row

        for i in range(n):
            dossier_id = i + 1
            reg = reg_dates[i]
            # --- domicile and choices, as create_dossier completes them
            if rng.random() < 0.03 and ref.outside:
                domicile = rng.choice(ref.outside)
                home_company = rng.choice(companies)
            else:
                domicile = rng.choices(covered, weights)[0]
                home_company = ref.company_of[domicile]
            wanted = rng.choices((1, 2, 3, 4), (35, 30, 20, 15))[0]
            chosen: list[str] = []
            if domicile in ref.company_of and rng.random() < 0.8:
                chosen.append(domicile)
            tries = 0
            while len(chosen) < wanted and tries < 20:
                tries += 1
                r = rng.random()
                if r < 0.6:
                    area = ref.areas[home_company]
                elif r < 0.9:
                    step = rng.choice((-2, -1, 1, 2))
                    area = ref.areas[companies[(position_of[home_company] + step) % len(companies)]]
                else:
                    area = ref.areas[rng.choice(companies)]
                nis = rng.choice(area)
                if nis not in chosen:
                    chosen.append(nis)
            rng.shuffle(chosen)
            choices = list(dict.fromkeys(chosen))
            if domicile in ref.company_of and domicile not in choices:
                choices.insert(0, domicile)
                if len(choices) > 4:
                    choices.pop()
            primary, secondaries = derive_landlords(domicile, choices, ref.company_of)
            assert primary is not None

            # --- household
            created_at = datetime.combine(
                reg - timedelta(days=rng.randrange(0, 45)),
                time(rng.randrange(7, 22), rng.randrange(60), rng.randrange(60)),
                UTC,
            )
            applied_at = datetime.combine(
                reg, time(rng.randrange(7, 22), rng.randrange(60), rng.randrange(60)), UTC
            )
            if applied_at < created_at:
                applied_at = created_at + timedelta(minutes=5)
            household = _Household()
            last = rng.choice(LAST_NAMES)
            applicant_birth = birth_between(
                reg - timedelta(days=80 * 365), reg - timedelta(days=19 * 365)
            )
            people: list[tuple[str, date, str, bool]] = [("applicant", applicant_birth, last, True)]
            if rng.random() < 0.45:
                partner_birth = applicant_birth + timedelta(days=rng.randrange(-2500, 2500))
                partner_birth = min(partner_birth, reg - timedelta(days=18 * 365 + 10))
                people.append(("partner", partner_birth, rng.choice(LAST_NAMES), True))
            children = rng.choices((0, 1, 2, 3, 4), (45, 22, 20, 9, 4))[0]
            youngest_parent = max(p[1] for p in people)
            for _ in range(children):
                lo = max(youngest_parent + timedelta(days=18 * 365), reg - timedelta(days=25 * 365))
                lo = min(lo, reg - timedelta(days=30))
                birth = birth_between(lo, reg)
                people.append(("co_resident", birth, last, _age(birth, reg) >= 18))
            if rng.random() < 0.04:
                birth = applicant_birth - timedelta(days=rng.randrange(20 * 365, 30 * 365))
                people.append(("co_resident", birth, rng.choice(LAST_NAMES), True))

            email = ""
            phone = f"04{rng.randrange(10**8):08d}"
            for role, birth, last_name, adult in people:
                person_id = next_id("person")
                insz = person_number(birth)
                first = rng.choice(FIRST_NAMES)
                if person_id % 97 == 0:
                    assert nn.is_valid(insz), insz
                is_applicant = role == "applicant"
                person_email = (
                    f"{first}.{last_name}.{person_id}@example.be".lower().replace(" ", "")
                    if is_applicant
                    else ""
                )
                if is_applicant:
                    email = person_email
                w_person(
                    (
                        person_id,
                        insz,
                        first,
                        last_name,
                        birth,
                        domicile,
                        person_email,
                        phone if is_applicant else "",
                        "",
                        f"{rng.choice(STREETS)} {rng.randrange(1, 200)}",
                    )
                )
                household.members.append((person_id, insz, role, adult))
            adults = [p for p in household.members if p[3]]
            applicant_id, applicant_insz = household.members[0][0], household.members[0][1]
            version = 1 + len(adults) + 1
            number = f"{reg:%Y.%m.%d}.{_next_sequence(sequence_of_day, reg):04d}"
            contact = json.dumps({"email": email, "phone": phone})
            dwellings = sorted(rng.sample(DWELLINGS, rng.randrange(1, 4)))
            prefs = {"huisdieren": True} if rng.random() < 0.2 else {}
            w_dossier(
                (
                    dossier_id,
                    number,
                    reg,
                    "REG",
                    "ONLINE" if rng.random() < 0.8 else "PAPIER",
                    pk_of[primary],
                    None,
                    None,
                    None,
                    0,
                    "",
                    version,
                    json.dumps(dwellings),
                    json.dumps(prefs),
                    rng.choice(SITUATIONS),
                    contact,
                    created_at,
                    created_at,
                    applied_at,
                    reg,
                    None,
                    None,
                )
            )
            confirm_at = created_at + timedelta(minutes=2)
            for person_id, _insz, role, adult in household.members:
                w_member(
                    (
                        next_id("member"),
                        dossier_id,
                        person_id,
                        role,
                        reg if role != "co_resident" else None,
                        confirm_at if adult else None,
                        role != "co_resident",
                    )
                )
            for position, nis in enumerate(choices, start=1):
                w_choice((next_id("choice"), dossier_id, position, nis, "[]"))
            share_companies = [(primary, True)] + [(c, False) for c in secondaries]
            acked: list[tuple[str, datetime]] = []
            for company_id, is_primary in share_companies:
                unsync = rng.random() < unsynchronised_share
                ack_at = applied_at + timedelta(hours=rng.randrange(1, 72))
                w_share(
                    (
                        next_id("share"),
                        dossier_id,
                        pk_of[company_id],
                        is_primary,
                        0 if unsync else version,
                        unsync,
                        None if unsync else ack_at,
                    )
                )
                stats.shares += 1
                stats.shares_per_company[company_id] += 1
                if unsync:
                    stats.unsynchronised += 1
                    stats.unsynchronised_per_company[company_id] += 1
                else:
                    acked.append((company_id, ack_at))
            stats.members += len(household.members)
            stats.persons += len(household.members)
            stats.choices += len(choices)

            if not history:
                continue
            # --- what the services logged on the way
            label = f"kandidaat {mask(applicant_insz)}"
            snap: dict[str, Any] = {
                "number": None,
                "status": "SAVED",
                "version": 1,
                "primary_landlord": primary,
                "offer_company": None,
                "offer_block_until": None,
                "sanction_count": 0,
                "removal_reason": "",
            }
            w_audit(
                (
                    next_id("audit"),
                    created_at,
                    "CREATE",
                    "candidate",
                    None,
                    label,
                    applicant_id,
                    "",
                    dossier_id,
                    "dossier aangemaakt",
                    None,
                    json.dumps(snap),
                )
            )
            for person_id, insz, _role, _adult in adults:
                snap["version"] += 1
                w_audit(
                    (
                        next_id("audit"),
                        confirm_at,
                        "CHANGE",
                        "candidate",
                        None,
                        f"kandidaat {mask(insz)}",
                        person_id,
                        "",
                        dossier_id,
                        "deelname bevestigd",
                        None,
                        json.dumps(snap),
                    )
                )
            before = json.dumps(snap)
            snap.update(number=number, status="REG", version=version)
            w_status((next_id("status"), dossier_id, "SAVED", "REG", "APP", reg, "", applied_at))
            w_action(
                (
                    next_id("action"),
                    dossier_id,
                    "APP",
                    "candidate",
                    None,
                    label,
                    applicant_id,
                    "",
                    "",
                    "{}",
                    reg,
                    version,
                    applied_at,
                )
            )
            w_audit(
                (
                    next_id("audit"),
                    applied_at,
                    "ACTION",
                    "candidate",
                    None,
                    label,
                    applicant_id,
                    "",
                    dossier_id,
                    "actie APP",
                    before,
                    json.dumps(snap),
                )
            )
            landlord_payload = json.dumps(
                {"dossierNummer": number, "status": "REG", "versie": version}
            )
            for company_id, _primary in share_companies:
                w_event(
                    (
                        next_id("event"),
                        "LANDLORD",
                        pk_of[company_id],
                        dossier_id,
                        "APP",
                        reg,
                        landlord_payload,
                        applied_at,
                    )
                )
            candidates = [
                insz for _pid, insz, role, _a in household.members if role != "co_resident"
            ]
            w_event(
                (
                    next_id("event"),
                    "HUURPREMIE",
                    None,
                    dossier_id,
                    "REGISTERED",
                    reg,
                    json.dumps(
                        {
                            "dossierNummer": number,
                            "rijksregisternummers": candidates,
                            "actie": "APP",
                        }
                    ),
                    applied_at,
                )
            )
            for company_id, ack_at in acked:
                w_audit(
                    (
                        next_id("audit"),
                        ack_at,
                        "ACK",
                        "landlord",
                        pk_of[company_id],
                        f"client bench-{company_id}",
                        None,
                        "",
                        dossier_id,
                        f"verwerking bevestigd tot versie {version}",
                        None,
                        None,
                    )
                )
        stats.dossiers = n
        stats.history_rows = sum(ids[k] for k in ("status", "action", "audit", "event"))
        for cm in cms:
            cm.__exit__(None, None, None)
        for conn in conns.values():
            conn.commit()
    finally:
        for conn in conns.values():
            conn.close()
        if gc_was_enabled:
            gc.enable()
    return stats


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _next_sequence(counter: Counter[date], day: date) -> int:
    counter[day] += 1
    if counter[day] > 9999:
        raise RuntimeError(f"more than 9999 registrations on {day}")
    return counter[day]


def foreign_keys(cursor: Any) -> Iterator[tuple[str, str, str, str]]:
    """Every foreign key of the register's tables: (table, column, referenced table, column)."""
    cursor.execute(
        """
        SELECT cl.relname, att.attname, rcl.relname, ratt.attname
        FROM pg_constraint c
        JOIN pg_class cl ON cl.oid = c.conrelid
        JOIN pg_class rcl ON rcl.oid = c.confrelid
        JOIN pg_attribute att ON att.attrelid = c.conrelid AND att.attnum = c.conkey[1]
        JOIN pg_attribute ratt ON ratt.attrelid = c.confrelid AND ratt.attnum = c.confkey[1]
        WHERE c.contype = 'f' AND cl.relname LIKE 'register\\_%'
        ORDER BY 1, 2
        """
    )
    yield from cursor.fetchall()


def verify(cursor: Any) -> list[str]:
    """Problems found after the load (an empty list when all holds)."""
    problems = []
    for table, column, ref_table, ref_column in list(foreign_keys(cursor)):
        cursor.execute(
            f"SELECT count(*) FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {ref_table} r WHERE r.{ref_column} = t.{column})"
        )
        (dangling,) = cursor.fetchone()
        if dangling:
            problems.append(f"{table}.{column}: {dangling} rows point nowhere")
    checks = {
        "dossier without applicant": "SELECT count(*) FROM register_dossier d WHERE NOT EXISTS "
        "(SELECT 1 FROM register_member m WHERE m.dossier_id = d.id AND m.role = 'applicant')",
        "dossier without primary share": "SELECT count(*) FROM register_dossier d WHERE NOT "
        "EXISTS (SELECT 1 FROM register_dossiershare s WHERE s.dossier_id = d.id "
        "AND s.is_primary AND s.company_id = d.primary_landlord_id)",
        "candidate without candidacy": "SELECT count(*) FROM register_member "
        "WHERE role IN ('applicant', 'partner') AND NOT holds_candidacy",
        "share sync flag wrong": "SELECT count(*) FROM register_dossiershare s "
        "JOIN register_dossier d ON d.id = s.dossier_id "
        "WHERE s.unsynchronised <> (s.acknowledged_version < d.version)",
        "choices not 1-4": "SELECT count(*) FROM (SELECT dossier_id, count(*) n FROM "
        "register_municipalitychoice GROUP BY dossier_id) c WHERE n NOT BETWEEN 1 AND 4",
    }
    for label, sql in checks.items():
        cursor.execute(sql)
        (count,) = cursor.fetchone()
        if count:
            problems.append(f"{label}: {count}")
    return problems


def reset_sequences(cursor: Any, tables: list[str]) -> None:
    for table in tables:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"GREATEST((SELECT max(id) FROM {table}), 1))"
        )
