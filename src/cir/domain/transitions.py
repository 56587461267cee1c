"""Every action of rules.md section 4, in one table: who may act, from which status, under which
guards, and with what result.

:func:`decide` is pure: it takes the dossier's state, the actor and the action, and returns an
:class:`Outcome` or raises :class:`RuleViolation` with a stable code and a Dutch explanation. The
register's services apply the outcome (inside a transaction, with history, audit and events).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import Enum, StrEnum

from cir.domain.calendar import add_months, add_years
from cir.domain.statuses import ACTIVE_STATUSES, STATUS_LABELS_NL, Action, RemovalReason, Status

OFFER_BLOCK_MONTHS = 3
INACTIVITY_YEARS = 2
SANCTIONS_BEFORE_REMOVAL = 2


class Party(StrEnum):
    """Who acts, seen from the dossier."""

    CANDIDATE = "candidate"  # applicant or partner (or a landlord acting with a proxy)
    PRIMARY = "primary_landlord"  # primaire verhuurder (PV)
    SECONDARY = "secondary_landlord"  # secundaire verhuurder
    OFFERING = "offering_landlord"  # the landlord whose offer runs
    REGISTER = "register"  # the register itself (sources, schedules, migration)


class Guard(Enum):
    NO_OFFER_BLOCK = "no_offer_block"
    HAS_NUMBER = "has_number"
    HAS_NO_NUMBER = "has_no_number"
    ALL_ADULTS_CONFIRMED = "all_adults_confirmed"
    INACTIVE_TWO_YEARS = "inactive_two_years"


class Effect(Enum):
    """What happens beyond the change of status."""

    NONE = "none"
    ASSIGN_NUMBER = "assign_number"  # REG: number if none yet
    SUBMIT = "submit"  # APP: REG with a number when the sources say met, else CHKS
    ACTUALISE = "actualise"  # ACTUA: stays REG when met, else CHKS
    START_OFFER = "start_offer"
    END_OFFER = "end_offer"  # CCLGW, CCL: back to REG, nothing counted
    SANCTION = "sanction"  # REF, NORES
    RECORD_CONSENT = "record_consent"
    EDIT = "edit"


ANY_ACTIVE = frozenset(ACTIVE_STATUSES)
REVIEW = frozenset({Status.CHKS, Status.INFOS})


@dataclass(frozen=True, slots=True)
class Transition:
    """One row of rules.md section 4."""

    action: Action
    who: frozenset[Party]
    sources: frozenset[Status]
    target: Status | None  # None: the effect decides
    removal_reason: RemovalReason | None = None
    guards: tuple[Guard, ...] = ()
    effect: Effect = Effect.NONE


def _t(
    action: Action,
    who: set[Party],
    sources: set[Status] | frozenset[Status],
    target: Status | None,
    reason: RemovalReason | None = None,
    guards: tuple[Guard, ...] = (),
    effect: Effect = Effect.NONE,
) -> Transition:
    return Transition(action, frozenset(who), frozenset(sources), target, reason, guards, effect)


C, PV, SV, OL, R = Party.CANDIDATE, Party.PRIMARY, Party.SECONDARY, Party.OFFERING, Party.REGISTER

#: The table. An action may have more than one row (RJCT and NCOMP differ by the number guard).
TRANSITIONS: tuple[Transition, ...] = (
    _t(Action.SAVE, {C}, {Status.SAVED}, Status.SAVED, effect=Effect.EDIT),
    _t(Action.CONFIRM, {C}, {Status.SAVED}, Status.SAVED, effect=Effect.RECORD_CONSENT),
    _t(
        Action.APP,
        {C},
        {Status.SAVED},
        None,
        guards=(Guard.ALL_ADULTS_CONFIRMED,),
        effect=Effect.SUBMIT,
    ),
    _t(Action.REQI, {PV}, {Status.CHKS}, Status.INFOS),
    _t(Action.RSPND, {C}, {Status.INFOS}, Status.CHKS),
    _t(Action.REG, {PV}, {Status.CHKS, Status.CHKO}, Status.REG, effect=Effect.ASSIGN_NUMBER),
    _t(
        Action.RJCT,
        {PV},
        REVIEW,
        Status.RFSD,
        RemovalReason.REFUSED,
        guards=(Guard.HAS_NO_NUMBER,),
    ),
    _t(
        Action.NCOMP,
        {PV},
        REVIEW,
        Status.RJCT,
        RemovalReason.CONDITIONS_NOT_MET,
        guards=(Guard.HAS_NUMBER,),
    ),
    _t(Action.OBJ, {C}, {Status.RFSD, Status.RJCT}, Status.CHKO),
    _t(
        Action.OFFER,
        {PV, SV},
        {Status.REG},
        Status.OFFER,
        guards=(Guard.NO_OFFER_BLOCK,),
        effect=Effect.START_OFFER,
    ),
    _t(
        Action.ACC,
        {OL},
        {Status.OFFER},
        Status.RJCT,
        RemovalReason.ACCEPTED,
        effect=Effect.END_OFFER,
    ),
    _t(Action.CCLGW, {OL}, {Status.OFFER}, Status.REG, effect=Effect.END_OFFER),
    _t(Action.REF, {OL}, {Status.OFFER}, None, effect=Effect.SANCTION),
    _t(Action.NORES, {OL}, {Status.OFFER}, None, effect=Effect.SANCTION),
    _t(Action.CCL, {OL}, {Status.OFFER}, Status.REG, effect=Effect.END_OFFER),
    _t(Action.WAIT, {C, PV}, {Status.REG}, Status.WAITS),
    _t(Action.WAKE, {C, PV}, {Status.WAITS}, Status.REG),
    _t(Action.VOL, {C, PV}, ANY_ACTIVE, Status.RJCT, RemovalReason.VOLUNTARY),
    _t(Action.DEC, {PV, R}, ANY_ACTIVE, Status.RJCT, RemovalReason.DECEASED),
    _t(Action.FRAUD, {PV}, ANY_ACTIVE, Status.RJCT, RemovalReason.FRAUD),
    _t(Action.ACTUA, {R}, {Status.REG}, None, effect=Effect.ACTUALISE),
    _t(
        Action.NOACT,
        {PV, R},
        {Status.REG, Status.WAITS},
        Status.RJCT,
        RemovalReason.INACTIVE,
        guards=(Guard.INACTIVE_TWO_YEARS,),
    ),
)

ACTIONS_WITH_OFFER_END = frozenset(
    t.action for t in TRANSITIONS if t.effect in (Effect.END_OFFER, Effect.SANCTION)
)


@dataclass(frozen=True, slots=True)
class DossierState:
    """What the rules need to know of a dossier."""

    number: str | None
    status: Status
    primary_company: str | None
    secondary_companies: frozenset[str] = frozenset()
    offer_company: str | None = None
    offer_block_until: date | None = None
    sanction_count: int = 0
    last_activity: date | None = None
    all_adults_confirmed: bool = False


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a candidate (``person``), a landlord (``company``), or the register itself."""

    party_kind: str  # "candidate", "landlord" or "register"
    company: str | None = None
    person: str | None = None
    with_proxy: bool = False

    @classmethod
    def landlord(cls, company: str) -> Actor:
        return cls("landlord", company=company)

    @classmethod
    def candidate(cls, person: str) -> Actor:
        return cls("candidate", person=person)

    @classmethod
    def register(cls) -> Actor:
        return cls("register")


