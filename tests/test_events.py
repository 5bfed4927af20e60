"""Events with their type, actors, place, date, quantities and the claim they come from."""

from __future__ import annotations

from pathlib import Path

import pytest

from sayso.events import CIVILIANS, REMOTE, STRATEGIC
from sayso.inputs import read_path
from sayso.model import Analysis, Event
from sayso.pipeline import analyze, analyze_article

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_d0de5e3594c67b80.txt"


def chain_of(analysis: Analysis, event: Event) -> list[str]:
    attribution = next(a for a in analysis.attributions if a.claim_id == event.claim_id)
    return [link.name for link in attribution.chain]


@pytest.fixture(scope="module")
def seed() -> Analysis:
    if not SEED.exists():
        pytest.skip(f"seed article not found at {SEED}")
    return analyze_article(read_path(SEED, published="2024-07-14"))


def test_desertion_near_borova_rests_on_marochko_via_ria(seed: Analysis) -> None:
    event = next(e for e in seed.events if e.trigger.text == "abandoned")
    assert (event.type, event.sub_type) == ("Strategic developments", "Desertion")
    assert event.actor1 == "12 Ukrainian soldiers"
    assert [q.text for q in event.quantities] == ["12 Ukrainian soldiers"]
    assert event.location is not None and event.location.geonames_id == 711623
    assert chain_of(seed, event) == ["Andrei Marochko", "RIA Novosti"]


def test_battalion_headquarters_in_the_sumy_direction(seed: Analysis) -> None:
    event = next(e for e in seed.events if e.trigger.text == "deserted")
    assert event.actor1 == "an entire Ukrainian battalion headquarters"
    assert event.location is not None and event.location.name == "Sumy"
    assert event.date is not None and event.date.value == "2024-07-10"
    assert chain_of(seed, event) == ["TASS"]


def test_drone_attack_on_the_deserters(seed: Analysis) -> None:
    event = next(e for e in seed.events if e.sub_type == "Drone strike")
    assert event.type == "Explosions/Remote violence"
    assert event.actor1 == "Ukrainian forces"
    assert chain_of(seed, event) == ["Andrei Marochko", "RIA Novosti"]


@pytest.mark.parametrize(
    ("text", "type_", "sub_type"),
    [
        (
            "Russian artillery shelled Kherson overnight, the governor said.",
            "Explosions/Remote violence",
            "Shelling/artillery/missile attack",
        ),
        (
            "A missile attack hit Odesa on Monday, officials said.",
            "Explosions/Remote violence",
            "Shelling/artillery/missile attack",
        ),
        (
            "Drones struck an oil depot in Bryansk on Tuesday.",
            "Explosions/Remote violence",
            "Drone strike",
        ),
        ("Troops clashed near Kupiansk on Sunday.", "Battles", "Armed clash"),
        (
            "Forces captured the village of Robotyne last week.",
            "Strategic developments",
            "Capture of territory",
        ),
        (
            "Two hundred soldiers surrendered near Avdiivka, the ministry said.",
            "Strategic developments",
            "Surrender",
        ),
        ("Thousands of people protested in Tbilisi on Saturday.", "Protests", "Peaceful protest"),
        ("Rioters clashed with police in Marseille on Friday.", "Battles", "Armed clash"),
        ("Gunmen killed six civilians in a village near Mopti on Sunday.", CIVILIANS, "Attack"),
        ("Russia and Ukraine exchanged 95 prisoners on Thursday.", STRATEGIC, "Prisoner exchange"),
        (
            "Israeli jets carried out an air strike on Beirut on Tuesday.",
            REMOTE,
            "Air/drone strike",
        ),
        ("The EU imposed new sanctions on Iran on Monday.", STRATEGIC, "Sanctions"),
        (
            "The government announced it would mobilise 300,000 reservists.",
            "Strategic developments",
            "Mobilisation",
        ),
    ],
)
def test_event_types(text: str, type_: str, sub_type: str) -> None:
    events = analyze(text, published="2025-07-16").events
    assert [(e.type, e.sub_type) for e in events][:1] == [(type_, sub_type)]
    for event in events:
        assert text[event.evidence.start : event.evidence.end] == event.evidence.text


def test_no_event_in_a_plain_statement() -> None:
    assert analyze("The bridge over the river was closed for repairs.").events == []


def test_an_event_takes_the_town_rather_than_its_region() -> None:
    analysis = analyze(
        "Russian troops shelled Borova in the Kharkiv region on Monday, officials said."
    )
    (event,) = [e for e in analysis.events if e.trigger.text == "shelled"]
    assert event.location is not None
    assert (event.location.text, event.location.kind) == ("Borova", "place")
