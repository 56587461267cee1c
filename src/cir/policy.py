"""Who may see and do what. The API, the pages, the admin and the querysets all ask here.

- A housing company sees a dossier only when it shares it (primary or secondary landlord). For
  any other dossier it gets "not found", never "forbidden", so that no one learns which numbers
  exist (rules.md section 4).
- Which actions a landlord may take on a dossier it sees is decided by the rules table
  (:mod:`cir.domain.transitions`); this module only says in which capacity it stands.
- The rent-premium service reads its event feed and nothing else.
- Operators (staff users) see everything in the admin; they change state through the services.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from cir.domain.statuses import LOCAL_SOFTWARE_ACTIONS, Action

if TYPE_CHECKING:
    from cir.reference.models import HousingCompany
    from cir.register.models import Dossier


class Scope:
    LOCAL_SOFTWARE = "lokale-software"
    RENT_PREMIUM = "huurpremie"


def dossiers_visible_to(company: HousingCompany) -> QuerySet[Dossier]:
    """The dossiers a housing company's software and employees may read."""
    from cir.register.models import Dossier

    return Dossier.objects.filter(shares__company=company)


def can_see(company: HousingCompany | None, dossier: Dossier) -> bool:
    if company is None:
        return False
    return dossier.shares.filter(company=company).exists()


def local_software_may_post(action: Action) -> bool:
    """The actions ``verwerkDossierActie`` accepts at all; the rules decide the rest."""
    return action in LOCAL_SOFTWARE_ACTIONS


def may_read_premium_feed(binding: object) -> bool:
    return bool(getattr(binding, "rent_premium", False))


def may_use_local_software_interface(binding: object) -> bool:
    return getattr(binding, "company_id", None) is not None
