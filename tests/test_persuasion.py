"""Persuasion techniques, frames and genre: windowing, decoding, taxonomy, scoring and the CLI.

Sample texts and PTC-format fixtures were written for these tests; expected scores are
computed by hand in the comments.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from sayso.cli import cli
from sayso.errors import GoldDataError
from sayso.persuasion import (
    MODEL_DIR,
    ModelMissingError,
    PersuasionModel,
    Pieces,
    Reading,
    decode_spans,
    default_model,
    merge_close_spans,
    pack_windows,
    recurs,
    span_class_scores,
    technique_spans,
    trim_span,
    word_runs,
)
from sayso.persuasion_eval import (
    GoldArticle,
    label_scores,
    read_article_labels,
    read_ptc,
    span_scores,
    split_of,
)
from sayso.pipeline import analyze
from sayso.taxonomy import (
    FRAMES,
    GROUP_OF,
    GROUPS,
    PTC_CLASSES,
    PTC_TO_SEMEVAL2023,
    SEMEVAL2023_TO_PTC,
    reason,
    semeval2023_name,
)


def _pieces(lengths: list[int]) -> Pieces:
    """Pieces of one character each, separated by spaces: "a a a ..."."""
    count = sum(lengths)
    starts = np.arange(count) * 2
    return Pieces(np.ones(count, dtype=np.int64), starts, starts + 1)


def _sentences(lengths: list[int]) -> list[tuple[int, int]]:
    bounds, first = [], 0
    for length in lengths:
        bounds.append((first * 2, (first + length) * 2 - 1))
        first += length
    return bounds


@pytest.mark.parametrize(
    "lengths", [[3, 4, 2, 6], [10], [25, 2], [1, 1, 1, 1, 1, 1, 1, 1], [4, 30, 4]]
)
def test_windows_cover_every_piece_once_and_keep_sentences_whole(lengths: list[int]) -> None:
    pieces = _pieces(lengths)
    windows = pack_windows(pieces, _sentences(lengths), max_pieces=8)
    covered = [i for first, last in windows for i in range(first, last)]
    assert covered == list(range(len(pieces)))
    assert all(0 < last - first <= 8 for first, last in windows)
    sentence_starts = np.cumsum([0, *lengths[:-1]]).tolist()
    for first, _ in windows:
        inside_long = any(
            start < first < start + length
            for start, length in zip(sentence_starts, lengths, strict=True)
            if length > 8
        )
        assert first in sentence_starts or inside_long


def test_sentences_are_packed_together_up_to_the_limit() -> None:
    # 3 + 4 fit in 8; 2 + 6 fit in 8
    windows = pack_windows(_pieces([3, 4, 2, 6]), _sentences([3, 4, 2, 6]), max_pieces=8)
    assert windows == [(0, 7), (7, 15)]


def test_word_runs_widen_to_whole_words() -> None:
    # "unbelievably bad": pieces un|believ|ably (touching) and bad
    pieces = Pieces(np.arange(4), np.array([0, 2, 8, 13]), np.array([2, 8, 12, 16]))
    assert word_runs(pieces, np.array([False, True, False, False])) == [(0, 3)]
    assert word_runs(pieces, np.array([False, False, False, True])) == [(3, 4)]
    assert word_runs(pieces, np.array([True, False, False, True])) == [(0, 3), (3, 4)]


def _reading(text: str, span_probs: dict[str, float], classes: dict[str, str]) -> Reading:
    """A hand-made reading of ``text``, one piece per word or punctuation mark: the span
    probability of each piece is looked up by its text (0.1 if absent), and a piece listed in
    ``classes`` gives that technique probability 0.9, others a flat 1/14."""
    matches = list(re.finditer(r"\w+|[^\w\s]", text))
    starts = np.array([m.start() for m in matches])
    ends = np.array([m.end() for m in matches])
    pieces = Pieces(np.arange(len(matches)), starts, ends)
    probs = np.array([span_probs.get(m.group(), 0.1) for m in matches])
    class_probs = np.full((len(matches), len(PTC_CLASSES)), 1 / len(PTC_CLASSES))
    for row, match in enumerate(matches):
        if match.group() in classes:
            class_probs[row] = 0.1 / (len(PTC_CLASSES) - 1)
            class_probs[row, PTC_CLASSES.index(classes[match.group()])] = 0.9
    return Reading(pieces, probs, class_probs, np.zeros(len(FRAMES)), np.ones(3) / 3)


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        ("“a total disaster,”", "a total disaster"),
        (" (so-called experts). ", "so-called experts"),
        ("'hoax' —", "hoax"),
        ("...", ""),
    ],
)
def test_trim_span_drops_punctuation_and_spaces_at_the_ends(span: str, expected: str) -> None:
    text = "He said " + span + " again"
    start = text.index(span)
    first, last = trim_span(text, start, start + len(span))
    assert text[first:last] == expected
    assert start <= first <= last <= start + len(span)


def test_close_spans_join_within_a_sentence_only() -> None:
    text = "a corrupt and lying elite. Vile traitors, all of them, shameless."

    def at(word: str) -> tuple[int, int]:
        return text.index(word), text.index(word) + len(word)

    corrupt, lying, elite, vile, traitors, shameless = (
        at(w) for w in ("corrupt", "lying", "elite", "Vile", "traitors", "shameless")
    )
    # one word ("and") between corrupt and lying; none between lying and elite; the full
    # stop keeps elite and Vile apart; "all of them" is three words, one more than allowed
    joined = merge_close_spans(text, [corrupt, lying, elite, vile, traitors, shameless], 2)
    assert [text[s:e] for s, e in joined] == [
        "corrupt and lying elite",
        "Vile traitors",
        "shameless",
    ]
    assert merge_close_spans(text, [corrupt, lying, traitors], 0) == [corrupt, lying, traitors]
    assert len(merge_close_spans(text, [traitors, shameless], 3)) == 1


def test_decoded_spans_are_trimmed_and_joined() -> None:
    text = "They call it “a hoax, a witch hunt.” Nothing more."
    # the comma is below the threshold, but "hoax," and "hunt.”" are widened to whole
    # (touching) pieces, as are the spans of real text
    probs = {"“": 0.8, "a": 0.6, "hoax": 0.9, ",": 0.2, "witch": 0.8, "hunt": 0.7}
    reading = _reading(text, probs, {})
    raw = decode_spans(text, reading, threshold=0.5)
    # never joined: the quote marks, comma and full stop are cut away, two spans remain
    assert [text[s:e] for s, e in raw] == ["a hoax", "a witch hunt"]
    joined = decode_spans(text, reading, threshold=0.5, max_gap_words=2)
    assert [text[s:e] for s, e in joined] == ["a hoax, a witch hunt"]
    # only a comma between them: joined even when no word may lie between
    assert decode_spans(text, reading, threshold=0.5, max_gap_words=0) == joined
    # the same reading with the threshold above every piece finds nothing
    assert decode_spans(text, reading, threshold=0.95, max_gap_words=2) == []


def test_recurs_counts_whole_words_ignoring_case() -> None:
    text = "Treason! They committed treason, and treasonous acts follow."
    assert recurs(text, 0, len("Treason!"))
    rest = "They committed"
    assert not recurs(text, text.index(rest), text.index(rest) + len(rest))
    # "treasonous" holds "treason" but is another word
    single = "Treasonous acts are rare. Acts of treason too."
    assert not recurs(single, 0, len("Treasonous"))


def test_span_technique_is_the_most_probable_on_any_piece_not_the_mean() -> None:
    # "evil" is sure of Name_Calling; the three other words lean to Doubt, enough to win the
    # mean (3 x 0.45 + 0.1/13 > 0.9 + 3 x 0.55/13) but not the maximum (0.45 < 0.9)
    text = "maybe perhaps possibly evil people"
    reading = _reading(text, {}, {"evil": "Name_Calling,Labeling"})
    doubt = PTC_CLASSES.index("Doubt")
    for row in range(3):
        reading.class_probs[row] = 0.55 / (len(PTC_CLASSES) - 1)
        reading.class_probs[row, doubt] = 0.45
    end = text.index("evil") + len("evil")
    assert PTC_CLASSES[int(reading.class_probs[:4].mean(axis=0).argmax())] == "Doubt"
    scores = span_class_scores(text, reading, 0, end)
    assert PTC_CLASSES[int(scores.argmax())] == "Name_Calling,Labeling"


def test_recurring_wording_ranks_repetition_first() -> None:
    text = "Treason, pure treason. The vote was held on Monday."
    reading = _reading(text, {"Treason": 0.9, "treason": 0.9}, {"treason": "Loaded_Language"})
    # the model is certain of Loaded_Language on "Treason": Repetition must still rank first
    reading.class_probs[0, PTC_CLASSES.index("Loaded_Language")] = 1.0
    scores = span_class_scores(text, reading, 0, len("Treason"))
    ranked = sorted(range(len(PTC_CLASSES)), key=lambda i: -scores[i])
    assert PTC_CLASSES[ranked[0]] == "Repetition"
    assert PTC_CLASSES[ranked[1]] == "Loaded_Language"
    # a span said once keeps the model's own scores ("vote" is one piece, the seventh)
    vote = text.index("vote")
    once = span_class_scores(text, reading, vote, vote + len("vote"))
    assert reading.pieces.starts[6] == vote
    assert np.array_equal(once, reading.class_probs[6])
    techniques = technique_spans(text, reading, threshold=0.5)
    assert [t.technique for t in techniques] == ["Repetition", "Repetition"]
    assert all(0 <= t.score <= 1 for t in techniques)


def test_taxonomy_has_23_techniques_in_6_groups_and_maps_every_ptc_class() -> None:
    assert len(GROUPS) == 6
    assert len(GROUP_OF) == 23
    assert set(PTC_TO_SEMEVAL2023) == set(PTC_CLASSES)
    for techniques in PTC_TO_SEMEVAL2023.values():
        assert all(t in GROUP_OF for t in techniques)
    assert SEMEVAL2023_TO_PTC["Casting_Doubt"] == "Doubt"
    assert len(FRAMES) == 14


@pytest.mark.parametrize(
    ("ptc", "text", "expected"),
    [
        ("Loaded_Language", "a brutal regime", "Loaded_Language"),
        ("Bandwagon,Reductio_ad_hitlerum", "a policy worthy of the Nazis", "Guilt_by_Association"),
        ("Bandwagon,Reductio_ad_hitlerum", "everyone agrees by now", "Appeal_to_Popularity"),
        ("Whataboutism,Straw_Men,Red_Herring", "But what about their own wars?", "Whataboutism"),
        ("Whataboutism,Straw_Men,Red_Herring", "They claim we want open borders", "Straw_Man"),
        ("Whataboutism,Straw_Men,Red_Herring", "Meanwhile, the weather was fine", "Red_Herring"),
    ],
)
def test_semeval2023_names(ptc: str, text: str, expected: str) -> None:
    assert semeval2023_name(ptc, text)[0] == expected


def test_reason_names_the_technique_its_definition_and_score() -> None:
    text = reason("Appeal_to_Popularity", 0.6123, "names no reviled group or figure")
    assert text.startswith("Appeal to Popularity: a claim held true because many agree")
    assert "0.61" in text and "reviled" in text


def test_span_scores_weigh_overlap() -> None:
    # predicted (5, 15) against gold (0, 10): 5 of 10 predicted characters are gold (P 0.5),
    # 5 of 10 gold characters are found (R 0.5)
    scores = span_scores({"a": [(5, 15)]}, {"a": [(0, 10)]})
    assert scores["precision"] == pytest.approx(0.5)
    assert scores["recall"] == pytest.approx(0.5)
    # overlapping predictions are merged first: (0, 4) + (2, 10) -> (0, 10), an exact match
    merged = span_scores({"a": [(0, 4), (2, 10)]}, {"a": [(0, 10)], "b": [(0, 5)]})
    assert merged["precision"] == pytest.approx(1.0)
    assert merged["recall"] == pytest.approx(0.5)  # article b's span is missed
    assert merged["predicted_spans"] == 1


def test_label_scores_micro_and_macro() -> None:
    pairs = [({"A"}, {"A"}), ({"A"}, {"B"}), ({"B"}, {"B"})]
    scores = label_scores(pairs, ["A", "B", "C"])
    # micro: 2 of 3 right -> 0.667; A: P 1 R .5 F .667; B: P .5 R 1 F .667; C has no gold
    assert scores["micro_f1"] == pytest.approx(2 / 3)
    assert scores["macro_f1"] == pytest.approx(2 / 3)
    assert scores["per_label"]["C"] == {"f1": 0.0, "gold": 0}


def test_split_is_fixed_and_roughly_70_10_20() -> None:
    ids = [str(n) for n in range(100_000, 102_000)]
    counts = {split: sum(split_of(i) == split for i in ids) for split in ("train", "tune")}
    assert 0.65 < counts["train"] / len(ids) < 0.75
    assert 0.07 < counts["tune"] / len(ids) < 0.13
    assert split_of("111111111") == split_of("111111111")


ARTICLE_1 = (
    "Town votes on park\n\nThe council will vote tonight.\nCritics call the plan a disaster.\n"
)
ARTICLE_2 = "Roads reopen\n\nAll roads reopened on Sunday after the storm.\n"


@pytest.fixture
def ptc_dir(tmp_path: Path) -> Path:
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "article1001.txt").write_text(ARTICLE_1)
    (articles / "article1002.txt").write_text(ARTICLE_2)
    start = ARTICLE_1.index("a disaster")
    (tmp_path / "techniques.labels").write_text(
        f"1001\tLoaded_Language\t{start + 2}\t{start + 10}\n"
        f"1001\tName_Calling,Labeling\t{start}\t{start + 10}\n"
    )
    (tmp_path / "frames.labels").write_text("1001\tPolitical\n1002\tQuality_of_life,Economic\n")
    (tmp_path / "genre.labels").write_text("1001\treporting\n1002\treporting\n")
    return tmp_path


def test_read_ptc_reads_articles_spans_and_sentences(ptc_dir: Path) -> None:
    articles = read_ptc(ptc_dir / "articles", ptc_dir / "techniques.labels")
    first = next(a for a in articles if a.id == "1001")
    assert [first.text[s:e] for _, s, e in first.spans] == ["disaster", "a disaster"]
    assert [first.text[s:e] for s, e in first.sentences()] == [
        "Town votes on park",
        "The council will vote tonight.",
        "Critics call the plan a disaster.",
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("1001\tHype\t0\t4", "unknown technique 'Hype'"),
        ("1001\tLoaded_Language\t0\t9999", "span outside article 1001"),
        ("1001\tLoaded_Language\tzero\t4", "offsets are not numbers"),
        ("1001\tLoaded_Language\t0", "expected 4 tab-separated fields"),
    ],
)
def test_bad_labels_name_file_and_line(ptc_dir: Path, line: str, message: str) -> None:
    labels = ptc_dir / "bad.labels"
    labels.write_text("1002\tLoaded_Language\t0\t5\n" + line + "\n")
    with pytest.raises(GoldDataError, match=f"bad.labels:2: {message}"):
        read_ptc(ptc_dir / "articles", labels)


def test_unknown_frame_is_refused(tmp_path: Path) -> None:
    labels = tmp_path / "frames.labels"
    labels.write_text("1\tPolitical,Sports\n")
    with pytest.raises(GoldDataError, match=r"unknown label.*Sports"):
        read_article_labels(labels, FRAMES)


def test_missing_model_tells_how_to_go_on(tmp_path: Path) -> None:
    with pytest.raises(ModelMissingError, match="--fast"):
        PersuasionModel(tmp_path)


def test_long_text_is_read_to_its_end() -> None:
    model = default_model()
    sentence = "The minister said the new bridge will be finished next spring. "
    text = sentence * 400 + "This is a shameful, disgusting betrayal of every decent citizen."
    sentences = []
    for start in range(0, len(text), len(sentence)):
        sentences.append((start, min(start + len(sentence) - 1, len(text))))
    reading = model.read(text, sentences)
    assert len(reading.pieces) > 10 * model.max_pieces
    # every piece got probabilities from a window: none is left at the initial NaN
    assert not np.isnan(reading.span_probs).any()
    assert not np.isnan(reading.class_probs).any()
    assert np.allclose(reading.class_probs.sum(axis=1), 1.0, atol=1e-3)
    assert reading.pieces.ends[-1] == len(text)


def test_fast_mode_leaves_persuasion_null_and_full_mode_fills_it() -> None:
    text = "Officials said on Monday that the bridge would reopen in May."
    fast = analyze(text, fast=True).to_dict()
    assert fast["techniques"] is None and fast["frames"] is None and fast["genre"] is None
    full = analyze(text).to_dict()
    assert isinstance(full["techniques"], list)
    assert isinstance(full["frames"], list)
    assert set(full["genre"]["scores"]) == {"reporting", "opinion", "satire"}
    assert sum(full["genre"]["scores"].values()) == pytest.approx(1.0, abs=0.01)


def test_every_technique_span_slices_the_text_and_carries_a_reason() -> None:
    text = (
        "The corrupt, power-hungry elite has betrayed our great nation once again. "
        "Everyone knows they are lying. Stop the invasion now, before it is too late!"
    )
    analysis = analyze(text)
    for technique in analysis.techniques or []:
        assert text[technique.span.start : technique.span.end] == technique.span.text
        assert GROUP_OF[technique.technique] == technique.group
        assert technique.reason.startswith(technique.technique.replace("_", " "))
        assert 0 <= technique.score <= 1


def test_eval_techniques_prints_both_tasks(ptc_dir: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "eval",
            "techniques",
            "--articles",
            str(ptc_dir / "articles"),
            "--labels",
            str(ptc_dir / "techniques.labels"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output[result.output.index("{") :])
    assert scores["articles"] == 2
    assert scores["span_identification"]["gold_spans"] == 1  # the two gold spans merge
    assert scores["technique_classification"]["per_label"]["Loaded_Language"]["gold"] == 1


def test_eval_scores_another_model_folder(ptc_dir: Path, tmp_path: Path) -> None:
    # The shipped model with a span threshold no probability reaches: no spans at all.
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.onnx").symlink_to(MODEL_DIR / "model.onnx")
    metadata = json.loads((MODEL_DIR / "metadata.json").read_text())
    (folder / "metadata.json").write_text(json.dumps(metadata | {"span_threshold": 1.01}))
    command = ["eval", "techniques", "--articles", str(ptc_dir / "articles")]
    command += ["--labels", str(ptc_dir / "techniques.labels"), "--json"]
    shipped = CliRunner().invoke(cli, command)
    silent = CliRunner().invoke(cli, [*command, "--model", str(folder)])
    assert shipped.exit_code == 0 and silent.exit_code == 0, silent.output
    spans = [
        json.loads(r.output[r.output.index("{") :])["span_identification"]["predicted_spans"]
        for r in (shipped, silent)
    ]
    assert spans[0] > 0 and spans[1] == 0
    missing = CliRunner().invoke(cli, [*command, "--model", str(tmp_path / "nowhere")])
    assert missing.exit_code != 0 and "does not exist" in missing.output


def test_eval_frames_prints_frames_and_genre(ptc_dir: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "eval",
            "frames",
            "--articles",
            str(ptc_dir / "articles"),
            "--labels",
            str(ptc_dir / "frames.labels"),
            "--genre-labels",
            str(ptc_dir / "genre.labels"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "articles: 2" in result.output
    assert "frames: micro-F1" in result.output and "genre: micro-F1" in result.output


def test_eval_techniques_refuses_bad_gold_in_one_line(ptc_dir: Path) -> None:
    labels = ptc_dir / "bad.labels"
    labels.write_text("1001\tHype\t0\t4\n")
    result = CliRunner().invoke(
        cli,
        ["eval", "techniques", "--articles", str(ptc_dir / "articles"), "--labels", str(labels)],
    )
    assert result.exit_code != 0
    assert "unknown technique 'Hype'" in result.output
    assert "Traceback" not in result.output


def test_gold_article_sentences_skip_blank_lines() -> None:
    article = GoldArticle("1", "Title\n\nOne.\n\nTwo.")
    assert [article.text[s:e] for s, e in article.sentences()] == ["Title", "One.", "Two."]
