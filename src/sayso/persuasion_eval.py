"""Scoring persuasion techniques and frames against PTC / SemEval gold files.

Formats: PTC articles are ``article<ID>.txt`` (title, blank line, one sentence a line);
technique labels are ``id<TAB>technique<TAB>start<TAB>end`` (character offsets, end
exclusive); frame and genre labels are ``id<TAB>label[,label...]``.

Span identification (SI) follows SemEval-2020 Task 11: spans of an article are merged where
they overlap, each predicted span earns the share of its length that gold spans cover
(precision) and each gold span the share covered by predictions (recall). Technique
classification (TC) labels each gold span as the task gives it: micro-F1 (which equals
accuracy when every gold label gets one guess) and macro-F1 over the 14 classes.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sayso.errors import GoldDataError
from sayso.persuasion import (
    PersuasionModel,
    article_frames,
    article_genre,
    default_model,
    span_class_scores,
    technique_spans,
)
from sayso.taxonomy import FRAMES, GENRES, PTC_CLASSES, SEMEVAL2023_TO_PTC

Progress = Callable[[int, int], None]

ARTICLE_FILE = re.compile(r"article(\d+)\.txt$")
SPLITS = ("train", "tune", "validation")


def split_of(article_id: str) -> str:
    """The fixed part of the training data an article belongs to: 20% ``validation`` (only
    ever scored), 10% ``tune`` (thresholds and the choice of epoch), the rest ``train``."""
    bucket = zlib.crc32(article_id.encode()) % 10
    return "validation" if bucket < 2 else "tune" if bucket == 2 else "train"


@dataclass
class GoldArticle:
    id: str
    text: str
    spans: list[tuple[str, int, int]] = field(default_factory=list)

    def sentences(self) -> list[tuple[int, int]]:
        """Character ranges of the article's non-empty lines (PTC: one sentence a line)."""
        ranges = []
        offset = 0
        for line in self.text.split("\n"):
            if line.strip():
                ranges.append((offset, offset + len(line)))
            offset += len(line) + 1
        return ranges


def read_ptc(
    articles_dir: Path, labels_file: Path | None = None, split: str | None = None
) -> list[GoldArticle]:
    """The articles of a PTC folder (optionally one ``split``) with their gold spans."""
    if not articles_dir.is_dir():
        raise GoldDataError(f"{articles_dir}: not a folder of article<ID>.txt files")
    articles = {}
    for path in sorted(articles_dir.iterdir()):
        match = ARTICLE_FILE.search(path.name)
        if match and (split is None or split_of(match.group(1)) == split):
            text = path.read_text(encoding="utf-8")
            articles[match.group(1)] = GoldArticle(match.group(1), text)
    if not articles:
        raise GoldDataError(f"{articles_dir}: no article<ID>.txt files" + _in_split(split))
    if labels_file is not None:
        for number, fields in _label_lines(labels_file, 4):
            article = articles.get(fields[0])
            if article is None:
                continue
            try:
                start, end = int(fields[2]), int(fields[3])
            except ValueError:
                raise GoldDataError(f"{labels_file}:{number}: offsets are not numbers") from None
            if fields[1] not in PTC_CLASSES:
                raise GoldDataError(f"{labels_file}:{number}: unknown technique {fields[1]!r}")
            if not 0 <= start < end <= len(article.text):
                raise GoldDataError(f"{labels_file}:{number}: span outside article {fields[0]}")
            article.spans.append((fields[1], start, end))
    return list(articles.values())


def _in_split(split: str | None) -> str:
    return f" in the {split} split" if split else ""


def _label_lines(path: Path, columns: int) -> Iterable[tuple[int, list[str]]]:
    if not path.is_file():
        raise GoldDataError(f"{path}: no such labels file")
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        fields = line.rstrip("\n").split("\t")
        if len(fields) != columns:
            raise GoldDataError(f"{path}:{number}: expected {columns} tab-separated fields")
        yield number, fields


