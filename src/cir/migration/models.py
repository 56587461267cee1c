"""Legacy landlords, as the migration input names them (SHM, SVK, local authority)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cir.reference.models import HousingCompany, Municipality


class LegacyLandlord(models.Model):
    """Historische verhuurder: pre-2024 SHM or SVK (part of a housing company) or a local
    authority (lokaal bestuur), which belongs to none."""

    class Kind(models.TextChoices):
        SHM = "SHM", _("sociale huisvestingsmaatschappij")
        SVK = "SVK", _("sociaal verhuurkantoor")
        LB = "LB", _("lokaal bestuur")

    landlord_id = models.CharField(_("code"), max_length=50, primary_key=True)
    name = models.CharField(_("naam"), max_length=200)
    kind = models.CharField(_("soort"), max_length=3, choices=Kind.choices)
    company = models.ForeignKey(
        HousingCompany, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    municipality = models.ForeignKey(
        Municipality, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("historische verhuurder")
        verbose_name_plural = _("historische verhuurders")

    def __str__(self) -> str:
        return f"{self.landlord_id} {self.name}"
