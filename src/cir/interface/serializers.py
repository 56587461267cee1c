"""Request validation and the documented shape of the answers (names as the live interface)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from cir.domain.insz import InvalidNationalNumber, validate
from cir.domain.statuses import LOCAL_SOFTWARE_ACTIONS, Pillar, Status, TriState
from cir.register.models import DossierType


class StrictSerializer(serializers.Serializer):
    """Rejects fields it does not know: a typo must not be silently ignored."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Onbekend veld."] for name in unknown})
        return super().to_internal_value(data)


class NationalNumberField(serializers.CharField):
    """A valid national or BIS number, given to the view in its compact 11-digit form (the
    usual separators, 85.07.30-033.28, are accepted and removed)."""

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        try:
            return validate(value)
        except InvalidNationalNumber as exc:
            raise serializers.ValidationError(f"{exc.masked} {exc.reason}") from exc


def national_number_field(**kwargs: Any) -> serializers.CharField:
    return NationalNumberField(max_length=20, **kwargs)


DOSSIER_NUMBER_HELP = "Dossiernummer jjjj.mm.dd.xxxx."


class SearchRequest(StrictSerializer):
    dossierNummer = serializers.CharField(
        required=False, max_length=15, help_text=DOSSIER_NUMBER_HELP
    )
    dossierStatus = serializers.ChoiceField(
        required=False, choices=[s.value for s in Status], help_text="Statuscode, bv. REG."
    )
    dossierType = serializers.ChoiceField(required=False, choices=DossierType.values)
    aanvragerRijksregisternummer = national_number_field(required=False)
    postCode = serializers.RegexField(
        r"^\d{4}$", required=False, help_text="Postcode van de domiciliegemeente van de aanvrager."
    )
    creatieDatumVanaf = serializers.DateField(required=False)
    creatieDatumTot = serializers.DateField(required=False)
    updateDatumVanaf = serializers.DateField(required=False)
    updateDatumTot = serializers.DateField(required=False)
    ontvangstDatumVanaf = serializers.DateField(required=False)
    ontvangstDatumTot = serializers.DateField(required=False)
    nietGesynchroniseerd = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Enkel dossiers die gewijzigd zijn sinds u ze laatst bevestigde.",
    )
    pagina = serializers.IntegerField(required=False, default=1, min_value=1)
    paginaGrootte = serializers.IntegerField(
        required=False, default=100, min_value=1, max_value=500
    )


class PersonSummary(serializers.Serializer):
    rijksregisternummer = serializers.CharField()
    voorNaam = serializers.CharField()
    naam = serializers.CharField()


class DossierSummary(serializers.Serializer):
    dossierNummer = serializers.CharField(allow_null=True)
    dossierStatus = serializers.CharField()
    dossierType = serializers.CharField()
    versie = serializers.IntegerField()
    inschrijvingsDatum = serializers.DateField(allow_null=True)
    creatieDatum = serializers.DateTimeField()
    updateDatum = serializers.DateTimeField()
    ontvangstDatum = serializers.DateTimeField(allow_null=True)
    primaireVerhuurder = serializers.CharField(allow_null=True, help_text="partijCode (KBO)")
    aanvrager = PersonSummary(allow_null=True)
    gesynchroniseerd = serializers.BooleanField()


class SearchResponse(serializers.Serializer):
    dossiers = DossierSummary(many=True)
    pagina = serializers.IntegerField()
    paginaGrootte = serializers.IntegerField()
    totaal = serializers.IntegerField()


class MemberOut(serializers.Serializer):
    rol = serializers.ChoiceField(choices=["AANVRAGER", "PARTNER", "MEDEBEWONER"])
    rijksregisternummer = serializers.CharField()
    voorNaam = serializers.CharField()
    naam = serializers.CharField()
    geboorteDatum = serializers.DateField(allow_null=True)
    domicilieGemeenteNisCode = serializers.CharField(allow_null=True)
    wachtSinds = serializers.DateField(allow_null=True)
    deelnameBevestigd = serializers.BooleanField()


class ChoiceOut(serializers.Serializer):
    volgorde = serializers.IntegerField()
    gemeenteNisCode = serializers.CharField()
    gemeente = serializers.CharField()
    wijken = serializers.ListField(child=serializers.CharField())


class PreferencesOut(serializers.Serializer):
    gemeentes = ChoiceOut(many=True)
    woningTypes = serializers.ListField(child=serializers.CharField())
    andere = serializers.DictField()


class OfferOut(serializers.Serializer):
    verhuurder = serializers.CharField(help_text="partijCode (KBO) van de aanbiedende verhuurder")
    sinds = serializers.DateField()


class RankingOut(serializers.Serializer):
    rangLijstType = serializers.CharField()
    criterium1 = serializers.CharField()
    lokaleBinding = serializers.CharField()
    beperkteRegioKeuze = serializers.CharField()
    gemeenteNisCode = serializers.CharField(allow_null=True)
    wijk = serializers.CharField(allow_blank=True)


class StatusChangeOut(serializers.Serializer):
    vanStatus = serializers.CharField(allow_blank=True)
    naarStatus = serializers.CharField()
    actie = serializers.CharField()
    datum = serializers.DateField()


class OriginOut(serializers.Serializer):
    landlord_id = serializers.CharField()
    dossier_id = serializers.CharField()