def read_article_labels(path: Path, allowed: Sequence[str]) -> dict[str, set[str]]:
    """``id<TAB>label,label`` lines (frames or genre) as a set of labels per article id."""
    labels = {}
    for number, (article_id, value) in _label_lines(path, 2):
        names = {name.strip() for name in value.split(",") if name.strip()}
        unknown = names - set(allowed)
        if unknown:
            raise GoldDataError(f"{path}:{number}: unknown label(s) {', '.join(sorted(unknown))}")
        labels[article_id] = names
    return labels


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def span_scores(
    predicted: dict[str, list[tuple[int, int]]], gold: dict[str, list[tuple[int, int]]]
) -> dict[str, float]:
    """SemEval-2020 span identification: overlap-weighted precision, recall and F1."""
    precision_sum = recall_sum = 0.0
    predicted_count = gold_count = 0
    for article_id in set(predicted) | set(gold):
        mine = _merged(predicted.get(article_id, []))
        theirs = _merged(gold.get(article_id, []))
        predicted_count += len(mine)
        gold_count += len(theirs)
        for start, end in mine:
            for gold_start, gold_end in theirs:
                overlap = min(end, gold_end) - max(start, gold_start)
                if overlap > 0:
                    precision_sum += overlap / (end - start)
                    recall_sum += overlap / (gold_end - gold_start)
    precision = precision_sum / predicted_count if predicted_count else 0.0
    recall = recall_sum / gold_count if gold_count else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": _f1(precision, recall),
        "predicted_spans": predicted_count,
        "gold_spans": gold_count,
    }


def _f1(precision: float, recall: float) -> float:
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0


def label_scores(pairs: Iterable[tuple[set[str], set[str]]], labels: Sequence[str]) -> dict:
    """Micro- and macro-F1 of (gold labels, predicted labels) pairs, with per-label F1."""
    true_pos: dict[str, int] = defaultdict(int)
    gold_count: dict[str, int] = defaultdict(int)
    predicted_count: dict[str, int] = defaultdict(int)
    for gold, predicted in pairs:
        for label in gold:
            gold_count[label] += 1
        for label in predicted:
            predicted_count[label] += 1
        for label in gold & predicted:
            true_pos[label] += 1
    per_label = {}
    for label in labels:
        precision = true_pos[label] / predicted_count[label] if predicted_count[label] else 0.0
        recall = true_pos[label] / gold_count[label] if gold_count[label] else 0.0
        per_label[label] = {"f1": _f1(precision, recall), "gold": gold_count[label]}
    hits, predicted_total, gold_total = (
        sum(counts.values()) for counts in (true_pos, predicted_count, gold_count)
    )
    micro_p = hits / predicted_total if predicted_total else 0.0
    micro_r = hits / gold_total if gold_total else 0.0
    present = [label for label in labels if gold_count[label]]
    macro = sum(per_label[label]["f1"] for label in present) / len(present) if present else 0.0
    return {"micro_f1": _f1(micro_p, micro_r), "macro_f1": macro, "per_label": per_label}


def classification_pairs(
    article: GoldArticle, class_scores: Callable[[int, int], Sequence[float]]
) -> list[tuple[set[str], set[str]]]:
    """For each gold span: its gold techniques, and as many guesses ranked by the model."""
    by_span: dict[tuple[int, int], set[str]] = defaultdict(set)
    for technique, start, end in article.spans:
        by_span[(start, end)].add(technique)
    pairs = []
    for (start, end), techniques in sorted(by_span.items()):
        scores = class_scores(start, end)
        ranked = sorted(range(len(PTC_CLASSES)), key=lambda i: -scores[i])
        pairs.append((techniques, {PTC_CLASSES[i] for i in ranked[: len(techniques)]}))
    return pairs


