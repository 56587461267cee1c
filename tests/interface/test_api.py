"""The local-software interface and the rent-premium feed, spoken by real OAuth clients
(local-software-api.md; rules.md sections 4 and 6)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cir.interface.models import IdempotentRequest
from cir.register.models import (
    ActionRecord,
    AuditEntry,
    Dossier,
    DossierShare,
    Event,
    FreezeWindow,
    Ranking,
    StatusChange,
)
from tests.factories import (
    DossierFactory,
    company,
    first_municipality_of,
    share_only_with,
    valid_national_number,
)

BASE = "/v1/socZek/socialeHuisvesting/"
FEED = "/v1/huurpremie/gebeurtenissen"
PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def fast_client_secrets(settings: Any) -> None:
    """Client secrets are hashed like passwords; the slow default hasher adds nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def wm01(landlord: Any) -> Any:
    return landlord("WM01")


@pytest.fixture
def wm02(landlord: Any) -> Any:
    return landlord("WM02")


@pytest.fixture
def wm03(landlord: Any) -> Any:
    return landlord("WM03")


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["title"]
    assert body["detail"]
    assert body["type"].endswith(code.lower().replace("_", "-"))
    return body


def written() -> dict[str, int]:
    return {
        "history": StatusChange.objects.count(),
        "actions": ActionRecord.objects.count(),
        "audit_changes": AuditEntry.objects.exclude(operation="READ").count(),
        "events": Event.objects.count(),
        "rankings": Ranking.objects.count(),
    }


def version(dossier: Dossier) -> int:
    return Dossier.objects.values_list("version", flat=True).get(pk=dossier.pk)


# --- the policy matrix -----------------------------------------------------------------------

#: action -> (dossier traits, {caller: (http status, code or resulting status)})
MATRIX: dict[str, tuple[dict[str, bool], dict[str, tuple[int, str]]]] = {
    "OFFER": ({}, {"WM01": (200, "OFFER"), "WM02": (200, "OFFER")}),
    "ACC": (
        {"in_offer_by_secondary": True},
        {"WM01": (409, "NIET_AANBIEDENDE_VERHUURDER"), "WM02": (200, "RJCT")},
    ),
    "REF": (
        {"in_offer_by_secondary": True},
        {"WM01": (409, "NIET_AANBIEDENDE_VERHUURDER"), "WM02": (200, "REG")},
    ),
    "NORES": (
        {"in_offer_by_secondary": True},
        {"WM01": (409, "NIET_AANBIEDENDE_VERHUURDER"), "WM02": (200, "REG")},
    ),
    "CCLGW": (
        {"in_offer_by_secondary": True},
        {"WM01": (409, "NIET_AANBIEDENDE_VERHUURDER"), "WM02": (200, "REG")},
    ),
    "CCL": (
        {"in_offer_by_secondary": True},
        {"WM01": (409, "NIET_AANBIEDENDE_VERHUURDER"), "WM02": (200, "REG")},
    ),
    "REQI": (
        {"under_review": True},
        {"WM01": (200, "INFOS"), "WM02": (409, "ENKEL_PRIMAIRE_VERHUURDER")},
    ),
    "REG": (
        {"under_review": True},
        {"WM01": (200, "REG"), "WM02": (409, "ENKEL_PRIMAIRE_VERHUURDER")},
    ),
    # A dossier the interface can address has a number, so RJCT is always NCOMP's business.
    "RJCT": (
        {"under_review": True},
        {"WM01": (409, "HEEFT_DOSSIERNUMMER"), "WM02": (409, "ENKEL_PRIMAIRE_VERHUURDER")},
    ),
    "NCOMP": (
        {"info_requested": True},
        {"WM01": (200, "RJCT"), "WM02": (409, "ENKEL_PRIMAIRE_VERHUURDER")},
    ),
    "WAIT": ({}, {"WM01": (200, "WAITS"), "WM02": (409, "ACTIE_NIET_TOEGELATEN_VOOR_ACTOR")}),
    "WAKE": (
        {"waiting": True},
        {"WM01": (200, "REG"), "WM02": (409, "ACTIE_NIET_TOEGELATEN_VOOR_ACTOR")},
    ),
    "VOL": ({}, {"WM01": (200, "RJCT"), "WM02": (409, "ACTIE_NIET_TOEGELATEN_VOOR_ACTOR")}),
    "DEC": ({}, {"WM01": (200, "RJCT"), "WM02": (409, "ACTIE_NIET_TOEGELATEN_VOOR_ACTOR")}),
    "FRAUD": ({}, {"WM01": (200, "RJCT"), "WM02": (409, "ENKEL_PRIMAIRE_VERHUURDER")}),
    "NOACT": (
        {"inactive_two_years": True},
        {"WM01": (200, "RJCT"), "WM02": (409, "ACTIE_NIET_TOEGELATEN_VOOR_ACTOR")},
    ),
}


