"""Train the cue and role CRFs of ``sayso.tagger`` on PolNeAR's training split.

    .venv/bin/python scripts/train_taggers.py ../shared/data/polnear/train

Writes ``src/sayso/data/cue_tagger.crfsuite`` and ``role_tagger.crfsuite``. Only the training
split is read; the dev split stays untouched for ``sayso eval attribution``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pycrfsuite
from spacy.tokens import Doc

from sayso import tagger
from sayso.evaluate import GoldAttribution, load_gold
from sayso.pipeline import load_pipeline

DATA = Path(__file__).resolve().parents[1] / "src" / "sayso" / "data"
# L1 keeps the model small and drops rare features; calibrated on train only.
PARAMS = {"c1": 0.1, "c2": 0.01, "max_iterations": 150, "feature.possible_transitions": True}


def bio(flags: list[bool], role: str) -> list[str]:
    labels = []
    for k, flag in enumerate(flags):
        if not flag:
            labels.append("O")
        elif k > 0 and flags[k - 1]:
            labels.append("I-" + role)
        else:
            labels.append("B-" + role)
    return labels


def cue_labels(doc: Doc, gold: list[GoldAttribution], start: int, end: int) -> list[str]:
    """B-CUE/I-CUE per token; a new B where one gold cue ends and another begins."""
    owner: dict[int, int] = {}
    for number, attribution in enumerate(gold):
        for char in attribution.cue or ():
            owner.setdefault(char, number)
    labels = []
    previous = None
    for i in range(start, end):
        current = owner.get(doc[i].idx)
        if current is None:
            labels.append("O")
        else:
            labels.append("I-CUE" if current == previous else "B-CUE")
        previous = current
    return labels


def role_labels(doc: Doc, attribution: GoldAttribution, start: int, end: int) -> list[str]:
    source = attribution.source or frozenset()
    content = attribution.content or frozenset()
    labels = []
    for i in range(start, end):
        idx = doc[i].idx
        if idx in content:
            role = "CON"
        elif idx in source:
            role = "SRC"
        else:
            labels.append("O")
            continue
        same = labels and labels[-1] != "O" and labels[-1].endswith(role)
        labels.append(("I-" if same else "B-") + role)
    return labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("train_dir", type=Path)
    parser.add_argument("--limit", type=int, help="Use only the first N articles.")
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args()
    documents = load_gold(args.train_dir, limit=args.limit)
    nlp = load_pipeline()
    cue_trainer = pycrfsuite.Trainer(verbose=False)
    role_trainer = pycrfsuite.Trainer(verbose=False)
    started = time.time()
    with nlp.select_pipes(disable=["sayso_attribution"]):
        docs = nlp.pipe((d.text for d in documents), batch_size=16)
        for document, doc in zip(documents, docs, strict=True):
            base = tagger.token_features(doc)
            sentences = list(doc.sents)
            for sent in sentences:
                features = tagger.cue_sequence(base, doc, sent.start, sent.end)
                labels = cue_labels(doc, document.attributions, sent.start, sent.end)
                cue_trainer.append(features, labels)
            for attribution in document.attributions:
                cue = [t.i for t in doc if t.idx in (attribution.cue or ())]
                if not cue or attribution.content is None:
                    continue
                window = tagger.role_window(sentences, tagger.cue_root(doc, cue))
                role_trainer.append(
                    tagger.role_sequence(base, doc, cue, window),
                    role_labels(doc, attribution, window.start, window.end),
                )
    print(f"features built for {len(documents)} articles in {time.time() - started:.0f} s")
    for name, trainer in (("cue", cue_trainer), ("role", role_trainer)):
        started = time.time()
        trainer.set_params(PARAMS)
        path = args.out / f"{name}_tagger.crfsuite"
        trainer.train(str(path))
        size = path.stat().st_size / 1e6
        print(f"{name} tagger trained in {time.time() - started:.0f} s: {path} ({size:.1f} MB)")


if __name__ == "__main__":
    main()
