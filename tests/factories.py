"""factory_boy factories, with traits named after business states."""

from __future__ import annotations

import random
from datetime import date, timedelta

import factory
from django.utils import timezone
from stdnum.be import nn

from cir.domain.statuses import ACTIVE_STATUSES, Status
from cir.reference.models import HousingCompany, Municipality
from cir.register.models import (
    Dossier,
    DossierShare,
    Member,
    MemberRole,
    MunicipalityChoice,
    Person,
)

_rng = random.Random(20240102)


def valid_national_number(birth: date | None = None, serial: int | None = None) -> str:
    """A national number that python-stdnum accepts (born before 2000 unless said otherwise)."""
    birth = birth or date(1960 + _rng.randint(0, 39), _rng.randint(1, 12), _rng.randint(1, 28))
    serial = serial if serial is not None else _rng.randint(1, 997)
    body = f"{birth:%y%m%d}{serial:03d}"
    base = int(("2" + body) if birth.year >= 2000 else body)
    number = f"{body}{97 - base % 97:02d}"
    assert nn.is_valid(number), number
    return number


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        django_get_or_create = ("insz",)

    birth_date = factory.LazyFunction(
        lambda: date(1950 + _rng.randint(0, 49), _rng.randint(1, 12), _rng.randint(1, 28))
    )
    insz = factory.Sequence(
        lambda n: valid_national_number(date(1970 + n % 29, 1 + n % 12, 1 + n % 28), 1 + n % 997)
    )
    first_name = factory.Faker("first_name", locale="nl_BE")
    last_name = factory.Faker("last_name", locale="nl_BE")


def company(code: str) -> HousingCompany:
    return HousingCompany.objects.get(company_id=code)


def first_municipality_of(code: str) -> Municipality:
    return Municipality.objects.filter(housing_company__company_id=code).order_by("nis_code")[0]


class DossierFactory(factory.django.DjangoModelFactory):
    """A registered (REG) dossier of one applicant, led by WM01 and shared with WM02."""

    class Meta:
        model = Dossier
        skip_postgeneration_save = True

    status = Status.REG.value
    registration_date = factory.LazyFunction(lambda: date(2021, 3, 4))
    number = factory.Sequence(lambda n: f"2021.03.04.{n + 1:04d}")
    primary_landlord = factory.LazyFunction(lambda: company("WM01"))
    last_activity_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    dwelling_types = factory.LazyFunction(lambda: ["A"])

    class Params:
        in_offer_by_secondary = factory.Trait(
            status=Status.OFFER.value,
            offer_company=factory.LazyFunction(lambda: company("WM02")),
            offer_started_on=factory.LazyFunction(timezone.localdate),
        )
        in_offer_by_primary = factory.Trait(
            status=Status.OFFER.value,
            offer_company=factory.LazyFunction(lambda: company("WM01")),
            offer_started_on=factory.LazyFunction(timezone.localdate),
        )
        once_sanctioned = factory.Trait(sanction_count=1)
        offer_blocked = factory.Trait(
            sanction_count=1,
            offer_block_until=factory.LazyFunction(
                lambda: timezone.localdate() + timedelta(days=60)
            ),
        )
        under_review = factory.Trait(status=Status.CHKS.value)
        under_review_without_number = factory.Trait(
            status=Status.CHKS.value, number=None, registration_date=None
        )
        info_requested = factory.Trait(status=Status.INFOS.value)
        appealed = factory.Trait(status=Status.CHKO.value)
        waiting = factory.Trait(status=Status.WAITS.value)
        removed = factory.Trait(status=Status.RJCT.value, removal_reason="vrijwillig")
        refused = factory.Trait(status=Status.RFSD.value, number=None, registration_date=None)
        draft = factory.Trait(status=Status.SAVED.value, number=None, registration_date=None)
        inactive_two_years = factory.Trait(
            last_activity_on=factory.LazyFunction(
                lambda: timezone.localdate() - timedelta(days=2 * 366)
            )
        )

    @factory.post_generation
    def household(self, create: bool, extracted: object, **kwargs: object) -> None:
        if not create:
            return
        active = Status(self.status) in ACTIVE_STATUSES
        Member.objects.create(
            dossier=self,
            person=PersonFactory(),
            role=MemberRole.APPLICANT,
            waiting_since=self.registration_date,
            holds_candidacy=active,
            participation_confirmed_at=timezone.now(),
        )
        MunicipalityChoice.objects.create(
            dossier=self, position=1, municipality=first_municipality_of("WM01")
        )
        MunicipalityChoice.objects.create(
            dossier=self, position=2, municipality=first_municipality_of("WM02")
        )
        DossierShare.objects.create(dossier=self, company=company("WM01"), is_primary=True)
        DossierShare.objects.create(dossier=self, company=company("WM02"))


def share_only_with(dossier: Dossier, primary: str, *secondaries: str) -> Dossier:
    """Make ``dossier`` led by ``primary`` and shared with ``secondaries`` only (e.g. a dossier
    that WM01 and WM02 must not see)."""
    dossier.shares.all().delete()
    dossier.primary_landlord = company(primary)
    dossier.save(update_fields=["primary_landlord"])
    DossierShare.objects.create(dossier=dossier, company=company(primary), is_primary=True)
    for code in secondaries:
        DossierShare.objects.create(dossier=dossier, company=company(code))
    return dossier