@pytest.mark.parametrize("caller", ["WM01", "WM02"], ids=["primary", "secondary"])
@pytest.mark.parametrize("action", sorted(MATRIX))
def test_policy_matrix_for_landlords_that_share(landlord, action: str, caller: str) -> None:
    traits, expected = MATRIX[action]
    dossier = DossierFactory(**traits)
    status, outcome = expected[caller]
    before_version, before = version(dossier), written()
    response = landlord(caller).action(dossier.number, action)
    if status == 200:
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["dossierStatus"] == outcome
        assert body["actie"] == action
        assert body["versie"] == before_version + 1
        assert Dossier.objects.get(pk=dossier.pk).status == outcome
        assert ActionRecord.objects.filter(dossier=dossier, action=action).count() == 1
    else:
        assert_problem(response, status, outcome)
        assert version(dossier) == before_version
        assert written() == before


def _not_found_shape(response: Any, number: str) -> tuple[int, str, str]:
    return (
        response.status_code,
        response["Content-Type"],
        response.content.decode().replace(number, "<nummer>"),
    )


@pytest.mark.parametrize("action", sorted(MATRIX))
def test_landlord_that_does_not_share_gets_the_same_404_as_for_a_number_that_does_not_exist(
    wm03, action: str
) -> None:
    traits, _ = MATRIX[action]
    dossier = DossierFactory(**traits)
    before_version, before = version(dossier), written()
    hidden = wm03.action(dossier.number, action)
    missing = wm03.action("2019.01.01.0042", action)
    assert_problem(hidden, 404, "DOSSIER_NIET_GEVONDEN")
    assert dossier.number not in json.dumps(missing.json())
    assert _not_found_shape(hidden, dossier.number) == _not_found_shape(missing, "2019.01.01.0042")
    assert version(dossier) == before_version
    assert written() == before


@pytest.mark.parametrize("action", sorted(MATRIX))
@pytest.mark.parametrize("caller", ["WM01", "WM02"], ids=["primary", "secondary"])
def test_no_action_on_a_removed_dossier(landlord, action: str, caller: str) -> None:
    dossier = DossierFactory(removed=True)
    assert_problem(
        landlord(caller).action(dossier.number, action), 409, "ACTIE_NIET_TOEGELATEN_IN_STATUS"
    )
    assert version(dossier) == 1


def test_action_not_allowed_answers_409_with_a_dutch_detail(wm01) -> None:
    dossier = DossierFactory(in_offer_by_secondary=True)
    body = assert_problem(wm01.action(dossier.number, "OFFER"), 409, "IN_AANBOD_ELDERS")
    assert body["detail"] == f"Dossier {dossier.number} is in aanbod bij een andere verhuurder."


def test_offer_during_an_offer_block_names_the_end_of_the_block(wm02) -> None:
    dossier = DossierFactory(offer_blocked=True)
    body = assert_problem(wm02.action(dossier.number, "OFFER"), 409, "AANBODBLOKKERING")
    assert f"{dossier.offer_block_until:%d/%m/%Y}" in body["detail"]
    assert "aanbodblokkering" in body["detail"]


def test_offer_outcome_with_lease_start_and_premises_is_recorded(wm02) -> None:
    dossier = DossierFactory(in_offer_by_secondary=True)
    pand = {"postCode": "2910", "gemeenteNisCode": "11016", "straat": "Kerkstraat"}
    response = wm02.action(
        dossier.number,
        "ACC",
        commentaar="sleutel op 1/7",
        datumIngangContract="2024-07-01T00:00:00+02:00",
        pand=pand,
    )
    assert response.status_code == 200, response.content
    assert response.json()["redenSchrapping"] == "woning aanvaard"
    record = ActionRecord.objects.get(dossier=dossier, action="ACC")
    assert record.payload["pand"] == pand
    assert record.payload["datumIngangContract"].startswith("2024-07-01")
    assert record.comment == "sleutel op 1/7"


def test_action_with_a_stale_version_is_a_conflict(wm02) -> None:
    dossier = DossierFactory()
    assert_problem(
        wm02.action(dossier.number, "OFFER", versie=dossier.version + 1), 409, "VERSIE_CONFLICT"
    )
    assert wm02.action(dossier.number, "OFFER", versie=dossier.version).status_code == 200


