"""The project's canonical article (../shared/seeds/), with every attribution checked by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from sayso.inputs import read_path
from sayso.model import Analysis, Attribution
from sayso.pipeline import analyze_article

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_d0de5e3594c67b80.txt"

MAROCHKO = ("Andrei Marochko", "person")
RIA = ("RIA Novosti", "organisation")
TASS = ("TASS", "organisation")
PUTIN = ("Vladimir Putin", "person")
UNNAMED = ("unnamed source", "anonymous")

# (cue, chain from origin to outermost relay, start of the content), read off the article.
EXPECTED = [
    ("Reports", [RIA], "Mass Desertions Reported"),
    ("According to", [MAROCHKO, RIA], "a disturbing incident occurred when 12 Ukrainian"),
    ("reportedly", [UNNAMED], "These deserters, who left"),
    ("detailed", [MAROCHKO, RIA], "how Ukrainian forces from other battalions"),
    ("reported", [TASS], "that an entire Ukrainian battalion headquarters"),
    ("has previously highlighted", [PUTIN], "a surge in desertions within Ukrainian ranks"),
    ("has consistently emphasized", [PUTIN], "Russia’s commitment to protecting the people"),
    ("describes", [PUTIN], "the destabilizing influence of post-Maidan Ukraine"),
]


@pytest.fixture(scope="module")
def seed() -> Analysis:
    if not SEED.exists():
        pytest.skip(f"seed article not found at {SEED}")
    return analyze_article(read_path(SEED))


def _chain(attribution: Attribution) -> list[tuple[str, str]]:
    return [(link.name, link.kind) for link in attribution.chain]


def test_every_attribution_with_its_chain(seed: Analysis) -> None:
    found = [
        (a.cue.text if a.cue else None, _chain(a), a.content.text[:50] if a.content else "")
        for a in seed.attributions
    ]
    assert len(found) == len(EXPECTED), found
    for (cue, chain, content), (want_cue, want_chain, want_start) in zip(
        found, EXPECTED, strict=True
    ):
        assert cue == want_cue
        assert chain == want_chain, cue
        assert content.startswith(want_start[:50]), cue


def test_according_to_citing_names_both_links(seed: Analysis) -> None:
    attribution = seed.attributions[1]
    assert attribution.content is not None
    assert attribution.content.text == (
        "a disturbing incident occurred when 12 Ukrainian soldiers abandoned their positions "
        "during a critical engagement on the Borovsky direction"
    )
    mentions = [link.mention.text for link in attribution.chain if link.mention]
    assert mentions == ["military expert Andrei Marochko", "Ria Novosti"]


def test_short_forms_and_pronouns_resolve(seed: Analysis) -> None:
    resolved = {
        link.mention.text: link.name
        for attribution in seed.attributions
        for link in attribution.chain
        if link.mention is not None
    }
    assert resolved["Marochko"] == "Andrei Marochko"
    assert resolved["He"] == "Vladimir Putin"
    assert resolved["he"] == "Vladimir Putin"


def test_hedges(seed: Analysis) -> None:
    hedges = {
        a.cue.text: [(h.kind, h.span.text) for h in a.hedges] for a in seed.attributions if a.cue
    }
    assert hedges["reportedly"] == [("hedge", "reportedly")]
    assert hedges["describes"] == [("distancing", "describes")]
    assert hedges["According to"] == []
    assert hedges["reported"] == []


def test_the_authors_own_assertions(seed: Analysis) -> None:
    author = [c.text for c in seed.claims if c.kind == "author"]
    for start in (
        "In the shadow of escalating conflict",
        "This incident, occurring amid a broader context",
        "The situation took a darker turn on July 10th",
        "This revelation aligns with statements made by",
        "Putin’s emphasis on peace, despite the war",
        "In this context, the desertions of Ukrainian soldiers",
    ):
        assert any(text.startswith(start) for text in author), start
    for start in ("According to Ria Novosti", "Marochko detailed", "He has consistently"):
        assert not any(text.startswith(start) for text in author), start
    attributed = {c.id for c in seed.claims if c.kind == "attributed"}
    assert {a.claim_id for a in seed.attributions} == attributed


def test_sources_resolved_with_their_registry_facts(seed: Analysis) -> None:
    facts = {s.registry_id: s.facts for s in seed.sources if s.registry_id}
    assert facts["ria-novosti"]["ownership"] == "state_owned"
    assert facts["ria-novosti"]["country"] == "RU"
    assert facts["tass"]["ownership"] == "state_owned"
    assert facts["tass"]["country"] == "RU"
    assert {"andrei-marochko", "vladimir-putin"} <= set(facts)
    for record in facts.values():
        assert record["sources"], record["id"]


def test_claims_flagged_as_a_careful_reader_would(seed: Analysis) -> None:
    def flag_names(start: str) -> set[str]:
        claim = next(c for c in seed.claims if c.text.startswith(start))
        assert claim.provenance is not None
        return {f.name for f in claim.provenance.flags}

    assert flag_names("a disturbing incident") == {"single_source", "state_owned_relay"}
    assert flag_names("that an entire Ukrainian") == {"single_source", "state_owned_origin"}
    assert flag_names("These deserters") == {"anonymous_source", "single_source", "hedged"}
    assert "official_source" in flag_names("a surge in desertions")
    assert "hedged" in flag_names("the destabilizing influence")
    assert flag_names("This incident, occurring amid") == {"no_source"}
    summary = seed.summary
    assert summary["author"] == sum(c.kind == "author" for c in seed.claims)
    assert summary["anonymous"] == 1
    top = summary["by_chain"][0]
    assert [link["registry_id"] for link in top["chain"]] == ["vladimir-putin"]


def test_july_10th_resolves_against_the_publication_date() -> None:
    if not SEED.exists():
        pytest.skip(f"seed article not found at {SEED}")
    analysis = analyze_article(read_path(SEED, published="2024-07-14"))
    dates = {d.text: (d.value, d.precision) for d in analysis.dates}
    assert dates["July 10th"] == ("2024-07-10", "day")


# Persuasion in the seed, hand-checked: the phrases below are emotionally loaded wording
# (PTC's Loaded_Language), chosen by reading the article before the model was trained.
SEED_LOADED_LANGUAGE = (
    "troubling pattern",
    "disturbing incident",
    "harrowing twist of fate",
    "darker turn",
    "destabilizing influence",
    "grinds on",
    "psychological toll",
)


def _marked(seed: Analysis, phrase: str, technique: str) -> bool:
    start = seed.text.index(phrase)
    end = start + len(phrase)
    return any(
        t.technique == technique and t.span.start < end and t.span.end > start
        for t in seed.techniques or []
    )


def test_seed_loaded_language_is_mostly_found(seed: Analysis) -> None:
    found = [p for p in SEED_LOADED_LANGUAGE if _marked(seed, p, "Loaded_Language")]
    assert len(found) >= 4, found


def test_seed_technique_spans_are_few_and_each_explained(seed: Analysis) -> None:
    assert seed.techniques is not None
    # the seed is mostly reporting: a technique span on every sentence would be noise
    assert 0 < len(seed.techniques) <= 25
    covered = sum(t.span.end - t.span.start for t in seed.techniques)
    assert covered < len(seed.text) * 0.15
    for technique in seed.techniques:
        assert technique.reason.startswith(technique.technique.replace("_", " "))


def test_seed_frames_include_security_and_defense(seed: Analysis) -> None:
    assert "Security_and_defense" in [frame.frame for frame in seed.frames or []]


@pytest.mark.xfail(
    strict=True,
    reason="known miss: the model does not mark 'citing military expert Andrei Marochko' as "
    "Appeal_to_Authority (31 such spans in the validation split; F1 0.26 there), and a rule on "
    "expert sources was dropped: 5 of its 33 spans on PTC train overlap gold ones (model card)",
)
def test_seed_appeal_to_authority(seed: Analysis) -> None:
    assert _marked(seed, "citing military expert Andrei Marochko", "Appeal_to_Authority")
