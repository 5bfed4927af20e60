"""Word lists the attribution rules rest on, kept as data in one place.

The cue-verb list is learned from the PolNeAR training split (``scripts/build_cue_lexicon.py``
writes ``data/cue_lemmas.tsv``); the rest are closed classes written by hand.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

# A lemma counts as a cue when at least this share of its training occurrences were cues
# and it occurred at least CUE_MIN_COUNT times (calibrated on PolNeAR train only).
CUE_MIN_SHARE = 0.3
CUE_MIN_COUNT = 3

# Lemmas frequent among PolNeAR's cues that are not acts of saying or believing
# (emotions caused, actions, intentions): kept out of the learned list by hand.
NON_SPEECH_LEMMAS = frozenset(
    """thrill startle infuriate anger horrify rattle alarm scar rouse zero tick spot sentence
    veto prohibit mandate devote dedicate pump heap peg mince single side distance pivot
    brush shrug seek aim strive prefer explore contemplate mull relish revere acquiesce balk
    spar dislike resist approve rule forward author title witness project seem appear
    congratulate thank press pressure push""".split()
)

# Heads of noun phrases that can speak besides people and organisations: documents and polls.
DOCUMENT_NOUNS = frozenset(
    """poll polls survey surveys report reports study studies data statement document documents
    letter tweet tweets video analysis record records memo filing lawsuit complaint ruling
    indictment court judge jury website post article editorial book email emails transcript
    figures numbers estimate estimates research findings results assessment campaign voters
    supporters protesters critics opponents residents citizens""".split()
)

# Nouns that cannot say anything: subjects that make a verb of saying the author's own words.
ABSTRACT_NOUNS = frozenset(
    """emphasis narrative idea move decision situation incident revelation development attack
    difference process tone key preference timeline power win playbook judgment fact trend
    pattern implication consequence context""".split()
)
ABSTRACT_SUFFIXES = ("ness", "ity", "ism", "ment", "tion", "sion")

# Verbs of saying that take a noun-phrase content ("emphasized Russia's commitment").
NP_CONTENT_VERBS = frozenset(
    """announce confirm deny admit acknowledge highlight emphasize emphasise stress underline
    reiterate predict promise pledge vow propose demand urge dispute reject question
    criticize criticise praise blame condemn describe call cite report detail outline claim
    allege mention reveal disclose insist recall""".split()
)

# Nouns that name an act of saying; with a possessor or "by" they form an attribution
# ("Putin's statement that ...", "claims by officials").
CUE_NOUNS = frozenset(
    """statement statements claim claims assertion assertions allegation allegations remark
    remarks warning warnings announcement announcements report reports comment comments
    accusation accusations insistence admission denial argument suggestion assessment
    testimony message words declaration promise pledge""".split()
)

# Verbs whose use signals that the author keeps a distance from what is reported.
DISTANCING_CUES = frozenset("""claim allege purport""".split())
# Cues that distance only in the form "what X describes as" / "what X calls".
WHAT_DISTANCING_CUES = frozenset("""describe call term label dub""".split())

# Adverbs and phrases that hedge a claim: the author does not vouch for it.
HEDGE_WORDS = frozenset(
    """reportedly allegedly purportedly supposedly apparently ostensibly seemingly rumoredly
    reputedly""".split()
)
HEDGE_PHRASES = ("so-called", "so called", "unconfirmed", "unverified")

# Heads of noun phrases that stand for a vague or anonymous source.
ANONYMOUS_NOUNS = frozenset(
    """source sources official officials expert experts analyst analysts observer observers
    witness witnesses resident residents insider insiders people person someone critics
    critic diplomat diplomats reports report media commentators commentator military
    authorities authority aide aides spokesperson spokesman spokeswoman investigators
    researchers scientists activists locals""".split()
)
# Determiners that keep such a noun phrase anonymous ("a source", "some officials").
INDEFINITE_DETERMINERS = frozenset("""a an some several many one two three few various""".split())

# Nominals that refer back to a named source, by the class of source they can refer to.
OUTLET_NOUNS = frozenset(
    """newspaper paper agency outlet channel broadcaster publication daily site website network
    magazine tabloid station""".split()
)
ORGANISATION_NOUNS = frozenset(
    """ministry department government army military office committee council party campaign
    company administration commission kremlin embassy organisation organization group
    service command headquarters parliament""".split()
)
PERSON_NOUNS = frozenset(
    """expert analyst president minister spokesman spokeswoman spokesperson official commander
    general leader senator governor candidate ambassador secretary chairman chairwoman chief
    lawmaker mayor prime premier author reporter journalist correspondent colonel lieutenant
    officer diplomat source""".split()
)
PERSON_PRONOUNS = frozenset("""he she him her his hers""".split())
PLURAL_PRONOUNS = frozenset("""they them their""".split())
FIRST_PERSON = frozenset("""i we me us my our""".split())

# Titles and roles written before a name; dropped from the resolved name of a person.
NAME_PREFIX_WORDS = frozenset(
    """mr mr. mrs mrs. ms ms. dr dr. prof prof. sir dame gen. gen col. col lt. lt sen. sen rep.
    rep gov. gov president minister expert analyst spokesman spokeswoman spokesperson
    commander general secretary senator governor ambassador chairman prime military
    political foreign defence defense deputy former chief colonel lieutenant""".split()
)


@cache
def cue_lemmas() -> dict[str, float]:
    """Verb lemmas that introduce attributions, with the share of uses that were cues."""
    table = resources.files("sayso").joinpath("data/cue_lemmas.tsv")
    lemmas: dict[str, float] = {}
    with table.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            share = float(row["share"])
            lemma = row["lemma"]
            if lemma in NON_SPEECH_LEMMAS:
                continue
            if share >= CUE_MIN_SHARE and int(row["cues"]) >= CUE_MIN_COUNT:
                lemmas[lemma] = share
    return lemmas