# --- reading -----------------------------------------------------------------------------------


def test_get_dossier_returns_the_whole_dossier_to_a_landlord_that_shares(wm01, wm02) -> None:
    dossier = DossierFactory()
    for client in (wm01, wm02):
        response = client.get(f"dossiers/dossier/{dossier.number}")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["dossierNummer"] == dossier.number
        assert body["primaireVerhuurder"] == company("WM01").kbo
        assert body["secundaireVerhuurders"] == [company("WM02").kbo]
    assert AuditEntry.objects.filter(dossier=dossier, operation="READ").count() == 2


def test_get_dossier_is_404_for_a_landlord_that_does_not_share(wm03) -> None:
    dossier = DossierFactory()
    hidden = wm03.get(f"dossiers/dossier/{dossier.number}")
    missing = wm03.get("dossiers/dossier/2019.01.01.0042")
    assert_problem(hidden, 404, "DOSSIER_NIET_GEVONDEN")
    assert _not_found_shape(hidden, dossier.number) == _not_found_shape(missing, "2019.01.01.0042")
    assert not AuditEntry.objects.filter(dossier=dossier).exists()


# --- search --------------------------------------------------------------------------------


def search(client: Any, **criteria: Any) -> Any:
    response = client.post("dossiers/zoeken", criteria)
    assert response.status_code == 200, response.content
    return response.json()


def numbers(body: dict[str, Any]) -> list[str]:
    return [d["dossierNummer"] for d in body["dossiers"]]


def test_search_never_returns_dossiers_the_caller_does_not_share(wm01, wm02, wm03) -> None:
    shared = DossierFactory()
    theirs = share_only_with(DossierFactory(), "WM03")
    mixed = share_only_with(DossierFactory(), "WM03", "WM02")
    assert numbers(search(wm01)) == [shared.number]
    assert sorted(numbers(search(wm02))) == sorted([shared.number, mixed.number])
    assert sorted(numbers(search(wm03))) == sorted([theirs.number, mixed.number])
    # not even when asked for by number or by applicant
    assert numbers(search(wm01, dossierNummer=theirs.number)) == []
    applicant = theirs.members.get().person.insz
    assert search(wm01, aanvragerRijksregisternummer=applicant)["totaal"] == 0


def test_search_by_dossier_number(wm01) -> None:
    one, _other = DossierFactory(), DossierFactory()
    assert numbers(search(wm01, dossierNummer=one.number)) == [one.number]


def test_search_by_status(wm01) -> None:
    registered = DossierFactory()
    in_offer = DossierFactory(in_offer_by_secondary=True)
    assert numbers(search(wm01, dossierStatus="REG")) == [registered.number]
    assert numbers(search(wm01, dossierStatus="OFFER")) == [in_offer.number]
    assert numbers(search(wm01, dossierStatus="RJCT")) == []


def test_search_by_dossier_type(wm01) -> None:
    DossierFactory()
    paper = DossierFactory(dossier_type="PAPIER")
    assert numbers(search(wm01, dossierType="PAPIER")) == [paper.number]


def test_search_by_applicant_national_number(wm01) -> None:
    wanted, _other = DossierFactory(), DossierFactory()
    insz = wanted.members.get().person.insz
    assert numbers(search(wm01, aanvragerRijksregisternummer=insz)) == [wanted.number]


def test_search_by_applicant_national_number_with_the_usual_separators(wm01) -> None:
    wanted, _other = DossierFactory(), DossierFactory()
    n = wanted.members.get().person.insz
    formatted = f"{n[:2]}.{n[2:4]}.{n[4:6]}-{n[6:9]}.{n[9:]}"
    assert numbers(search(wm01, aanvragerRijksregisternummer=formatted)) == [wanted.number]


def test_search_by_postal_code_of_the_applicants_domicile(wm01) -> None:
    wanted, _other = DossierFactory(), DossierFactory()
    municipality = first_municipality_of("WM02")
    person = wanted.members.get().person
    person.domicile = municipality
    person.save()
    found = search(wm01, postCode=municipality.postal_codes[0])
    assert numbers(found) == [wanted.number]
    assert numbers(search(wm01, postCode="9999")) == []


