"""The register's data: persons, dossiers and everything that hangs off a dossier.

State changes go through :mod:`cir.register.services` only; these models hold data and the
constraints the database enforces by itself (one active dossier per candidate, unique and
well-formed dossier numbers, one applicant and at most one partner per dossier).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cir.domain.numbering import NUMBER_PATTERN
from cir.domain.statuses import (
    ACTIVE_STATUSES,
    STATUS_LABELS_NL,
    Action,
    DwellingType,
    Pillar,
    Status,
    TriState,
)
from cir.reference.fields import CodeField
from cir.reference.models import HousingCompany, Municipality


def index_of_non_null(field: str, name: str) -> models.Index:
    """A partial index of a mostly-NULL reference: only its non-NULL values. It serves every
    ``field = x`` lookup (the delete checks of the referenced row among them) at a fraction of
    a full index's size, and costs nothing on the rows that leave it NULL."""
    return models.Index(fields=[field], name=name, condition=Q(**{f"{field}__isnull": False}))


STATUS_CHOICES = [(s.value, f"{s.value} ({STATUS_LABELS_NL[s]})") for s in Status]
ACTION_CHOICES = [(a.value, a.value) for a in Action]
DWELLING_TYPES = [d.value for d in DwellingType]


class Person(models.Model):
    """Persoon, identified by the national number (rijksregisternummer / INSZ)."""

    insz = models.CharField(_("rijksregisternummer"), max_length=11)
    first_name = models.CharField(_("voornaam"), max_length=100)
    last_name = models.CharField(_("naam"), max_length=100)
    birth_date = models.DateField(_("geboortedatum"), null=True, blank=True)
    domicile = models.ForeignKey(
        Municipality,
        verbose_name=_("domiciliegemeente"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone1 = models.CharField(_("telefoon 1"), max_length=30, blank=True)
    phone2 = models.CharField(_("telefoon 2"), max_length=30, blank=True)
    address = models.CharField(_("adres"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("persoon")
        verbose_name_plural = _("personen")
        # Unique and indexed through Meta rather than the fields: a field's unique=True or
        # db_index on a varchar column also builds a varchar_pattern_ops twin for LIKE 'x%',
        # which nothing here queries and every insert and bulk load would pay for.
        constraints = [
            models.UniqueConstraint(fields=["insz"], name="person_insz_unique"),
            models.CheckConstraint(
                condition=Q(insz__regex=r"^\d{11}$"), name="person_insz_eleven_digits"
            ),
        ]
        indexes = [models.Index(fields=["domicile"], name="person_domicile_idx")]

    def __str__(self) -> str:
        from cir.domain.insz import mask

        return f"{self.first_name} {self.last_name} ({mask(self.insz)})"


class DossierType(models.TextChoices):
    """How the dossier entered the register (dossierType in the interface)."""

    ONLINE = "ONLINE", _("online inschrijving")
    PAPER = "PAPIER", _("papieren inschrijving")
    MIGRATED = "MIGRA", _("invlechting")


class Dossier(models.Model):
    """Dossier / kandidatuur: one registration of a household."""

    number = CodeField(
        _("dossiernummer"), max_length=15, unique=True, null=True, blank=True, editable=False
    )
    registration_date = models.DateField(_("inschrijvingsdatum"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=5, choices=STATUS_CHOICES)
    dossier_type = models.CharField(
        _("type"), max_length=6, choices=DossierType.choices, default=DossierType.ONLINE
    )
    primary_landlord = models.ForeignKey(
        HousingCompany,
        verbose_name=_("primaire verhuurder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="primary_dossiers",
    )
    # NULL but during an offer: indexed by a partial index in Meta.
    offer_company = models.ForeignKey(
        HousingCompany,
        verbose_name=_("aanbiedende verhuurder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="offered_dossiers",
        db_index=False,
    )
    offer_started_on = models.DateField(_("aanbod sinds"), null=True, blank=True)
    offer_block_until = models.DateField(_("aanbodblokkering tot"), null=True, blank=True)
    sanction_count = models.PositiveSmallIntegerField(_("aantal sancties"), default=0)
    removal_reason = models.CharField(_("reden van schrapping"), max_length=60, blank=True)
    version = models.PositiveIntegerField(_("versie"), default=1)
    dwelling_types = models.JSONField(_("woningtypes"), default=list, blank=True)
    other_preferences = models.JSONField(_("andere voorkeuren"), default=dict, blank=True)
    housing_situation = models.TextField(_("woonsituatie"), blank=True)
    contact = models.JSONField(_("contactgegevens"), default=dict, blank=True)
    received_at = models.DateTimeField(_("ontvangen op"), null=True, blank=True)
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True, db_index=True)
    last_activity_on = models.DateField(_("laatste activiteit"), null=True, blank=True)
    content_source = models.JSONField(_("inhoudsbron (invlechting)"), null=True, blank=True)
    merged_from = models.JSONField(_("samengevoegd uit (invlechting)"), null=True, blank=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        # The status index through Meta: no varchar_pattern_ops twin. The number keeps
        # unique=True; its index serves next_free_number's number__startswith (LIKE
        # 'jjjj.mm.dd.%') because the column compares in "C" (CodeField; its LIKE twin is
        # dropped by migration 0005).
        indexes = [
            models.Index(fields=["status"], name="dossier_status_idx"),
            index_of_non_null("offer_company", "dossier_offer_company_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__regex=NUMBER_PATTERN),
                name="dossier_number_well_formed",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]), name="dossier_status_known"
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(registration_date__isnull=False),
                name="dossier_number_has_registration_date",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"dossier #{self.pk} (zonder nummer)"

    @property
    def is_active(self) -> bool:
        return Status(self.status) in ACTIVE_STATUSES


class MemberRole(models.TextChoices):
    APPLICANT = "applicant", _("aanvrager")
    PARTNER = "partner", _("partner")
    CO_RESIDENT = "co_resident", _("medebewoner")


CANDIDATE_ROLES = (MemberRole.APPLICANT, MemberRole.PARTNER)


class Member(models.Model):
    """Gezinslid of a dossier: applicant, partner or co-resident."""

    # No index of its own on dossier: member_once_per_dossier (dossier, person) serves it.
    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="members", db_index=False
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("rol"), max_length=12, choices=MemberRole.choices)
    waiting_since = models.DateField(_("wacht sinds"), null=True, blank=True)
    participation_confirmed_at = models.DateTimeField(
        _("deelname bevestigd op"), null=True, blank=True
    )
    # Denormalised so that the database can enforce one active dossier per candidate with a
    # partial unique index; kept in step by the services whenever role or status changes.
    holds_candidacy = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("gezinslid")
        verbose_name_plural = _("gezinsleden")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "person"], name="member_once_per_dossier"),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(holds_candidacy=True),
                name="one_active_dossier_per_candidate",
            ),
            models.UniqueConstraint(
                fields=["dossier"],
                condition=Q(role="applicant"),
                name="one_applicant_per_dossier",
            ),
            models.UniqueConstraint(
                fields=["dossier"], condition=Q(role="partner"), name="one_partner_per_dossier"
            ),
            models.CheckConstraint(
                condition=Q(holds_candidacy=False) | Q(role__in=["applicant", "partner"]),
                name="only_candidates_hold_candidacy",
            ),
        ]

    @property
    def is_candidate(self) -> bool:
        return self.role in CANDIDATE_ROLES


class MunicipalityChoice(models.Model):
    """Gekozen gemeente, in the candidate's order of preference."""

    # dossier is served by the unique (dossier, position); municipality by a Meta index,
    # which unlike the foreign key's own gets no varchar_pattern_ops twin.
    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="choices", db_index=False
    )
    position = models.PositiveSmallIntegerField(_("volgorde"))
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    neighbourhoods = models.JSONField(_("wijken"), default=list, blank=True)

    class Meta:
        verbose_name = _("gekozen gemeente")
        verbose_name_plural = _("gekozen gemeenten")
        ordering = ["dossier", "position"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "position"], name="choice_position_unique"),
            models.UniqueConstraint(
                fields=["dossier", "municipality"], name="choice_municipality_unique"
            ),
        ]
        indexes = [models.Index(fields=["municipality"], name="choice_municipality_idx")]