def parties(actor: Actor, state: DossierState) -> frozenset[Party]:
    """Every capacity in which ``actor`` stands towards the dossier."""
    found: set[Party] = set()
    if actor.party_kind == "candidate":
        found.add(Party.CANDIDATE)
    elif actor.party_kind == "register":
        found.add(Party.REGISTER)
    elif actor.company is not None:
        if actor.company == state.primary_company:
            found.add(Party.PRIMARY)
            if actor.with_proxy:
                found.add(Party.CANDIDATE)
        elif actor.company in state.secondary_companies:
            found.add(Party.SECONDARY)
        if state.status == Status.OFFER and actor.company == state.offer_company:
            found.add(Party.OFFERING)
    return frozenset(found)


class RuleViolation(Exception):
    """An action the rules do not allow. ``code`` is stable; ``detail`` is Dutch."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of an allowed action, for the services to apply."""

    action: Action
    transition: Transition
    before: DossierState
    after: DossierState
    effective_date: date
    removal_reason: RemovalReason | None = None
    assign_number: bool = False
    sanctioned: bool = False
    events: tuple[str, ...] = field(default_factory=tuple)

    @property
    def status_changed(self) -> bool:
        return self.before.status != self.after.status


class PremiumEvent(StrEnum):
    """What the rent-premium service is told (rules.md section 8)."""

    REGISTERED = "REGISTERED"
    REMOVED = "REMOVED"
    OFFER_ACCEPTED = "OFFER_ACCEPTED"
    SANCTIONED = "SANCTIONED"


def _label(state: DossierState) -> str:
    return f"Dossier {state.number}" if state.number else "Dit dossier"


def _name(state: DossierState) -> str:
    """The dossier as the object of a Dutch sentence."""
    return f"dossier {state.number}" if state.number else "dit dossier"


