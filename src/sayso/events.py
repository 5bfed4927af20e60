"""Events: who did what to whom, where, when and how many, tied to the claim that reports it.

A trigger word ("deserted", "shelling", "drones ... drop explosive devices", "captured")
gives the event type in ACLED's taxonomy, extended with the kinds war news reports and ACLED
leaves out (desertion, surrender, prisoner exchange, mobilisation, sanctions). Actors are the
trigger's subject and object; place, date and quantities are those of the trigger's sentence.
Each event keeps the ``claim_id`` of the claim it comes from, so an event that only one
party reports stays that party's claim.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token
from spacy.tokens import Span as TokenSpan

from sayso.model import Claim, DateExpression, Event, Place, Span
from sayso.registry import normalise_name
from sayso.spans import doc_text

BATTLES = "Battles"
REMOTE = "Explosions/Remote violence"
CIVILIANS = "Violence against civilians"
PROTESTS = "Protests"
RIOTS = "Riots"
STRATEGIC = "Strategic developments"

# Trigger lemma -> (type, sub_type). Kept small and literal: a missed event beats an
# invented one.
TRIGGERS: dict[str, tuple[str, str]] = {
    "desert": (STRATEGIC, "Desertion"),
    "desertion": (STRATEGIC, "Desertion"),
    "abandon": (STRATEGIC, "Desertion"),
    "surrender": (STRATEGIC, "Surrender"),
    "capture": (STRATEGIC, "Capture of territory"),
    "seize": (STRATEGIC, "Capture of territory"),
    "shell": (REMOTE, "Shelling/artillery/missile attack"),
    "shelling": (REMOTE, "Shelling/artillery/missile attack"),
    "airstrike": (REMOTE, "Air/drone strike"),
    "bomb": (REMOTE, "Air/drone strike"),
    "clash": (BATTLES, "Armed clash"),
    "assault": (BATTLES, "Armed clash"),
    "protest": (PROTESTS, "Peaceful protest"),
    "riot": (RIOTS, "Violent demonstration"),
    "mobilise": (STRATEGIC, "Mobilisation"),
    "mobilize": (STRATEGIC, "Mobilisation"),
    "mobilisation": (STRATEGIC, "Mobilisation"),
    "mobilization": (STRATEGIC, "Mobilisation"),
    "sanction": (STRATEGIC, "Sanctions"),
}
# Words that turn a strike into a drone strike or a missile attack when in the same clause.
DRONE_WORDS = frozenset(("drone", "drones", "uav", "uavs"))
MISSILE_WORDS = frozenset(("missile", "missiles", "rocket", "rockets", "artillery"))
AIR_WORDS = frozenset(("air", "aircraft", "jets", "warplanes", "airstrikes", "bombers"))
STRIKE_LEMMAS = frozenset(("strike", "attack", "drop", "hit", "deploy", "launch"))
# Lemmas that need a second word in their clause: "killed ... civilians", "exchanged
# ... prisoners".
CIVILIAN_WORDS = frozenset(("civilian", "civilians", "residents", "villagers", "children"))
HARM_LEMMAS = frozenset(("kill", "execute", "shoot", "abduct", "torture", "wound"))
PRISONER_WORDS = frozenset(("prisoner", "prisoners", "pows", "captives", "detainees"))
EXCHANGE_LEMMAS = frozenset(("exchange", "swap", "trade", "release"))
# The triggers whose kind depends on the words around them.
CONTEXT_LEMMAS = STRIKE_LEMMAS | HARM_LEMMAS | EXCHANGE_LEMMAS
QUANTITY_WORDS = frozenset(("dozens", "hundreds", "thousands", "entire", "several"))


def find_events(
    doc: Doc,
    sentences: list[TokenSpan],
    claims: list[Claim],
    places: list[Place],
    dates: list[DateExpression],
) -> list[Event]:
    """Every event the article reports, in reading order."""
    text = doc_text(doc)
    events: list[Event] = []
    for sent in sentences:
        seen: set[tuple[str, str]] = set()
        for token in sent:
            kind = _event_kind(token, sent)
            if kind is None or kind in seen:
                continue
            event = _event(text, sent, token, kind, claims, places, dates)
            if token.pos_ == "NOUN" and not (event.location or event.date or event.quantities):
                # "the implications of these desertions": a noun that names no new event.
                continue
            seen.add(kind)
            events.append(event)
    return events


def _event_kind(token: Token, sent: TokenSpan) -> tuple[str, str] | None:
    lemma = token.lemma_.lower()
    if token.pos_ not in ("VERB", "NOUN"):
        return None
    if lemma not in CONTEXT_LEMMAS:
        return TRIGGERS.get(lemma)
    # the words around the trigger, read only for the few lemmas that need them: a long
    # run-on sentence makes the head's subtree most of the text
    words = {t.lower_ for t in token.subtree} | {t.lower_ for t in token.head.subtree}
    if lemma in STRIKE_LEMMAS:
        if words & DRONE_WORDS:
            return REMOTE, "Drone strike"
        if words & MISSILE_WORDS:
            return REMOTE, "Shelling/artillery/missile attack"
        if words & AIR_WORDS:
            return REMOTE, "Air/drone strike"
        return None
    if lemma in HARM_LEMMAS and words & CIVILIAN_WORDS:
        return CIVILIANS, "Attack"
    if lemma in EXCHANGE_LEMMAS and words & PRISONER_WORDS:
        return STRATEGIC, "Prisoner exchange"
    return TRIGGERS.get(lemma)


def _actor(token: Token | None) -> str | None:
    if token is None:
        return None
    left = token.left_edge.i
    words = [t for t in token.doc[left : token.i + 1] if not t.is_punct]
    return " ".join(t.text for t in words) or None


def _event(
    text: str,
    sent: TokenSpan,
    trigger: Token,
    kind: tuple[str, str],
    claims: list[Claim],
    places: list[Place],
    dates: list[DateExpression],
) -> Event:
    subject = next((c for c in trigger.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    obj = next((c for c in trigger.children if c.dep_ in ("dobj", "pobj")), None)
    if obj is None:
        prep = next((c for c in trigger.children if c.dep_ == "prep"), None)
        obj = next((c for c in prep.children if c.dep_ == "pobj"), None) if prep else None
    start, end = sent.start_char, sent.end_char
    in_sentence = [p for p in places if start <= p.start and p.end <= end and not _nationality(p)]
    location = min(in_sentence, key=_specificity, default=None)
    when = next((d for d in dates if start <= d.start and d.end <= end), None)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Event(
        type=kind[0],
        sub_type=kind[1],
        trigger=Span.of(text, trigger.idx, trigger.idx + len(trigger.text)),
        actor1=_actor(subject),
        actor2=_actor(obj),
        location=location,
        date=when,
        quantities=_quantities(text, sent),
        evidence=Span.of(text, start, end),
        claim_id=_claim_of(trigger, claims),
    )


def _nationality(place: Place) -> bool:
    """ "Russian President ...": a country named by its adjective says who, not where."""
    return place.kind == "country" and normalise_name(place.text) != normalise_name(place.name)


# Towns before counties before regions and areas before countries, unresolved names last.
SPECIFICITY = {"place": 0, "admin2": 1, "admin1": 2, "area": 2, "country": 3, "continent": 4}


def _specificity(place: Place) -> int:
    """How narrowly a place says where: the event takes the narrowest in its sentence."""
    return SPECIFICITY.get(place.kind or "", len(SPECIFICITY))


def _quantities(text: str, sent: TokenSpan) -> list[Span]:
    """ "12 Ukrainian soldiers", "an entire ... battalion headquarters", "dozens"."""
    found = []
    for token in sent:
        counted = token.dep_ == "nummod" or token.lower_ in QUANTITY_WORDS
        if not counted or token.ent_type_ in ("DATE", "TIME", "MONEY", "PERCENT", "ORDINAL"):
            continue
        head = token.head if token.dep_ in ("nummod", "amod") else token
        first = min(token.i, head.i)
        found.append(Span.of(text, sent.doc[first].idx, head.idx + len(head.text)))
    return found


def _claim_of(trigger: Token, claims: list[Claim]) -> str | None:
    """The innermost claim holding the trigger: an attributed content before the sentence."""
    holding = [c for c in claims if c.start <= trigger.idx < c.end]
    if not holding:
        return None
    return min(holding, key=lambda c: c.end - c.start).id