@pytest.mark.parametrize(
    ("field", "criterion"),
    [
        ("created_at", "creatieDatum"),
        ("updated_at", "updateDatum"),
        ("received_at", "ontvangstDatum"),
    ],
)
def test_search_by_date_ranges(wm01, field: str, criterion: str) -> None:
    early, middle, late = DossierFactory(), DossierFactory(), DossierFactory()
    for dossier, day in ((early, 10), (middle, 20), (late, 30)):
        moment = timezone.make_aware(datetime(2023, 6, day, 12, 0))
        Dossier.objects.filter(pk=dossier.pk).update(**{field: moment})
    vanaf, tot = f"{criterion}Vanaf", f"{criterion}Tot"
    assert numbers(search(wm01, **{vanaf: "2023-06-20"})) == [middle.number, late.number]
    assert numbers(search(wm01, **{tot: "2023-06-20"})) == [early.number, middle.number]
    assert numbers(search(wm01, **{vanaf: "2023-06-11", tot: "2023-06-29"})) == [middle.number]
    assert numbers(search(wm01, **{vanaf: "2023-06-21", tot: "2023-06-29"})) == []


def test_search_not_synchronised_and_acknowledge(wm01, wm02) -> None:
    first, second = DossierFactory(), DossierFactory()
    assert numbers(search(wm01, nietGesynchroniseerd=True)) == [first.number, second.number]
    ack = wm01.post("dossiers/bevestigDossierVerwerking", {"dossierNummer": first.number})
    assert ack.status_code == 200, ack.content
    assert ack.json() == {
        "dossierNummer": first.number,
        "bevestigdeVersie": 1,
        "huidigeVersie": 1,
        "gesynchroniseerd": True,
    }
    assert numbers(search(wm01, nietGesynchroniseerd=True)) == [second.number]
    # the other landlord's synchronisation is its own
    assert numbers(search(wm02, nietGesynchroniseerd=True)) == [first.number, second.number]
    # a change makes it unsynchronised again
    assert wm02.action(first.number, "OFFER").status_code == 200
    assert numbers(search(wm01, nietGesynchroniseerd=True)) == [first.number, second.number]


def test_acknowledge_with_an_older_version_keeps_the_dossier_unsynchronised(wm01, wm02) -> None:
    dossier = DossierFactory()
    pulled = search(wm01, nietGesynchroniseerd=True)["dossiers"][0]["versie"]
    assert wm02.action(dossier.number, "OFFER").status_code == 200  # changed after the pull
    ack = wm01.post(
        "dossiers/bevestigDossierVerwerking", {"dossierNummer": dossier.number, "versie": pulled}
    )
    assert ack.json()["gesynchroniseerd"] is False
    assert numbers(search(wm01, nietGesynchroniseerd=True)) == [dossier.number]


def test_acknowledge_of_a_dossier_the_caller_does_not_share_is_404(wm03) -> None:
    dossier = DossierFactory()
    response = wm03.post("dossiers/bevestigDossierVerwerking", {"dossierNummer": dossier.number})
    assert_problem(response, 404, "DOSSIER_NIET_GEVONDEN")


def test_search_pagination(wm01) -> None:
    dossiers = [DossierFactory() for _ in range(5)]
    pages = [search(wm01, pagina=page, paginaGrootte=2) for page in (1, 2, 3, 4)]
    assert [len(p["dossiers"]) for p in pages] == [2, 2, 1, 0]
    assert {p["totaal"] for p in pages} == {5}
    assert [p["pagina"] for p in pages] == [1, 2, 3, 4]
    assert {p["paginaGrootte"] for p in pages} == {2}
    assert [n for p in pages for n in numbers(p)] == [d.number for d in dossiers]
    default = search(wm01)
    assert (default["pagina"], default["paginaGrootte"], default["totaal"]) == (1, 100, 5)


@pytest.mark.parametrize(
    "criteria", [{"pagina": 0}, {"paginaGrootte": 0}, {"paginaGrootte": 501}], ids=str
)
def test_search_pagination_out_of_range_is_refused(wm01, criteria) -> None:
    assert_problem(wm01.post("dossiers/zoeken", criteria), 400, "ONGELDIGE_INVOER")


# --- bad input ---------------------------------------------------------------------------------


def _broken(number: str) -> str:
    return number[:-2] + f"{(int(number[-2:]) + 1) % 100:02d}"


def test_invalid_national_number_is_400_checksum97_without_the_full_number(wm01) -> None:
    bad = _broken(valid_national_number())
    response = wm01.post("dossiers/zoeken", {"aanvragerRijksregisternummer": bad})
    body = assert_problem(response, 400, "ONGELDIGE_INVOER")
    assert "voldoet niet aan checksum97" in body["detail"]
    assert bad not in response.content.decode()
    assert bad[:6] in body["detail"]  # the birth-date part, to recognise a typo


