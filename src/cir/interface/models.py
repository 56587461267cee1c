"""Who an API client is, and the answers kept for idempotent retries."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import Application

from cir.reference.models import HousingCompany


class ClientBinding(models.Model):
    """Binds an OAuth2 client to one housing company, or to the rent-premium service."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="binding"
    )
    company = models.ForeignKey(
        HousingCompany, null=True, blank=True, on_delete=models.PROTECT, related_name="clients"
    )
    rent_premium = models.BooleanField(_("dienst huurpremie"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("API-client")
        verbose_name_plural = _("API-clients")
        constraints = [
            models.CheckConstraint(
                condition=Q(company__isnull=False, rent_premium=False)
                | Q(company__isnull=True, rent_premium=True),
                name="client_is_landlord_or_rent_premium",
            )
        ]


class IdempotentRequest(models.Model):
    """The first answer to a changing request, replayed for a retry with the same
    ``x-correlation-id`` from the same client."""

    client_id = models.CharField(max_length=100)
    correlation_id = models.CharField(max_length=64)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client_id", "correlation_id"], name="idempotency_key_unique"
            )
        ]
