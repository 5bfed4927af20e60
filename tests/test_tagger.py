"""The learned taggers: label decoding, feature alignment, and the shipped models' behaviour."""

from __future__ import annotations

from spacy.tokens import Doc

from sayso import tagger
from sayso.pipeline import load_pipeline
from sayso.spans import clause_without


def parse(text: str) -> Doc:
    nlp = load_pipeline()
    with nlp.select_pipes(disable=["sayso_attribution"]):
        return nlp(text)


def test_spans_from_labels_reads_bio_runs() -> None:
    labels = ["O", "B-CON", "I-CON", "B-SRC", "I-CON", "B-CON", "O", "I-SRC"]
    assert tagger.spans_from_labels(labels, 10, "CON") == [(11, 13), (14, 15), (15, 16)]
    # An I- label that does not continue its role starts a span.
    assert tagger.spans_from_labels(labels, 10, "SRC") == [(13, 14), (17, 18)]


def test_feature_rows_align_with_tokens() -> None:
    doc = parse("The minister said the talks had failed. “We tried,” he added.")
    base = tagger.token_features(doc)
    assert len(base) == len(doc)
    sent = next(iter(doc.sents))
    assert len(tagger.cue_sequence(base, doc, sent.start, sent.end)) == len(sent)
    cue = [t.i for t in doc if t.text == "said"]
    window = tagger.role_window(list(doc.sents), doc[cue[0]])
    assert (window.sent_start, window.end) == (0, len(doc))
    rows = tagger.role_sequence(base, doc, cue, window)
    assert len(rows) == window.end - window.start
    said_row = rows[cue[0] - window.start]
    assert "rel=cue" in said_row and "cue=say" in said_row


def test_in_quote_feature() -> None:
    doc = parse("He said “we tried” and left.")
    flags = {t.text: row[9] for t, row in zip(doc, tagger.token_features(doc), strict=True)}
    assert flags["we"] == "q=True" and flags["left"] == "q=False"


def test_shipped_cue_tagger_finds_speech_verbs() -> None:
    doc = parse("The minister said the talks had failed, and the union warned of strikes.")
    cues = [
        " ".join(doc[i].text for i in cue)
        for cue in tagger.predict_cues(doc, tagger.token_features(doc), list(doc.sents))
    ]
    assert "said" in cues and "warned" in cues


def test_shipped_role_tagger_finds_source_and_content() -> None:
    doc = parse("The minister said the talks had failed.")
    cue = [t.i for t in doc if t.text == "said"]
    base = tagger.token_features(doc)
    sources, contents = tagger.predict_roles(doc, base, list(doc.sents), cue)
    assert [doc[a:b].text for a, b in sources] == ["The minister"]
    assert [doc[a:b].text.rstrip(".") for a, b in contents] == ["the talks had failed"]


def test_cue_root_is_the_cue_token_highest_in_the_tree() -> None:
    doc = parse(
        "Officials said on Monday that the bridge, which had been closed since May, "
        "would reopen, according to a statement the city released."
    )
    for start in range(len(doc)):
        for end in range(start + 1, min(len(doc), start + 6) + 1):
            cue = list(range(start, end))
            expected = min((doc[i] for i in cue), key=lambda t: len(list(t.ancestors)))
            assert tagger.cue_root(doc, cue) == expected, [t.text for t in doc[start:end]]


def test_clause_without_matches_the_subtree_definition() -> None:
    doc = parse(
        "The minister, who spoke in Kyiv on Monday, said the bridge would reopen, and "
        "officials, citing the ministry, confirmed it, according to a statement."
    )
    for head in doc:
        subtree = [t.i for t in head.subtree]
        for child in head.children:
            excluded = {t.i for t in child.subtree}
            kept = [i for i in subtree if i not in excluded]
            expected = None
            if kept:
                start = end = head.i
                while start - 1 in kept:
                    start -= 1
                while end + 1 in kept:
                    end += 1
                expected = (start, end + 1)
            assert clause_without(head, excluded) == expected, (head.text, child.text)


def test_role_window_is_bounded_in_a_run_on_sentence() -> None:
    doc = parse(" ".join(["the farmers said the river rose"] * 120))
    sentences = list(doc.sents)
    cue_head = doc[len(doc) // 2]
    window = tagger.role_window(sentences, cue_head)
    assert window.end - window.start <= 2 * tagger.MAX_ROLE_REACH + 1
    assert window.start <= cue_head.i < window.end
