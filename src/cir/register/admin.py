"""The admin shows everything; it changes state only through the services.

Dossiers and everything that hangs off them are read-only here: a status, a number or a share
changes only by an action through :mod:`cir.register.services`, which writes history, audit and
events. Freeze windows are created through the service too.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cir.domain.insz import mask
from cir.register import models, services


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields or []

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MemberInline(ReadOnlyInline):
    model = models.Member
    fields = ["role", "person", "waiting_since", "participation_confirmed_at", "holds_candidacy"]


class ChoiceInline(ReadOnlyInline):
    model = models.MunicipalityChoice
    fields = ["position", "municipality", "neighbourhoods"]


class ShareInline(ReadOnlyInline):
    model = models.DossierShare
    fields = ["company", "is_primary", "acknowledged_version", "unsynchronised", "acknowledged_at"]


class StatusInline(ReadOnlyInline):
    model = models.StatusChange
    fields = ["at", "from_status", "to_status", "action", "effective_date", "removal_reason"]


class ActionInline(ReadOnlyInline):
    model = models.ActionRecord
    fields = ["at", "action", "actor_label", "actor_company", "correlation_id", "comment"]


@admin.register(models.Dossier)
class DossierAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "status",
        "registration_date",
        "primary_landlord",
        "offer_company",
        "offer_block_until",
        "sanction_count",
        "version",
    ]
    list_filter = ["status", "dossier_type", "primary_landlord"]
    search_fields = ["number"]
    inlines = [MemberInline, ChoiceInline, ShareInline, StatusInline, ActionInline]
    list_select_related = ["primary_landlord", "offer_company"]


@admin.register(models.Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["masked_insz", "first_name", "last_name", "birth_date", "domicile"]
    search_fields = ["=insz", "last_name"]

    @admin.display(description="rijksregisternummer")
    def masked_insz(self, obj: models.Person) -> str:
        return mask(obj.insz)


@admin.register(models.AuditEntry)
class AuditAdmin(ReadOnlyAdmin):
    list_display = ["at", "operation", "actor_label", "actor_company", "dossier", "summary"]
    list_filter = ["operation", "actor_kind"]
    list_select_related = ["actor_company", "dossier"]


@admin.register(models.Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["id", "audience", "company", "dossier", "kind", "effective_date", "created_at"]
    list_filter = ["audience", "kind"]
    list_select_related = ["company", "dossier"]


@admin.register(models.Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "kind", "file_name", "size", "review_state", "uploaded_at"]


@admin.register(models.Proxy)
class ProxyAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "person", "company", "valid_from", "valid_until"]


@admin.register(models.Ranking)
class RankingAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "company", "list_type", "criterion", "local_binding"]


@admin.register(models.FreezeWindow)
class FreezeWindowAdmin(admin.ModelAdmin):
    list_display = ["id", "start", "end", "reason"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        created = services.add_freeze_window(obj.start, obj.end, obj.reason)
        obj.pk = created.pk


@admin.register(models.Member)
class MemberAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "role", "person", "waiting_since", "holds_candidacy"]
    list_filter = ["role", "holds_candidacy"]
    list_select_related = ["dossier", "person"]


@admin.register(models.DossierShare)
class DossierShareAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "company", "is_primary", "acknowledged_version", "unsynchronised"]
    list_filter = ["is_primary", "unsynchronised", "company"]
    list_select_related = ["dossier", "company"]


@admin.register(models.StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "dossier", "from_status", "to_status", "action", "effective_date"]
    list_filter = ["action", "to_status"]
    list_select_related = ["dossier"]


@admin.register(models.ActionRecord)
class ActionRecordAdmin(ReadOnlyAdmin):
    list_display = ["at", "dossier", "action", "actor_label", "actor_company", "correlation_id"]
    list_filter = ["action", "actor_kind"]
    list_select_related = ["dossier", "actor_company"]


@admin.register(models.MunicipalityChoice)
class MunicipalityChoiceAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "position", "municipality"]
    list_select_related = ["dossier", "municipality"]
