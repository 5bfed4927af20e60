"""Provenance: sources linked to a registry, and the flags each claim gets, with evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from sayso import registry
from sayso.model import Analysis, Claim
from sayso.pipeline import analyze

RECORDS = """
- id: ria-novosti-test
  name: RIA Novosti
  aliases: [РИА Новости, Ria]
  domains: [ria.test]
  country: RU
  kind: news_agency
  ownership: state_owned
  owner: Rossiya Segodnya
  sources: [https://en.wikipedia.org/wiki/RIA_Novosti]
- id: marochko-test
  name: Andrei Marochko
  kind: person
  role: military expert
  country: RU
  sources: [https://en.wikipedia.org/wiki/Example]
- id: defence-ministry-test
  name: Ministry of Defence of Examplia
  kind: government_body
  country: EX
- id: spokesman-test
  name: Ivan Petrov
  kind: person
  role: spokesman of the Ministry of Defence of Examplia
  affiliation: defence-ministry-test
  country: EX
- id: gazette-test
  name: Valley Gazette
  domains: [valley-gazette.test]
  country: GB
  kind: newspaper
  ownership: private
  sources: [https://en.wikipedia.org/wiki/Example_Gazette]
"""

ARTICLE = (
    "Soldiers Leave Their Posts, Officials Say\n\n"
    "According to RIA Novosti, citing military expert Andrei Marochko, 12 soldiers abandoned "
    "their positions near the river. "
    "Ivan Petrov said the ministry had no record of the incident. "
    "Sources say the unit was withdrawn two days earlier. "
    "The attack was allegedly carried out by a volunteer battalion. "
    "The bridge over the river was closed on Tuesday."
)


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> registry.Registry:
    path = tmp_path_factory.mktemp("registry") / "test.yaml"
    path.write_text(RECORDS, encoding="utf-8")
    return registry.Registry(registry.read_file(path))


@pytest.fixture(scope="module")
def result(records: registry.Registry) -> Analysis:
    return analyze(ARTICLE, url="https://www.valley-gazette.test/news/1", registry=records)


def claim_starting(analysis: Analysis, start: str) -> Claim:
    return next(c for c in analysis.claims if c.text.startswith(start))


def flags(claim: Claim) -> dict[str, str]:
    assert claim.provenance is not None
    return {f.name: f.reason for f in claim.provenance.flags}


def test_chain_links_carry_registry_ids(result: Analysis) -> None:
    according = next(a for a in result.attributions if a.cue and a.cue.text == "According to")
    assert [(s.name, s.registry_id) for s in according.chain] == [
        ("Andrei Marochko", "marochko-test"),
        ("RIA Novosti", "ria-novosti-test"),
    ]


def test_state_owned_relay_names_country_owner_and_citation(result: Analysis) -> None:
    claim = claim_starting(result, "12 soldiers abandoned")
    assert claim.provenance is not None
    assert claim.provenance.origin is not None
    assert claim.provenance.origin.registry_id == "marochko-test"
    assert [r.registry_id for r in claim.provenance.relays] == ["ria-novosti-test"]
    reasons = flags(claim)
    assert "state_owned_origin" not in reasons
    assert reasons["state_owned_relay"] == (
        "RIA Novosti is state-owned (RU; owner: Rossiya Segodnya; "
        "per https://en.wikipedia.org/wiki/RIA_Novosti)"
    )
    assert "single_source" in reasons
    relay_flag = next(f for f in claim.provenance.flags if f.name == "state_owned_relay")
    assert relay_flag.evidence is not None and relay_flag.evidence.text == "RIA Novosti"


def test_official_source_through_affiliation(result: Analysis) -> None:
    reasons = flags(claim_starting(result, "the ministry had no record"))
    assert reasons["official_source"] == (
        "Ivan Petrov, spokesman of the Ministry of Defence of Examplia, speaks for "
        "Ministry of Defence of Examplia (EX)"
    )


def test_anonymous_and_hedged_claims(result: Analysis) -> None:
    assert "anonymous_source" in flags(claim_starting(result, "the unit was withdrawn"))
    hedged = flags(claim_starting(result, "The attack was allegedly"))
    assert hedged["hedged"] == "the article distances itself: 'allegedly' (hedge)"


def test_authors_own_claim_has_no_source(result: Analysis) -> None:
    claim = claim_starting(result, "The bridge over the river")
    assert flags(claim) == {
        "no_source": "the article states this on its own authority: no source is given"
    }


def test_every_flag_has_checkable_evidence(result: Analysis) -> None:
    for claim in result.claims:
        assert claim.provenance is not None
        for flag in claim.provenance.flags:
            assert flag.reason
            if flag.evidence is not None:
                span = flag.evidence
                assert result.text[span.start : span.end] == span.text


def test_outlet_from_the_url_and_named_sources(result: Analysis) -> None:
    assert result.meta.outlet_id == "gazette-test"
    linked = {s.registry_id: s for s in result.sources if s.registry_id}
    assert set(linked) >= {"ria-novosti-test", "marochko-test", "spokesman-test"}
    ria = linked["ria-novosti-test"]
    assert ria.facts is not None and ria.facts["ownership"] == "state_owned"
    assert [m.text for m in ria.mentions] == ["RIA Novosti"]


def test_unknown_sources_stay_visibly_unknown(records: registry.Registry) -> None:
    analysis = analyze("Interfax reported that three drones were shot down.", registry=records)
    link = analysis.attributions[0].chain[0]
    assert (link.name, link.registry_id, link.candidates) == ("Interfax", None, [])
    named = [s for s in analysis.sources if s.name == "Interfax"]
    assert named and named[0].registry_id is None and named[0].facts is None


def test_the_same_rules_for_every_side(tmp_path: Path) -> None:
    """Two mirror-image records get mirror-image flags: only the facts differ."""
    path = tmp_path / "mirror.yaml"
    path.write_text(
        "\n".join(
            f"- {{id: agency-{c.lower()}, name: Agency {c}, country: {c}, kind: news_agency, "
            f"ownership: state_owned, sources: [https://example.test/{c}]}}"
            for c in ("AA", "BB")
        ),
        encoding="utf-8",
    )
    mirror = registry.Registry(registry.read_file(path))
    reasons = []
    for code in ("AA", "BB"):
        text = f"Agency {code} reported that the bridge had been destroyed."
        claim = analyze(text, registry=mirror).claims[0]
        reasons.append(flags(claim)["state_owned_origin"].replace(code, "XX"))
    assert reasons[0] == reasons[1]


MIRRORED = [
    # (side A, side B): the same sentence with outlets, people and places swapped.
    (
        "TASS reported that a convoy had been destroyed near Kupiansk.",
        "Ukrinform reported that a convoy had been destroyed near Tokmak.",
    ),
    (
        "According to TASS, citing Sergei Lavrov, the talks had failed.",
        "According to Ukrinform, citing Andrii Sybiha, the talks had failed.",
    ),
    (
        "Sergei Lavrov told TASS that the talks had failed.",
        "Andrii Sybiha told Ukrinform that the talks had failed.",
    ),
    (
        "Sources in Moscow say the offensive has stalled.",
        "Sources in Kyiv say the offensive has stalled.",
    ),
]


@pytest.mark.parametrize(("side_a", "side_b"), MIRRORED)
def test_mirrored_sentences_get_mirrored_flags(side_a: str, side_b: str) -> None:
    """The same rules for every side: built-in records with the same facts give the same
    flags, and reasons that differ only in the names and countries swapped."""
    swaps = [
        ("TASS", "Ukrinform"),
        ("Sergei Lavrov", "Andrii Sybiha"),
        ("Sergey Lavrov", "Andrii Sybiha"),
        ("Moscow", "Kyiv"),
        ("Kupiansk", "Tokmak"),
        ("RU", "UA"),
        ("Russia", "Ukraine"),
    ]
    results = []
    for text in (side_a, side_b):
        analysis = analyze(text)
        claim = next(c for c in analysis.claims if c.kind == "attributed")
        assert claim.provenance is not None
        reasons = [(f.name, f.reason) for f in claim.provenance.flags]
        results.append(reasons)
    mirrored = []
    for name, reason in results[0]:
        for a, b in swaps:
            reason = reason.replace(a, b)
        mirrored.append((name, reason))
    assert [n for n, _ in results[0]] == [n for n, _ in results[1]]
    names_a = [n for n, _ in results[0]]
    assert names_a, side_a
    for (name, reason_a), (_, original_a), (_, reason_b) in zip(
        mirrored, results[0], results[1], strict=True
    ):
        if name in ("state_owned_origin", "state_owned_relay", "official_source"):
            # Owner, role and citation are each record's own words; the country must swap.
            assert "RU" in original_a and "UA" in reason_b, (original_a, reason_b)
        else:
            assert reason_a == reason_b, name


def test_web_addresses_in_the_text_link_by_domain(records: registry.Registry) -> None:
    text = (
        "The claim first appeared at https://news.ria.test/world/2025/123.html and was shared "
        "widely on Monday, then at www.ria.test."
    )
    analysis = analyze(text, registry=records)
    linked = [s for s in analysis.sources if s.registry_id == "ria-novosti-test"]
    assert len(linked) == 1
    assert [m.text for m in linked[0].mentions] == [
        "https://news.ria.test/world/2025/123.html",
        "www.ria.test",
    ]