@pytest.mark.parametrize(
    "body",
    [
        lambda n: {"dossierStatus": n},
        lambda n: {n: "REG"},
        lambda n: {"aanvragerRijksregisternummer": _broken(n)},
    ],
    ids=["echoed_choice", "unknown_field_name", "checksum"],
)
def test_no_answer_repeats_a_national_number_in_full(wm01, body) -> None:
    """insz.py: a national number never appears in full in an error message, ``fouten``
    included."""
    number = valid_national_number()
    request = body(number)
    response = wm01.post("dossiers/zoeken", request)
    problem = assert_problem(response, 400, "ONGELDIGE_INVOER")
    text = response.content.decode()
    assert number not in text
    assert _broken(number) not in text
    assert number[:6] + "*****" in problem["detail"]
    assert problem["fouten"] and all("*****" in line for line in problem["fouten"])


def test_unknown_action_is_400(wm01) -> None:
    dossier = DossierFactory()
    for actie in ("FOO", "APP", "OBJ", "offer"):
        body = assert_problem(wm01.action(dossier.number, actie), 400, "ONGELDIGE_INVOER")
        assert "actie" in body["detail"]
    assert version(dossier) == 1


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("dossiers/zoeken", {"dossierStatuss": "REG"}),
        (
            "dossiers/verwerkDossierActie",
            {"dossierNummer": "2021.03.04.0001", "actie": "WAIT", "x": 1},
        ),
        ("dossiers/bevestigDossierVerwerking", {"dossierNummer": "2021.03.04.0001", "versi": 1}),
        ("dossiers/wijzigDossierRangschikkingen", {"rangschikkingen": [], "extra": True}),
    ],
    ids=["zoeken", "actie", "bevestig", "rangschikkingen"],
)
def test_unknown_field_is_400(wm01, path: str, body: dict[str, Any]) -> None:
    response = wm01.post(path, body)
    problem = assert_problem(response, 400, "ONGELDIGE_INVOER")
    assert "Onbekend veld" in problem["detail"]


def test_missing_correlation_id_is_400(wm01) -> None:
    response = wm01.http.post(BASE + "dossiers/zoeken", {}, format="json")
    assert_problem(response, 400, "CORRELATIE_ID_ONTBREEKT")
    response = wm01.http.get(BASE + "gemeentes")
    assert_problem(response, 400, "CORRELATIE_ID_ONTBREEKT")


@pytest.mark.parametrize("value", ["abc", "1234", "not-a-uuid-at-all-0000000000000000"])
def test_non_uuid_correlation_id_is_400(wm01, value: str) -> None:
    response = wm01.post("dossiers/zoeken", {}, correlation_id=value)
    assert_problem(response, 400, "CORRELATIE_ID_ONGELDIG")


def test_correlation_id_is_echoed(wm01) -> None:
    correlation = str(uuid.uuid4())
    assert wm01.post("dossiers/zoeken", {}, correlation_id=correlation)["x-correlation-id"] == (
        correlation
    )


def test_body_larger_than_the_limit_is_413_and_nothing_written(wm02) -> None:
    dossier = DossierFactory()
    response = wm02.action(dossier.number, "OFFER", commentaar="x" * (300 * 1024))
    assert_problem(response, 413, "AANVRAAG_TE_GROOT")
    assert version(dossier) == 1


def test_invalid_json_is_400(wm01) -> None:
    response = wm01.http.post(
        BASE + "dossiers/zoeken",
        data="{not json",
        content_type="application/json",
        HTTP_X_CORRELATION_ID=str(uuid.uuid4()),
    )
    assert_problem(response, 400, "ONGELDIGE_JSON")


# --- freeze window -----------------------------------------------------------------------------


@pytest.fixture
def frozen(areas: Any) -> FreezeWindow:
    now = timezone.now()
    return FreezeWindow.objects.create(
        start=now - timedelta(hours=1), end=now + timedelta(hours=3), reason="test"
    )


def test_freeze_refuses_actions_with_423_and_the_end_of_the_window(wm02, frozen) -> None:
    dossier = DossierFactory()
    before = written()
    correlation = str(uuid.uuid4())
    response = wm02.post(
        "dossiers/verwerkDossierActie",
        {"dossierNummer": dossier.number, "actie": "OFFER"},
        correlation_id=correlation,
    )
    body = assert_problem(response, 423, "FREEZE")
    assert datetime.fromisoformat(body["freezeTot"]) == frozen.end
    assert parsedate_to_datetime(response["Retry-After"]) == frozen.end.replace(microsecond=0)
    assert "bevroren" in body["detail"]
    assert version(dossier) == 1
    assert written() == before
    assert not IdempotentRequest.objects.exists()
    # after the window the same request is processed: a 423 is not a first answer
    frozen.delete()
    retry = wm02.post(
        "dossiers/verwerkDossierActie",
        {"dossierNummer": dossier.number, "actie": "OFFER"},
        correlation_id=correlation,
    )
    assert retry.status_code == 200, retry.content