class DossierShare(models.Model):
    """A housing company that shares the dossier (PV or secondary), with its sync state.

    The dossier is unsynchronised for this company while ``acknowledged_version`` is below the
    dossier's version (nietGesynchroniseerd); ``unsynchronised`` mirrors that for the index.
    """

    # No single-column indexes: share_once (dossier, company) and share_sync_idx (company, ...)
    # lead with these columns.
    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="shares", db_index=False
    )
    company = models.ForeignKey(
        HousingCompany, on_delete=models.PROTECT, related_name="shares", db_index=False
    )
    is_primary = models.BooleanField(_("primaire verhuurder"), default=False)
    acknowledged_version = models.PositiveIntegerField(default=0)
    unsynchronised = models.BooleanField(default=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("gedeeld met")
        verbose_name_plural = _("gedeeld met")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "company"], name="share_once"),
        ]
        indexes = [
            models.Index(fields=["company", "unsynchronised", "dossier"], name="share_sync_idx")
        ]


class Proxy(models.Model):
    """Volmacht: a candidate's signed permission for a landlord to act on the dossier."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="proxies")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="proxies_given")
    company = models.ForeignKey(HousingCompany, on_delete=models.PROTECT, related_name="proxies")
    valid_from = models.DateField(_("geldig vanaf"))
    valid_until = models.DateField(_("geldig tot"))
    document = models.ForeignKey(
        "Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("volmacht")
        verbose_name_plural = _("volmachten")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")), name="proxy_period_valid"
            )
        ]


class DocumentKind(models.TextChoices):
    PROXY = "PROXY", _("volmacht")
    HOUSING_SITUATION = "WOONSITUATIE", _("bewijs woonsituatie")
    INCOME = "INKOMEN", _("bewijs inkomen")
    PROPERTY = "EIGENDOM", _("bewijs eigendom")
    OTHER = "ANDER", _("ander")


class ReviewState(models.TextChoices):
    PENDING = "PENDING", _("te beoordelen")
    ACCEPTED = "ACCEPTED", _("aanvaard")
    REJECTED = "REJECTED", _("geweigerd")


class Document(models.Model):
    """Bijlage: an uploaded document (metadata; the content lives in the document store)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("soort"), max_length=12, choices=DocumentKind.choices)
    file_name = models.CharField(_("bestandsnaam"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("grootte (bytes)"))
    sha256 = models.CharField(_("controlesom (SHA-256)"), max_length=64)
    storage_name = models.CharField(max_length=255, blank=True)
    review_state = models.CharField(
        _("beoordeling"), max_length=8, choices=ReviewState.choices, default=ReviewState.PENDING
    )
    reviewed_by = models.ForeignKey(
        HousingCompany, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documenten")
        constraints = [
            models.CheckConstraint(
                condition=Q(size__lte=10 * 1024 * 1024), name="document_at_most_10_mb"
            ),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="sha256_hex"),
        ]


class StatusChange(models.Model):
    """Statushistoriek."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="status_history")
    from_status = models.CharField(max_length=5, blank=True)
    to_status = models.CharField(max_length=5)
    action = models.CharField(max_length=10, choices=ACTION_CHOICES)
    effective_date = models.DateField()
    removal_reason = models.CharField(max_length=60, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("statuswijziging")
        verbose_name_plural = _("statushistoriek")
        ordering = ["dossier", "id"]


class ActorKind(models.TextChoices):
    CANDIDATE = "candidate", _("kandidaat-huurder")
    LANDLORD = "landlord", _("verhuurder")
    REGISTER = "register", _("register")
    OPERATOR = "operator", _("beheerder")


class ActionRecord(models.Model):
    """Actielog: every action on a dossier, with who acted, for whom and the request's id."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(max_length=10, choices=ACTION_CHOICES)
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    # NULL but for a landlord's actions: indexed by a partial index in Meta.
    actor_company = models.ForeignKey(
        HousingCompany,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    actor_label = models.CharField(max_length=150)
    # Mostly NULL: indexed by a partial index in Meta.
    on_behalf_of = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    correlation_id = models.CharField(max_length=64, blank=True)
    comment = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    effective_date = models.DateField()
    version_after = models.PositiveIntegerField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("actie")
        verbose_name_plural = _("acties")
        ordering = ["dossier", "id"]
        indexes = [
            index_of_non_null("on_behalf_of", "action_on_behalf_of_idx"),
            index_of_non_null("actor_company", "action_actor_company_idx"),
        ]


class AuditEntry(models.Model):
    """Audit trail: every change and every landlord read, append-only.

    Its references carry no database constraint: an audit row must outlive what it refers to,
    and the foreign-key check would lock the dossier row on every logged read (the hottest
    insert of the register)."""

    class Operation(models.TextChoices):
        CREATE = "CREATE", _("aangemaakt")
        CHANGE = "CHANGE", _("gewijzigd")
        ACTION = "ACTION", _("actie")
        READ = "READ", _("gelezen")
        ACKNOWLEDGE = "ACK", _("verwerking bevestigd")
        RANKING = "RANKING", _("rangschikking")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    operation = models.CharField(max_length=8, choices=Operation.choices)
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    # NULL but for a landlord's reads and changes: indexed by a partial index in Meta.
    actor_company = models.ForeignKey(
        HousingCompany,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    actor_label = models.CharField(max_length=150)
    # Mostly NULL: indexed by a partial index in Meta.
    on_behalf_of = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    correlation_id = models.CharField(max_length=64, blank=True)
    dossier = models.ForeignKey(
        Dossier,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="audit",
        db_constraint=False,
    )
    summary = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("auditregel")
        verbose_name_plural = _("audit")
        ordering = ["-id"]
        indexes = [
            index_of_non_null("on_behalf_of", "audit_on_behalf_of_idx"),
            index_of_non_null("actor_company", "audit_actor_company_idx"),
        ]


class EventAudience(models.TextChoices):
    LANDLORD = "LANDLORD", _("verhuurder")
    RENT_PREMIUM = "HUURPREMIE", _("dienst huurpremie")


class Event(models.Model):
    """Gebeurtenis for a landlord that shares the dossier or for the rent-premium service.

    The id orders the feed; ``effective_date`` says when it took effect (which may be earlier
    than ``created_at`` after a freeze).
    """

    audience = models.CharField(max_length=10, choices=EventAudience.choices)
    # NULL for the rent-premium service's events: indexed by a partial index in Meta.
    company = models.ForeignKey(
        HousingCompany,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
    )
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20)
    effective_date = models.DateField()
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("gebeurtenis")
        verbose_name_plural = _("gebeurtenissen")
        indexes = [
            models.Index(fields=["audience", "id"], name="event_feed_idx"),
            index_of_non_null("company", "event_company_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(audience="HUURPREMIE", company__isnull=True)
                | Q(audience="LANDLORD", company__isnull=False),
                name="event_audience_matches_company",
            )
        ]


class Ranking(models.Model):
    """Rangschikking: a landlord's pillar ranking of the dossier (wijzigDossierRangschikkingen)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="rankings")
    company = models.ForeignKey(HousingCompany, on_delete=models.PROTECT, related_name="+")
    list_type = models.CharField(
        _("pijler"), max_length=4, choices=[(p.value, p.value) for p in Pillar]
    )
    criterion = models.CharField(_("criterium 1"), max_length=10)
    local_binding = models.CharField(
        _("lokale binding"), max_length=3, choices=[(t.value, t.value) for t in TriState]
    )
    limited_region_choice = models.CharField(
        _("beperkte regiokeuze"), max_length=3, choices=[(t.value, t.value) for t in TriState]
    )
    municipality = models.ForeignKey(
        Municipality,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    neighbourhood = models.CharField(_("wijk"), max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rangschikking")
        verbose_name_plural = _("rangschikkingen")
        # Through Meta: no varchar_pattern_ops twin.
        indexes = [models.Index(fields=["municipality"], name="ranking_municipality_idx")]


class FreezeWindow(models.Model):
    """Freeze-periode: no change is processed between ``start`` and ``end``."""

    start = models.DateTimeField(_("begin"))
    end = models.DateTimeField(_("einde"))
    reason = models.CharField(_("reden"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("freeze-periode")
        verbose_name_plural = _("freeze-periodes")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="freeze_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M} – {self.end:%Y-%m-%d %H:%M}"
