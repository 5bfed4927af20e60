"""Scoring against brat gold: parsing, hand-computed scores, relation rules, real PolNeAR."""

from __future__ import annotations

from pathlib import Path

import pytest

from sayso.errors import GoldDataError
from sayso.evaluate import (
    GoldAttribution,
    GoldDocument,
    evaluate_attribution,
    load_gold,
    score,
    score_document,
)
from sayso.model import Attribution, Span

POLNEAR_DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "polnear" / "dev"

# Offsets: "Mr. Smith" 0-9, "said" 10-14, "the plan\nfailed" 15-30, '"It is over,"' 32-45,
# "Jones" 46-51, "said" 52-56, '"and we know it."' 58-75.
TEXT = 'Mr. Smith said the plan\nfailed. "It is over," Jones said, "and we know it."\n'

FIRST_ANNOTATOR = (
    "T1\tSource 0 9\tMr. Smith\n"
    "T2\tCue 10 14\tsaid\n"
    "T3\tContent 15 30\tthe plan\nfailed\n"
    "T4\tAttribution 10 14\tsaid\n"
    "E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3\n"
    'T5\tContent 32 45;58 75\t"It is over," "and we know it."\n'
    "T6\tSource 46 51\tJones\n"
    "T7\tCue 52 56\tsaid\n"
    "T8\tAttribution 52 56\tsaid\n"
    "E2\tAttribution:T8 Content:T5 Cue:T7 Source:T6\n"
    "#1\tAnnotatorNotes T5\tquote split by its cue\n"
    "T9\tDiscard 0 3\tMr.\n"
)
SECOND_ANNOTATOR = FIRST_ANNOTATOR.split("T5\t")[0]


def write_article(root: Path, stem: str, text: str, annotations: dict[str, str]) -> None:
    (root / "text").mkdir(parents=True, exist_ok=True)
    (root / "attributions").mkdir(exist_ok=True)
    (root / "text" / f"{stem}.txt").write_text(text, encoding="utf-8", newline="")
    for annotator, ann in annotations.items():
        path = root / "attributions" / f"{stem}_{annotator}.ann"
        path.write_text(ann, encoding="utf-8")


@pytest.fixture
def gold_dir(tmp_path: Path) -> Path:
    root = tmp_path / "dev"
    write_article(
        root, "wire_2016_story", TEXT, {"bbbb": SECOND_ANNOTATOR, "aaaa": FIRST_ANNOTATOR}
    )
    return root


Bounds = tuple[int, int] | None


def attribution(source: Bounds, cue: Bounds, content: Bounds) -> Attribution:
    def span(bounds: Bounds) -> Span | None:
        return None if bounds is None else Span.of(TEXT, *bounds)

    return Attribution("a", span(source), span(cue), span(content), [], "direct")


def offsets(*fragments: tuple[int, int]) -> frozenset[int]:
    return frozenset(i for start, end in fragments for i in range(start, end))


SMITH = attribution((0, 9), (10, 14), (15, 30))
JONES_HULL = attribution((46, 51), (52, 56), (32, 75))


# ---------------------------------------------------------------------------- loading


def test_load_gold_reads_first_annotator_with_discontinuous_and_multiline_spans(gold_dir):
    [document] = load_gold(gold_dir)
    assert (document.name, document.annotator, document.text) == ("wire_2016_story", "aaaa", TEXT)
    smith, jones = document.attributions
    assert smith.content == offsets((15, 30))
    assert smith.content_span.text == "the plan\nfailed"
    assert jones.content == offsets((32, 45), (58, 75))
    assert jones.content_span.fragments == ((32, 45), (58, 75))
    assert (jones.source, jones.cue) == (offsets((46, 51)), offsets((52, 56)))
    assert document.mismatched_spans() == 0


def test_metadata_names_the_first_annotator(gold_dir):
    (gold_dir.parent / "metadata.tsv").write_text(
        "compartment\tfilename\tannotators\ndev\twire_2016_story\tbbbb|aaaa\n", encoding="utf-8"
    )
    [document] = load_gold(gold_dir)
    assert document.annotator == "bbbb"
    assert len(document.attributions) == 1


def test_extra_content_joins_content_and_trigger_stands_in_for_missing_cue(tmp_path):
    text = "Taxes will rise, officials hinted, and prices too."
    ann = (
        "T1\tAttribution-no-source 27 33\thinted\n"
        "T2\tContent 0 15\tTaxes will rise\n"
        "T3\tContent 35 49\tand prices too\n"
        "E1\tAttribution-no-source:T1 Content:T2 Content2:T3\n"
    )
    write_article(tmp_path, "story", text, {"cccc": ann})
    [gold] = load_gold(tmp_path)[0].attributions
    assert gold.source is None
    assert gold.cue == offsets((27, 33))
    assert gold.content == offsets((0, 15), (35, 49))
    assert gold.content_span.text == "Taxes will rise and prices too"


def test_whitespace_at_span_edges_is_trimmed(tmp_path):
    text = "He said  hello "
    ann = (
        "T1\tCue 3 7\tsaid\n"
        "T2\tContent 7 15\t  hello \n"
        "T3\tAttribution 3 7\tsaid\n"
        "E1\tAttribution:T3 Cue:T1 Content:T2\n"
    )
    write_article(tmp_path, "story", text, {"a": ann})
    [document] = load_gold(tmp_path)
    assert document.attributions[0].content == offsets((9, 14))
    predicted = Attribution("a", None, Span(3, 7, "said"), Span.of(text, 8, 15), [], "direct")
    counts = score_document([predicted], document)
    assert counts.roles["content"].exact == 1
    assert document.mismatched_spans() == 0