def _check_guard(guard: Guard, state: DossierState, on: date) -> None:
    if guard is Guard.NO_OFFER_BLOCK:
        if state.offer_block_until is not None and on < state.offer_block_until:
            raise RuleViolation(
                "AANBODBLOKKERING",
                f"{_label(state)} heeft een aanbodblokkering tot "
                f"{state.offer_block_until:%d/%m/%Y} na een ongegronde weigering of "
                "niet-reactie; tot dan kan geen enkele verhuurder een aanbod doen.",
            )
    elif guard is Guard.HAS_NUMBER:
        if not state.number:
            raise RuleViolation(
                "GEEN_DOSSIERNUMMER",
                "Dit dossier heeft nog geen nummer: gebruik RJCT om de inschrijving te weigeren.",
            )
    elif guard is Guard.HAS_NO_NUMBER:
        if state.number:
            raise RuleViolation(
                "HEEFT_DOSSIERNUMMER",
                f"{_label(state)} heeft al een nummer: gebruik NCOMP om het te schrappen "
                "omdat het niet aan de voorwaarden voldoet.",
            )
    elif guard is Guard.ALL_ADULTS_CONFIRMED:
        if not state.all_adults_confirmed:
            raise RuleViolation(
                "DEELNAME_NIET_BEVESTIGD",
                "Niet alle meerderjarigen van het dossier hebben hun deelname bevestigd.",
            )
    elif guard is Guard.INACTIVE_TWO_YEARS and (
        state.last_activity is not None and on < add_years(state.last_activity, INACTIVITY_YEARS)
    ):
        raise RuleViolation(
            "NIET_INACTIEF",
            f"{_label(state)} had activiteit op {state.last_activity:%d/%m/%Y}; schrappen "
            f"wegens inactiviteit kan pas na twee jaar zonder activiteit.",
        )


def _refuse_party(action: Action, transition: Transition, state: DossierState) -> RuleViolation:
    if transition.who == frozenset({Party.OFFERING}):
        return RuleViolation(
            "NIET_AANBIEDENDE_VERHUURDER",
            f"Enkel de verhuurder die het aanbod deed, kan {action.value} registreren voor "
            f"{_name(state)}.",
        )
    if transition.who == frozenset({Party.PRIMARY}):
        return RuleViolation(
            "ENKEL_PRIMAIRE_VERHUURDER",
            f"Enkel de primaire verhuurder van {_name(state)} kan {action.value} uitvoeren.",
        )
    if Party.CANDIDATE in transition.who and not (
        transition.who & {Party.PRIMARY, Party.SECONDARY}
    ):
        return RuleViolation(
            "ENKEL_KANDIDAAT",
            f"Enkel de kandidaat-huurder (of de primaire verhuurder met een volmacht) kan "
            f"{action.value} uitvoeren.",
        )
    return RuleViolation(
        "ACTIE_NIET_TOEGELATEN_VOOR_ACTOR",
        f"U mag {action.value} niet uitvoeren op {_name(state)}.",
    )


def _refuse_status(action: Action, state: DossierState, actor: Actor) -> RuleViolation:
    if state.status == Status.OFFER and action == Action.OFFER:
        if actor.company is not None and actor.company == state.offer_company:
            return RuleViolation("AL_IN_AANBOD", f"{_label(state)} is al in aanbod bij u.")
        return RuleViolation(
            "IN_AANBOD_ELDERS",
            f"{_label(state)} is in aanbod bij een andere verhuurder.",
        )
    return RuleViolation(
        "ACTIE_NIET_TOEGELATEN_IN_STATUS",
        f"{action.value} kan niet voor {_name(state)} "
        f"in status {state.status.value} ({STATUS_LABELS_NL[state.status]}).",
    )


def transitions_for(action: Action) -> tuple[Transition, ...]:
    return tuple(t for t in TRANSITIONS if t.action == action)


def decide(
    action: Action,
    state: DossierState,
    actor: Actor,
    on: date,
    *,
    conditions_met: bool | None = None,
) -> Outcome:
    """Apply the rules of section 4 to ``action`` on ``state`` by ``actor`` on date ``on``.

    ``conditions_met`` is what the authentic sources say, for APP and ACTUA only.
    Raises :class:`RuleViolation` when the action is not allowed.
    """
    rows = transitions_for(action)
    if not rows:
        raise RuleViolation("ONBEKENDE_ACTIE", f"Onbekende actie {action}.")
    by_status = [t for t in rows if state.status in t.sources]
    if not by_status:
        raise _refuse_status(action, state, actor)
    capacity = parties(actor, state)
    allowed = [t for t in by_status if t.who & capacity]
    if not allowed:
        raise _refuse_party(action, by_status[0], state)
    # Rows of one action differ by guards only (RJCT/NCOMP); the first whose guards pass wins,
    # and when none passes, the first row's refusal explains why.
    violation: RuleViolation | None = None
    for transition in allowed:
        try:
            for guard in transition.guards:
                _check_guard(guard, state, on)
        except RuleViolation as exc:
            violation = violation or exc
            continue
        return _apply(transition, state, actor, on, conditions_met)
    assert violation is not None
    raise violation