def test_freeze_refuses_rankings_with_423(wm01, frozen) -> None:
    dossier = DossierFactory()
    body = {
        "rangschikkingen": [
            {
                "dossierNummer": dossier.number,
                "rangLijstType": "PLR1",
                "criterium1": "A",
                "lokaleBinding": "YES",
                "beperkteRegioKeuze": "NO",
            }
        ]
    }
    before = written()
    problem = assert_problem(
        wm01.post("dossiers/wijzigDossierRangschikkingen", body), 423, "FREEZE"
    )
    assert datetime.fromisoformat(problem["freezeTot"]) == frozen.end
    assert written() == before
    assert version(dossier) == 1


def test_freeze_lets_reading_through(wm01, frozen) -> None:
    dossier = DossierFactory()
    assert wm01.get(f"dossiers/dossier/{dossier.number}").status_code == 200
    assert numbers(search(wm01)) == [dossier.number]
    assert wm01.get("gemeentes").status_code == 200


def test_freeze_lets_acknowledgement_through(wm01, frozen) -> None:
    """Decision (services.acknowledge): acknowledging changes no dossier."""
    dossier = DossierFactory()
    response = wm01.post("dossiers/bevestigDossierVerwerking", {"dossierNummer": dossier.number})
    assert response.status_code == 200, response.content
    assert version(dossier) == 1


# --- idempotent retries ------------------------------------------------------------------------


def test_retry_with_the_same_correlation_id_returns_the_first_answer(wm02) -> None:
    dossier = DossierFactory()
    correlation = str(uuid.uuid4())
    body = {"dossierNummer": dossier.number, "actie": "OFFER"}
    first = wm02.post("dossiers/verwerkDossierActie", body, correlation_id=correlation)
    again = wm02.post("dossiers/verwerkDossierActie", body, correlation_id=correlation)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["x-herhaling"] == "true"
    assert version(dossier) == 2
    assert ActionRecord.objects.filter(dossier=dossier).count() == 1
    assert StatusChange.objects.filter(dossier=dossier).count() == 1


def test_retry_of_a_refusal_returns_the_same_refusal(wm01) -> None:
    dossier = DossierFactory(in_offer_by_secondary=True)
    correlation = str(uuid.uuid4())
    body = {"dossierNummer": dossier.number, "actie": "ACC"}
    first = wm01.post("dossiers/verwerkDossierActie", body, correlation_id=correlation)
    again = wm01.post("dossiers/verwerkDossierActie", body, correlation_id=correlation)
    assert_problem(first, 409, "NIET_AANBIEDENDE_VERHUURDER")
    assert_problem(again, 409, "NIET_AANBIEDENDE_VERHUURDER")
    assert again.json() == first.json()


def test_same_correlation_id_with_another_body_is_422(wm02) -> None:
    dossier = DossierFactory()
    correlation = str(uuid.uuid4())
    first = wm02.post(
        "dossiers/verwerkDossierActie",
        {"dossierNummer": dossier.number, "actie": "OFFER"},
        correlation_id=correlation,
    )
    assert first.status_code == 200
    other = wm02.post(
        "dossiers/verwerkDossierActie",
        {"dossierNummer": dossier.number, "actie": "CCL"},
        correlation_id=correlation,
    )
    assert_problem(other, 422, "CORRELATIE_ID_HERGEBRUIKT")
    assert Dossier.objects.get(pk=dossier.pk).status == "OFFER"
    assert version(dossier) == 2


def test_same_correlation_id_on_another_endpoint_is_422(wm01) -> None:
    dossier = DossierFactory()
    correlation = str(uuid.uuid4())
    body = {"dossierNummer": dossier.number}
    ack = wm01.post("dossiers/bevestigDossierVerwerking", body, correlation_id=correlation)
    assert ack.status_code == 200
    reused = wm01.post(
        "dossiers/verwerkDossierActie", {**body, "actie": "WAIT"}, correlation_id=correlation
    )
    assert_problem(reused, 422, "CORRELATIE_ID_HERGEBRUIKT")
    assert version(dossier) == 1


# --- who may use which interface ---------------------------------------------------------------