def test_limit_keeps_the_first_documents(gold_dir):
    write_article(gold_dir, "zz_later", "Nothing here.", {"aaaa": ""})
    assert [d.name for d in load_gold(gold_dir, limit=1)] == ["wire_2016_story"]
    assert len(load_gold(gold_dir)) == 2


@pytest.mark.parametrize("layout", ["missing", "no_texts", "no_annotation"])
def test_unusable_gold_directory_raises(tmp_path, layout):
    if layout != "missing":
        (tmp_path / "text").mkdir()
        (tmp_path / "attributions").mkdir()
    if layout == "no_annotation":
        (tmp_path / "text" / "story.txt").write_text("Hello.", encoding="utf-8")
    with pytest.raises(GoldDataError):
        load_gold(tmp_path)


def test_bad_offsets_raise(tmp_path):
    write_article(tmp_path, "story", "Hello.", {"a": "T1\tSource one 5\tHello\n"})
    with pytest.raises(GoldDataError, match="bad offsets"):
        load_gold(tmp_path)


# ---------------------------------------------------------------------------- scores


def test_perfect_prediction_scores_one(gold_dir):
    (gold_dir.parent / "metadata.tsv").write_text(
        "filename\tannotators\nwire_2016_story\tbbbb\n", encoding="utf-8"
    )
    report = score([([SMITH], load_gold(gold_dir)[0])])
    figures = report.to_dict()
    for role in ("source", "cue", "content"):
        for kind in ("exact", "overlap"):
            assert figures["roles"][role][kind] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert figures["relation"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert (report.n_documents, report.n_gold, report.n_predicted) == (1, 1, 1)


def test_partial_contents_get_proportional_credit(gold_dir):
    """Smith's content "the plan" (8 of 15 gold characters); Jones's the 43-character hull
    of a 30-character split quote."""
    half_smith = attribution((0, 9), (10, 14), (15, 23))
    report = score([([half_smith, JONES_HULL], load_gold(gold_dir)[0])])
    content = report.roles["content"]
    assert content.exact.f1 == 0.0
    assert content.overlap.precision == pytest.approx((8 / 8 + 30 / 43) / 2)  # 73/86
    assert content.overlap.recall == pytest.approx((8 / 15 + 30 / 30) / 2)  # 23/30
    precision, recall = 73 / 86, 23 / 30
    assert content.overlap.f1 == pytest.approx(2 * precision * recall / (precision + recall))
    assert report.roles["source"].exact.f1 == 1.0
    assert report.relation.f1 == 1.0


def test_micro_average_sums_over_documents(gold_dir):
    [document] = load_gold(gold_dir)
    report = score([([SMITH], document), ([], document)])
    assert (report.n_documents, report.n_gold, report.n_predicted) == (2, 4, 1)
    assert report.relation.precision == 1.0
    assert report.relation.recall == 0.25


# ---------------------------------------------------------------------------- relations

# Gold: content 15-30 (15 characters) said by "Mr. Smith" 0-9; a sourceless content 58-75.
RELATION_GOLD = GoldDocument(
    "story",
    TEXT,
    [
        GoldAttribution(offsets((0, 9)), offsets((10, 14)), offsets((15, 30))),
        GoldAttribution(None, None, offsets((58, 75))),
    ],
)


@pytest.mark.parametrize(
    ("source", "content", "hit"),
    [
        ((0, 9), (15, 23), True),  # overlap 8 of the longer 15: at least half
        ((0, 9), (15, 22), False),  # overlap 7 of 15
        ((0, 9), (15, 45), True),  # overlap 15 of the longer 30
        ((0, 9), (15, 47), False),  # overlap 15 of 32
        ((4, 9), (15, 30), True),  # "Smith" overlaps "Mr. Smith"
        ((46, 51), (15, 30), False),  # wrong source
        (None, (15, 30), False),  # source missing
        (None, (58, 75), True),  # both without source
        ((46, 51), (58, 75), False),  # source where gold has none
    ],
)
def test_relation_rules(source, content, hit):
    counts = score_document([attribution(source, None, content)], RELATION_GOLD)
    assert counts.relation_hits == int(hit)


def test_relations_match_one_to_one_by_largest_overlap():
    near = attribution((0, 9), None, (15, 28))
    exact = attribution((0, 9), None, (15, 30))
    counts = score_document([near, exact], RELATION_GOLD)
    assert counts.relation_hits == 1
    assert (counts.n_predicted, counts.n_gold) == (2, 2)


def test_evaluate_attribution_runs_on_each_text_and_reports_progress(gold_dir):
    seen: list[str] = []
    steps: list[tuple[int, int]] = []

    def analyze(text: str) -> list[Attribution]:
        seen.append(text)
        return [SMITH]

    report = evaluate_attribution(gold_dir, analyze, progress=lambda i, n: steps.append((i, n)))
    assert seen == [TEXT]
    assert steps == [(1, 1)]
    assert report.relation.recall == 0.5
    table = report.format()
    for label in ("source", "cue", "content", "relation", "0.500"):
        assert label in table


# ---------------------------------------------------------------------------- real data


def test_polnear_dev_loads_with_matching_offsets():
    if not POLNEAR_DEV.is_dir():
        pytest.skip(f"PolNeAR dev not found at {POLNEAR_DEV}")
    documents = load_gold(POLNEAR_DEV)
    assert len(documents) == 84
    assert sum(len(d.attributions) for d in documents) == 2193
    spans = sum(len(d.spans()) for d in documents)
    mismatched = sum(d.mismatched_spans() for d in documents)
    assert mismatched <= 0.01 * spans