def _apply(
    transition: Transition,
    state: DossierState,
    actor: Actor,
    on: date,
    conditions_met: bool | None,
) -> Outcome:
    effect = transition.effect
    target = transition.target
    reason = transition.removal_reason
    after = state
    sanctioned = False
    assign_number = False
    events: list[str] = []

    if effect is Effect.SUBMIT:
        if conditions_met is None:
            raise ValueError("APP needs what the sources say about the conditions")
        target = Status.REG if conditions_met else Status.CHKS
        assign_number = conditions_met
    elif effect is Effect.ACTUALISE:
        if conditions_met is None:
            raise ValueError("ACTUA needs what the sources say about the conditions")
        target = Status.REG if conditions_met else Status.CHKS
    elif effect is Effect.ASSIGN_NUMBER:
        assign_number = state.number is None
    elif effect is Effect.START_OFFER:
        after = replace(after, offer_company=actor.company)
    elif effect is Effect.END_OFFER:
        after = replace(after, offer_company=None)
        if transition.action == Action.ACC:
            events.append(PremiumEvent.OFFER_ACCEPTED)
    elif effect is Effect.SANCTION:
        sanctioned = True
        count = state.sanction_count + 1
        events.append(PremiumEvent.SANCTIONED)
        if count >= SANCTIONS_BEFORE_REMOVAL:
            target = Status.RJCT
            reason = RemovalReason.SECOND_SANCTION
            after = replace(after, offer_company=None, sanction_count=count)
        else:
            target = Status.REG
            after = replace(
                after,
                offer_company=None,
                sanction_count=count,
                offer_block_until=add_months(on, OFFER_BLOCK_MONTHS),
            )

    assert target is not None
    # Any way out of OFFER (including VOL, DEC, FRAUD during an offer) ends the offer.
    offer_company = after.offer_company if target == Status.OFFER else None
    after = replace(after, status=target, offer_company=offer_company)
    # An upheld appeal puts a removed, numbered dossier back on the list: the premium service,
    # which was told REMOVED, is told REGISTERED again (docs/decisions/0004).
    reinstated = state.status == Status.CHKO and target == Status.REG and state.number is not None
    if assign_number or reinstated:
        events.append(PremiumEvent.REGISTERED)
    # Only a numbered dossier was ever on the list the premium service knows.
    removed = target in (Status.RJCT, Status.RFSD) and state.status in ACTIVE_STATUSES
    if removed and state.number is not None:
        events.append(PremiumEvent.REMOVED)
    return Outcome(
        action=transition.action,
        transition=transition,
        before=state,
        after=after,
        effective_date=on,
        removal_reason=reason,
        assign_number=assign_number,
        sanctioned=sanctioned,
        events=tuple(events),
    )


def effective_date_refusal(on: date, today: date, last_status_change: date | None) -> str | None:
    """Why an action may not take effect on ``on``, in Dutch; None when it may.

    An action may be dated in the past (outcomes recorded after a freeze, rules.md section 6),
    never in the future, and never before the dossier's last status change: an outcome cannot
    precede the offer it answers (docs/decisions/0004).
    """
    if on > today:
        return "De datum van een actie kan niet in de toekomst liggen."
    if last_status_change is not None and on < last_status_change:
        return (
            f"De datum van de actie ({on:%d/%m/%Y}) ligt voor de laatste statuswijziging van "
            f"het dossier ({last_status_change:%d/%m/%Y})."
        )
    return None


def offer_block_active(state: DossierState, on: date) -> bool:
    return state.offer_block_until is not None and on < state.offer_block_until


def inactivity_deadline(last_activity: date) -> date:
    return add_years(last_activity, INACTIVITY_YEARS)


__all__ = [
    "TRANSITIONS",
    "Actor",
    "DossierState",
    "Effect",
    "Guard",
    "Outcome",
    "Party",
    "PremiumEvent",
    "RuleViolation",
    "Transition",
    "decide",
    "effective_date_refusal",
    "inactivity_deadline",
    "offer_block_active",
]