class DossierOut(serializers.Serializer):
    dossierNummer = serializers.CharField(allow_null=True)
    dossierStatus = serializers.CharField()
    dossierType = serializers.CharField()
    versie = serializers.IntegerField()
    inschrijvingsDatum = serializers.DateField(allow_null=True)
    creatieDatum = serializers.DateTimeField()
    updateDatum = serializers.DateTimeField()
    ontvangstDatum = serializers.DateTimeField(allow_null=True)
    primaireVerhuurder = serializers.CharField(allow_null=True)
    secundaireVerhuurders = serializers.ListField(child=serializers.CharField())
    aanbod = OfferOut(allow_null=True)
    aanbodBlokkeringTot = serializers.DateField(allow_null=True)
    aantalSancties = serializers.IntegerField()
    redenSchrapping = serializers.CharField(allow_blank=True)
    leden = MemberOut(many=True)
    voorkeuren = PreferencesOut()
    woonsituatie = serializers.CharField(allow_blank=True)
    contact = serializers.DictField()
    rangschikkingen = RankingOut(many=True, help_text="Uw eigen rangschikkingen van dit dossier.")
    statusHistoriek = StatusChangeOut(many=True)
    inhoudsbron = OriginOut(allow_null=True)
    samengevoegdUit = OriginOut(many=True, allow_null=True)
    gesynchroniseerd = serializers.BooleanField()


class AcknowledgeRequest(StrictSerializer):
    dossierNummer = serializers.CharField(max_length=15, help_text=DOSSIER_NUMBER_HELP)
    versie = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="De versie die de lokale software verwerkte; zonder versie: de huidige.",
    )


class AcknowledgeResponse(serializers.Serializer):
    dossierNummer = serializers.CharField()
    bevestigdeVersie = serializers.IntegerField()
    huidigeVersie = serializers.IntegerField()
    gesynchroniseerd = serializers.BooleanField()


class PremisesIn(StrictSerializer):
    postCode = serializers.RegexField(r"^\d{4}$", required=False)
    gemeente = serializers.CharField(required=False, max_length=100)
    gemeenteNisCode = serializers.RegexField(r"^\d{5}$", required=False)
    straat = serializers.CharField(required=False, max_length=200)
    huisNummer = serializers.CharField(required=False, max_length=20)
    huisNummerBus = serializers.CharField(required=False, max_length=20, allow_blank=True)
    landNisCode = serializers.RegexField(r"^\d{3,5}$", required=False)


class ActionRequest(StrictSerializer):
    dossierNummer = serializers.CharField(max_length=15, help_text=DOSSIER_NUMBER_HELP)
    actie = serializers.CharField(
        max_length=10,
        help_text="Actiecode: " + ", ".join(sorted(a.value for a in LOCAL_SOFTWARE_ACTIONS)),
    )
    commentaar = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    datumIngangContract = serializers.DateTimeField(
        required=False, help_text="Start van het huurcontract (RFC 3339, met Belgische offset)."
    )
    datumGebeurtenis = serializers.DateField(
        required=False,
        help_text="Datum waarop de uitkomst inging (bv. na een freeze); standaard vandaag.",
    )
    pand = PremisesIn(required=False)
    versie = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Optioneel: de versie waarop de actie gebaseerd is; anders 409 bij wijziging.",
    )

    def validate_actie(self, value: str) -> str:
        if value not in {a.value for a in LOCAL_SOFTWARE_ACTIONS}:
            raise serializers.ValidationError(f"Onbekende of niet toegelaten actie {value}.")
        return value


class ActionResponse(serializers.Serializer):
    dossierNummer = serializers.CharField()
    actie = serializers.CharField()
    dossierStatus = serializers.CharField()
    versie = serializers.IntegerField()
    aanbodBlokkeringTot = serializers.DateField(allow_null=True)
    aantalSancties = serializers.IntegerField()
    redenSchrapping = serializers.CharField(allow_blank=True)


class RankingIn(StrictSerializer):
    dossierNummer = serializers.CharField(max_length=15)
    rangLijstType = serializers.ChoiceField(choices=[p.value for p in Pillar])
    criterium1 = serializers.CharField(max_length=10)
    lokaleBinding = serializers.ChoiceField(choices=[t.value for t in TriState])
    beperkteRegioKeuze = serializers.ChoiceField(choices=[t.value for t in TriState])
    gemeenteNisCode = serializers.RegexField(r"^\d{5}$", required=False, allow_null=True)
    wijk = serializers.CharField(required=False, allow_blank=True, max_length=100)


class RankingsRequest(StrictSerializer):
    rangschikkingen = RankingIn(many=True, allow_empty=True)


class RankingsResponse(serializers.Serializer):
    dossiers = ActionResponse(many=True)


class MunicipalityOut(serializers.Serializer):
    gemeenteNisCode = serializers.CharField()
    naam = serializers.CharField()
    naamFr = serializers.CharField()
    postCodes = serializers.ListField(child=serializers.CharField())
    vlaams = serializers.BooleanField()
    woonmaatschappij = serializers.CharField(allow_null=True, help_text="partijCode (KBO)")


class PremiumEventOut(serializers.Serializer):
    id = serializers.CharField(help_text="Cursor: geef hem mee als `na` om erna verder te lezen.")
    soort = serializers.ChoiceField(
        choices=["REGISTERED", "REMOVED", "OFFER_ACCEPTED", "SANCTIONED", "MIGRA"]
    )
    datumIngang = serializers.DateField()
    dossierNummer = serializers.CharField()
    rijksregisternummers = serializers.ListField(child=serializers.CharField())
    actie = serializers.CharField()
    reden = serializers.CharField(required=False)


class PremiumFeedResponse(serializers.Serializer):
    gebeurtenissen = PremiumEventOut(many=True)
    volgende = serializers.CharField(
        allow_null=True, help_text="Cursor na de laatste gebeurtenis van deze pagina."
    )
    meer = serializers.BooleanField()


class ProblemOut(serializers.Serializer):
    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    code = serializers.CharField(help_text="Stabiele foutcode")
    detail = serializers.CharField(help_text="Uitleg in het Nederlands")
