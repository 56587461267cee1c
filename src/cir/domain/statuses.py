"""Statuses, actions and removal reasons of a dossier, with the codes of the live interface.

The codes are those the local software already speaks (see ``local-software-api.md``); the English
names are the glossary's.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Dossierstatus."""

    SAVED = "SAVED"  # opgeslagen
    CHKS = "CHKS"  # in onderzoek
    INFOS = "INFOS"  # in onderzoek: extra info gevraagd
    CHKO = "CHKO"  # in onderzoek verhaal
    REG = "REG"  # ingeschreven
    OFFER = "OFFER"  # in wacht, in aanbod
    WAITS = "WAITS"  # in wacht op eigen vraag
    RJCT = "RJCT"  # geschrapt
    RFSD = "RFSD"  # geweigerd


#: Dutch labels, as a landlord's employee reads them.
STATUS_LABELS_NL: dict[Status, str] = {
    Status.SAVED: "opgeslagen",
    Status.CHKS: "in onderzoek",
    Status.INFOS: "in onderzoek: extra info gevraagd",
    Status.CHKO: "in onderzoek verhaal",
    Status.REG: "ingeschreven",
    Status.OFFER: "in aanbod",
    Status.WAITS: "in wacht op eigen vraag",
    Status.RJCT: "geschrapt",
    Status.RFSD: "geweigerd",
}

#: A dossier in one of these statuses holds its candidates: the register allows them in no other
#: dossier (rules.md section 1). RJCT and RFSD release them.
ACTIVE_STATUSES: frozenset[Status] = frozenset(
    {
        Status.SAVED,
        Status.CHKS,
        Status.INFOS,
        Status.CHKO,
        Status.REG,
        Status.OFFER,
        Status.WAITS,
    }
)

UNDER_REVIEW_STATUSES: frozenset[Status] = frozenset({Status.CHKS, Status.INFOS, Status.CHKO})

#: Statuses in which the candidate may change the dossier (rules.md section 3).
CANDIDATE_EDITABLE_STATUSES: frozenset[Status] = frozenset({Status.SAVED, Status.REG, Status.WAITS})


def is_active(status: Status | str) -> bool:
    return Status(status) in ACTIVE_STATUSES


class Action(StrEnum):
    """Dossieractie: the action codes of the live interface."""

    SAVE = "SAVE"
    CONFIRM = "CONFIRM"  # deelname bevestigen: not a live code, the portal's own step
    APP = "APP"
    REQI = "REQI"
    RSPND = "RSPND"
    REG = "REG"
    RJCT = "RJCT"
    NCOMP = "NCOMP"
    OBJ = "OBJ"
    OFFER = "OFFER"
    ACC = "ACC"
    CCLGW = "CCLGW"
    REF = "REF"
    NORES = "NORES"
    CCL = "CCL"
    WAIT = "WAIT"
    WAKE = "WAKE"
    VOL = "VOL"
    DEC = "DEC"
    FRAUD = "FRAUD"
    ACTUA = "ACTUA"
    NOACT = "NOACT"
    MIGRA = "MIGRA"


#: The actions a landlord's local software may post to ``verwerkDossierActie`` (issue 2).
LOCAL_SOFTWARE_ACTIONS: frozenset[Action] = frozenset(
    {
        Action.OFFER,
        Action.ACC,
        Action.REF,
        Action.NORES,
        Action.CCLGW,
        Action.CCL,
        Action.REQI,
        Action.REG,
        Action.RJCT,
        Action.NCOMP,
        Action.WAIT,
        Action.WAKE,
        Action.VOL,
        Action.DEC,
        Action.FRAUD,
        Action.NOACT,
    }
)


class RemovalReason(StrEnum):
    """Reden van schrapping; the value is the Dutch reason the register states."""

    ACCEPTED = "woning aanvaard"
    VOLUNTARY = "vrijwillig"
    DECEASED = "overleden"
    FRAUD = "fraude"
    CONDITIONS_NOT_MET = "voldoet niet aan de voorwaarden"
    SECOND_SANCTION = "tweede ongegronde weigering of niet-reactie"
    INACTIVE = "twee jaar geen activiteit"
    REFUSED = "registratie geweigerd"


class DwellingType(StrEnum):
    """Woningtype."""

    HOUSE = "H"
    APARTMENT = "A"
    STUDIO = "S"
    ROOM = "R"


class Pillar(StrEnum):
    """Pijler (rangLijstType)."""

    PLR1 = "PLR1"  # standaard
    PLR2 = "PLR2"  # versneld (urgentie)
    PLR3 = "PLR3"  # doelgroep
    PLR4 = "PLR4"  # bijzonder


#: Allowed ``criterium1`` per pillar (local-software-api.md). PLR4's list is open in the source
#: ("DERES, UOCCU, ..."); we accept the two known codes and keep the list here, in one place.
PILLAR_CRITERIA: dict[Pillar, frozenset[str]] = {
    Pillar.PLR1: frozenset({"H", "A", "S", "R"}),
    Pillar.PLR2: frozenset({"EHOME", "UASIL", "MHP", "SUBSH", "SPSC"}),
    Pillar.PLR3: frozenset({"D"}),
    Pillar.PLR4: frozenset({"DERES", "UOCCU"}),
}


class TriState(StrEnum):
    YES = "YES"
    NO = "NO"
    UNK = "UNK"