def test_rent_premium_token_cannot_use_the_local_software_interface(premium_service) -> None:
    dossier = DossierFactory()
    assert_problem(premium_service.post("dossiers/zoeken", {}), 403, "GEEN_TOEGANG")
    assert_problem(premium_service.get(f"dossiers/dossier/{dossier.number}"), 403, "GEEN_TOEGANG")
    assert_problem(premium_service.action(dossier.number, "VOL"), 403, "GEEN_TOEGANG")
    assert version(dossier) == 1


def test_landlord_token_cannot_read_the_premium_feed(wm01) -> None:
    assert_problem(wm01.get("", base=FEED), 403, "GEEN_TOEGANG")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", BASE + "dossiers/zoeken"),
        ("post", BASE + "dossiers/verwerkDossierActie"),
        ("get", BASE + "dossiers/dossier/2021.03.04.0001"),
        ("get", BASE + "gemeentes"),
        ("get", FEED),
    ],
)
def test_no_token_is_401(areas, method: str, path: str) -> None:
    client = APIClient()
    response = getattr(client, method)(path, HTTP_X_CORRELATION_ID=str(uuid.uuid4()))
    assert_problem(response, 401, "NIET_AANGEMELD")


def test_invalid_token_is_401(areas) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = client.post(
        BASE + "dossiers/zoeken", {}, format="json", HTTP_X_CORRELATION_ID=str(uuid.uuid4())
    )
    assert_problem(response, 401, "NIET_AANGEMELD")


# --- the rent-premium feed ---------------------------------------------------------------------


def test_premium_feed_in_order_resumable_with_a_cursor(wm01, wm02, premium_service) -> None:
    removed = DossierFactory()
    accepted = DossierFactory(in_offer_by_secondary=True)
    sanctioned = DossierFactory(in_offer_by_secondary=True)
    assert wm01.action(removed.number, "VOL").status_code == 200
    assert wm02.action(accepted.number, "ACC").status_code == 200
    assert wm02.action(sanctioned.number, "REF").status_code == 200

    everything = premium_service.get("?limiet=1000", base=FEED).json()
    events = everything["gebeurtenissen"]
    assert everything["meer"] is False
    ids = [int(e["id"]) for e in events]
    assert ids == sorted(ids)
    assert (events[0]["dossierNummer"], events[0]["soort"]) == (removed.number, "REMOVED")
    assert [e["soort"] for e in events if e["dossierNummer"] == accepted.number] == [
        "OFFER_ACCEPTED",
        "REMOVED",
    ]
    assert events[-1]["soort"] == "SANCTIONED"
    assert events[-1]["dossierNummer"] == sanctioned.number
    assert events[0]["reden"] == "vrijwillig"
    assert events[0]["rijksregisternummers"] == [removed.members.get().person.insz]
    assert everything["volgende"] == events[-1]["id"]

    page = premium_service.get("?limiet=2", base=FEED).json()
    assert page["gebeurtenissen"] == events[:2]
    assert page["meer"] is True
    assert page["volgende"] == events[1]["id"]
    rest = premium_service.get(f"?na={page['volgende']}&limiet=2", base=FEED).json()
    assert rest["gebeurtenissen"] == events[2:4]
    assert rest["meer"] is False
    done = premium_service.get(f"?na={rest['volgende']}", base=FEED).json()
    assert done["gebeurtenissen"] == []
    assert done["meer"] is False
    assert done["volgende"] == rest["volgende"]  # the cursor stays where it was


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("?na=abc", "ONGELDIGE_CURSOR"),
        ("?na=-1", "ONGELDIGE_CURSOR"),
        ("?limiet=0", "ONGELDIGE_LIMIET"),
        ("?limiet=1001", "ONGELDIGE_LIMIET"),
        ("?limiet=x", "ONGELDIGE_LIMIET"),
    ],
)
def test_premium_feed_refuses_a_bad_cursor_or_limit(premium_service, query, code) -> None:
    assert_problem(premium_service.get(query, base=FEED), 400, code)


def test_premium_feed_is_read_only(premium_service) -> None:
    response = premium_service.http.post(
        FEED, {}, format="json", HTTP_X_CORRELATION_ID=str(uuid.uuid4())
    )
    assert_problem(response, 405, "METHODE_NIET_TOEGELATEN")


# --- rankings ----------------------------------------------------------------------------------


def ranking(number: str, pillar: str = "PLR1", criterion: str = "A", **extra: Any) -> dict:
    return {
        "dossierNummer": number,
        "rangLijstType": pillar,
        "criterium1": criterion,
        "lokaleBinding": "YES",
        "beperkteRegioKeuze": "NO",
        **extra,
    }


