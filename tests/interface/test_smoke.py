from __future__ import annotations

from tests.factories import DossierFactory


def test_walkthrough_offer_nores_blocked_offer_and_acknowledge(landlord, premium_service):
    dossier = DossierFactory()
    wm01, wm02 = landlord("WM01"), landlord("WM02")
    found = wm01.post("dossiers/zoeken", {"nietGesynchroniseerd": True})
    assert found.status_code == 200, found.content
    assert [d["dossierNummer"] for d in found.json()["dossiers"]] == [dossier.number]
    whole = wm02.get(f"dossiers/dossier/{dossier.number}")
    assert whole.status_code == 200, whole.content
    offer = wm02.action(dossier.number, "OFFER")
    assert offer.status_code == 200, offer.content
    assert offer.json()["dossierStatus"] == "OFFER"
    nores = wm02.action(dossier.number, "NORES")
    assert nores.json()["dossierStatus"] == "REG"
    assert nores.json()["aanbodBlokkeringTot"] is not None
    again = wm01.action(dossier.number, "OFFER")
    assert again.status_code == 409
    assert again.json()["code"] == "AANBODBLOKKERING"
    assert again["Content-Type"] == "application/problem+json"
    ack = wm01.post("dossiers/bevestigDossierVerwerking", {"dossierNummer": dossier.number})
    assert ack.json()["gesynchroniseerd"] is True
    feed = premium_service.get("gebeurtenissen", base="/v1/huurpremie/")
    assert [e["soort"] for e in feed.json()["gebeurtenissen"]] == ["SANCTIONED"]