def evaluate_techniques(
    articles: Sequence[GoldArticle],
    model: PersuasionModel | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """SI and TC scores of the model over gold articles (sentences: the articles' lines)."""
    model = model or default_model()
    predicted: dict[str, list[tuple[int, int]]] = {}
    gold: dict[str, list[tuple[int, int]]] = {}
    pairs = []
    found: dict[str, int] = defaultdict(int)
    for done, article in enumerate(articles, 1):
        reading = model.read(article.text, article.sentences())
        techniques = technique_spans(
            article.text, reading, model.span_threshold, model.span_merge_gap_words
        )
        for technique in techniques:
            found[SEMEVAL2023_TO_PTC[technique.technique]] += 1
        predicted[article.id] = [(t.span.start, t.span.end) for t in techniques]
        gold[article.id] = [(start, end) for _, start, end in article.spans]
        pairs += classification_pairs(
            article,
            lambda start, end, r=reading, t=article.text: span_class_scores(t, r, start, end),
        )
        if progress:
            progress(done, len(articles))
    return {
        "articles": len(articles),
        "span_identification": span_scores(predicted, gold),
        "technique_classification": label_scores(pairs, PTC_CLASSES),
        "predicted_spans_by_technique": dict(found),
    }


def evaluate_frames(
    articles: Sequence[GoldArticle],
    frame_labels: Path,
    genre_labels: Path | None = None,
    model: PersuasionModel | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Frame micro/macro-F1 (and genre) over the articles that have gold frames."""
    model = model or default_model()
    frames = read_article_labels(frame_labels, FRAMES)
    genres = read_article_labels(genre_labels, GENRES) if genre_labels else {}
    labelled = [article for article in articles if article.id in frames]
    if not labelled:
        raise GoldDataError(f"{frame_labels}: no labels for any of the articles given")
    frame_pairs = []
    genre_pairs = []
    for done, article in enumerate(labelled, 1):
        reading = model.read(article.text, article.sentences())
        chosen = {frame.frame for frame in article_frames(reading, model.frame_threshold)}
        frame_pairs.append((frames[article.id], chosen))
        if article.id in genres:
            genre_pairs.append((genres[article.id], {article_genre(reading).label}))
        if progress:
            progress(done, len(labelled))
    scores: dict[str, Any] = {
        "articles": len(labelled),
        "frames": label_scores(frame_pairs, FRAMES),
    }
    if genre_pairs:
        scores["genre"] = label_scores(genre_pairs, GENRES)
    return scores


def format_technique_report(scores: dict[str, Any]) -> str:
    spans = scores["span_identification"]
    classes = scores["technique_classification"]
    lines = [
        f"articles: {scores['articles']}   gold spans: {spans['gold_spans']}   "
        f"predicted spans: {spans['predicted_spans']}",
        f"span identification (SemEval-2020 SI): P {spans['precision']:.3f}  "
        f"R {spans['recall']:.3f}  F1 {spans['f1']:.3f}",
        f"technique classification (SemEval-2020 TC, gold spans): micro-F1 "
        f"{classes['micro_f1']:.3f}  macro-F1 {classes['macro_f1']:.3f}",
        "per technique (F1, gold count):",
    ]
    for label, row in classes["per_label"].items():
        lines.append(f"  {label:<38} {row['f1']:.3f}  {row['gold']:>5}")
    return "\n".join(lines)


def format_label_report(title: str, scores: dict[str, Any]) -> str:
    lines = [f"{title}: micro-F1 {scores['micro_f1']:.3f}  macro-F1 {scores['macro_f1']:.3f}"]
    for label, row in scores["per_label"].items():
        lines.append(f"  {label:<46} {row['f1']:.3f}  {row['gold']:>5}")
    return "\n".join(lines)


__all__ = [
    "FRAMES",
    "GENRES",
    "SPLITS",
    "GoldArticle",
    "classification_pairs",
    "evaluate_frames",
    "evaluate_techniques",
    "format_label_report",
    "format_technique_report",
    "label_scores",
    "read_article_labels",
    "read_ptc",
    "span_scores",
    "split_of",
]