def push(client: Any, *items: dict[str, Any]) -> Any:
    return client.post("dossiers/wijzigDossierRangschikkingen", {"rangschikkingen": list(items)})


def test_rankings_replace_the_callers_rankings_only(wm01, wm02) -> None:
    dossier = DossierFactory()
    assert push(wm02, ranking(dossier.number, "PLR2", "EHOME")).status_code == 200
    assert push(wm01, ranking(dossier.number, "PLR1", "H")).status_code == 200
    response = push(
        wm01,
        ranking(dossier.number, "PLR3", "D", gemeenteNisCode="11001", wijk="Centrum"),
        ranking(dossier.number, "PLR4", "UOCCU"),
    )
    assert response.status_code == 200, response.content
    [result] = response.json()["dossiers"]
    assert result["dossierNummer"] == dossier.number
    assert result["versie"] == 4
    own = wm01.get(f"dossiers/dossier/{dossier.number}").json()["rangschikkingen"]
    assert sorted((r["rangLijstType"], r["criterium1"]) for r in own) == [
        ("PLR3", "D"),
        ("PLR4", "UOCCU"),
    ]
    assert {r["wijk"] for r in own} == {"Centrum", ""}
    theirs = wm02.get(f"dossiers/dossier/{dossier.number}").json()["rangschikkingen"]
    assert [(r["rangLijstType"], r["criterium1"]) for r in theirs] == [("PLR2", "EHOME")]


@pytest.mark.parametrize(
    ("pillar", "criterion"), [("PLR1", "EHOME"), ("PLR2", "H"), ("PLR3", "A"), ("PLR4", "D")]
)
def test_ranking_with_a_criterion_of_another_pillar_is_400(wm01, pillar, criterion) -> None:
    dossier = DossierFactory()
    response = push(wm01, ranking(dossier.number, pillar, criterion))
    assert_problem(response, 400, "ONGELDIG_CRITERIUM")
    assert not Ranking.objects.exists()


def test_rankings_are_all_or_nothing_across_dossiers(wm01) -> None:
    first, second = DossierFactory(), DossierFactory()
    before = written()
    response = push(wm01, ranking(first.number), ranking(second.number, "PLR2", "H"))
    assert_problem(response, 400, "ONGELDIG_CRITERIUM")
    assert written() == before
    assert (version(first), version(second)) == (1, 1)


def test_rankings_for_a_dossier_not_shared_change_no_other_dossier(wm01) -> None:
    mine = DossierFactory()
    hidden = share_only_with(DossierFactory(), "WM03")
    before = written()
    response = push(wm01, ranking(mine.number), ranking(hidden.number))
    assert_problem(response, 404, "DOSSIER_NIET_GEVONDEN")
    assert written() == before
    assert version(mine) == 1


def test_rankings_for_a_removed_dossier_change_no_other_dossier(wm01) -> None:
    mine, removed = DossierFactory(), DossierFactory(removed=True)
    before = written()
    response = push(wm01, ranking(mine.number), ranking(removed.number))
    assert_problem(response, 409, "DOSSIER_NIET_ACTIEF")
    assert written() == before


def test_ranking_with_an_unknown_municipality_is_400(wm01) -> None:
    dossier = DossierFactory()
    response = push(wm01, ranking(dossier.number, gemeenteNisCode="99999"))
    assert_problem(response, 400, "ONBEKENDE_GEMEENTE")


# --- municipalities ----------------------------------------------------------------------------


def test_gemeentes_lists_565_municipalities_of_which_285_flemish(wm01) -> None:
    response = wm01.get("gemeentes")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 565
    assert sum(1 for m in rows if m["vlaams"]) == 285
    by_nis = {m["gemeenteNisCode"]: m for m in rows}
    assert by_nis["11001"]["woonmaatschappij"] == company("WM01").kbo
    assert by_nis["21004"]["vlaams"] is False
    assert by_nis["21004"]["woonmaatschappij"] is None
    assert all(m["woonmaatschappij"] for m in rows if m["vlaams"])


# --- sanity: sharing follows DossierShare ------------------------------------------------------


def test_secondary_landlord_loses_access_when_no_longer_sharing(wm02) -> None:
    dossier = DossierFactory()
    DossierShare.objects.filter(dossier=dossier, company=company("WM02")).delete()
    assert_problem(wm02.action(dossier.number, "OFFER"), 404, "DOSSIER_NIET_GEVONDEN")
