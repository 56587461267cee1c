"""rules.md section 4, concurrency: two landlords that act on one dossier at the same moment:
exactly one wins, the other gets a conflict. Real threads, each with its own connection.

PostgreSQL only: SQLite serialises every writer on the whole file, so the race these tests are
about cannot happen there. CI runs the suite on PostgreSQL.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from cir.domain.statuses import Action
from cir.register import services
from cir.register.models import ActionRecord, Dossier, Event, EventAudience, StatusChange
from cir.register.services import Acting
from tests.factories import DossierFactory, company

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises all writers, so no race can happen "
        "(run with DATABASE_URL=postgres://...; CI does)",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CONFLICTS = {"IN_AANBOD_ELDERS", "AL_IN_AANBOD", "ACTIE_NIET_TOEGELATEN_IN_STATUS"}


@pytest.fixture(autouse=True)
def fast_client_secrets(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every call in its own thread, all released at once; return results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=60)
            results[index] = call()
        except BaseException as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def test_fifty_concurrent_offers_exactly_one_wins(landlord) -> None:
    dossier = DossierFactory()
    wm01, wm02 = landlord("WM01"), landlord("WM02")
    clients = [(wm01 if i % 2 else wm02).fork() for i in range(50)]
    responses = race([lambda c=c: c.action(dossier.number, "OFFER") for c in clients])

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: 1, 409: 49}, statuses
    [winner] = [c for c, r in zip(clients, responses, strict=True) if r.status_code == 200]
    for response in responses:
        if response.status_code == 409:
            assert response["Content-Type"] == "application/problem+json"
            assert response.json()["code"] in {"IN_AANBOD_ELDERS", "AL_IN_AANBOD"}
    stored = Dossier.objects.get(pk=dossier.pk)
    assert stored.status == "OFFER"
    assert stored.offer_company == winner.company
    assert stored.version == 2
    assert ActionRecord.objects.filter(dossier=dossier).count() == 1
    assert StatusChange.objects.filter(dossier=dossier).count() == 1
    assert Event.objects.filter(dossier=dossier, audience=EventAudience.LANDLORD).count() == 2


@pytest.mark.parametrize("round_", range(3))
def test_two_different_actions_on_one_dossier_exactly_one_wins(landlord, round_: int) -> None:
    dossier = DossierFactory()
    wm01, wm02 = landlord("WM01"), landlord("WM02")
    offer, wait = race(
        [
            lambda: wm02.fork().action(dossier.number, "OFFER"),
            lambda: wm01.fork().action(dossier.number, "WAIT"),
        ]
    )
    assert sorted([offer.status_code, wait.status_code]) == [200, 409]
    loser = offer if offer.status_code == 409 else wait
    assert loser.json()["code"] in CONFLICTS
    stored = Dossier.objects.get(pk=dossier.pk)
    assert stored.status == ("OFFER" if offer.status_code == 200 else "WAITS")
    assert stored.version == 2
    assert ActionRecord.objects.filter(dossier=dossier).count() == 1


def test_concurrent_retries_with_one_correlation_id_act_once(landlord) -> None:
    dossier = DossierFactory()
    wm02 = landlord("WM02")
    correlation = str(uuid.uuid4())
    body = {"dossierNummer": dossier.number, "actie": "OFFER"}
    responses = race(
        [
            lambda: wm02.fork().post("dossiers/verwerkDossierActie", body, correlation)
            for _ in range(10)
        ]
    )
    assert {r.status_code for r in responses} == {200}
    assert len({json.dumps(r.json(), sort_keys=True) for r in responses}) == 1
    assert ActionRecord.objects.filter(dossier=dossier).count() == 1
    assert Dossier.objects.get(pk=dossier.pk).version == 2


def test_concurrent_registrations_of_one_date_get_distinct_numbers(areas) -> None:
    """rules.md section 9: the next free sequence of the date, unique, for every dossier."""
    dossiers = [DossierFactory(under_review_without_number=True) for _ in range(8)]
    pv = Acting.landlord(company("WM01"), "test")
    registered = race(
        [lambda d=d: services.perform_action_on(d.pk, Action.REG, pv) for d in dossiers]
    )
    given = sorted(d.number for d in registered)
    assert len(set(given)) == 8
    assert [n[-4:] for n in given] == [f"{i:04d}" for i in range(1, 9)]
    assert all(d.status == "REG" for d in Dossier.objects.filter(pk__in=[d.pk for d in dossiers]))
