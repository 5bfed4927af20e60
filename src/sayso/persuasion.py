"""Persuasion techniques, frames and genre from one small fine-tuned encoder, run with onnxruntime.

The encoder (all-MiniLM-L6-v2 fine-tuned on PTC and SemEval-2023 frames/genre by
``scripts/train_persuasion.py``, quantised to int8) reads the article in windows of whole
sentences, never more than ``max_tokens`` word pieces each, so a text of any length is read
to its end. It gives every word piece a probability for each of the 14 PTC techniques, and
every window frame and genre scores, which are averaged over the article by window length.
Each word piece gets two readings: how likely it is to lie in a technique span (SemEval-2020
span identification), and which of the 14 PTC techniques it would be if it did (technique
classification). Spans are runs of pieces above the span threshold, cut back to their first
and last word, joined where a word or two of the same sentence separates them, and named by
the technique most probable on any of their pieces (Repetition where their wording recurs in
the article). These decoding choices were measured on the ``tune`` split only; see
docs/MODEL_CARD_PERSUASION.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from sayso.encoder import DATA_DIR, OnnxEncoder, Pieces, load_tokenizer, split_pieces
from sayso.errors import SaysoError
from sayso.model import Frame, Genre, Span, Technique
from sayso.taxonomy import FRAMES, GENRES, GROUP_OF, PTC_CLASSES, reason, semeval2023_name

MODEL_DIR = DATA_DIR / "persuasion"
WINDOWS_PER_BATCH = 16

# What may not lie between two spans that are joined: a sentence end or a line break.
SENTENCE_BREAK = re.compile(r"[.!?\n]")
WORD = re.compile(r"\w+")
# Wording that occurs this many times in the article is PTC's Repetition: that is the
# technique's definition (the same words again), and on ``tune`` a gold span whose words recur
# is Repetition more often than not (58 of 97), where the model alone rarely says so; asking
# for 3, 4 or 5 occurrences scored lower there. The model reads one window at a time, so it
# cannot see a repeat that lies in another window.
REPEATED_AT_LEAST = 2
REPETITION = PTC_CLASSES.index("Repetition")


class ModelMissingError(SaysoError):
    """The persuasion model files are not installed."""


@dataclass
class Reading:
    """What the model says of one text: for every piece, the probability that it lies in a
    technique span and, if it does, which technique; the article's frame and genre
    probabilities."""

    pieces: Pieces
    span_probs: np.ndarray  # (pieces,)
    class_probs: np.ndarray  # (pieces, len(PTC_CLASSES)), each row sums to 1
    frame_probs: np.ndarray  # (len(FRAMES),)
    genre_probs: np.ndarray  # (len(GENRES),)


def pack_windows(
    pieces: Pieces, sentences: Sequence[tuple[int, int]], max_pieces: int
) -> list[tuple[int, int]]:
    """Piece ranges [first, last) of whole consecutive sentences, each at most ``max_pieces``
    long; a sentence longer than that is cut into pieces of that length. Every piece falls
    in exactly one window."""
    bounds = [start for start, _ in sentences[1:]]
    # the index of the first piece of every sentence after the first
    cuts = np.searchsorted(pieces.starts, bounds, side="left").tolist()
    sentence_ranges = []
    previous = 0
    for cut in [*cuts, len(pieces)]:
        if cut > previous:
            sentence_ranges.append((previous, cut))
            previous = cut
    windows: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for first, last in sentence_ranges:
        while last - first > max_pieces:
            if current is not None:
                windows.append(current)
                current = None
            windows.append((first, first + max_pieces))
            first += max_pieces
        if current is not None and last - current[0] <= max_pieces:
            current = (current[0], last)
        else:
            if current is not None:
                windows.append(current)
            current = (first, last)
    if current is not None:
        windows.append(current)
    return windows


class PersuasionModel:
    """The ONNX encoder with its tokenizer and decoding settings (``metadata.json``)."""

    def __init__(self, directory: Path = MODEL_DIR, threads: int | None = None) -> None:
        model_file = directory / "model.onnx"
        if not model_file.exists():
            raise ModelMissingError(
                f"the persuasion model is missing ({model_file}); reinstall sayso, or run "
                "with --fast to skip techniques, frames and genre"
            )
        self.metadata: dict[str, Any] = json.loads((directory / "metadata.json").read_text())
        self.max_pieces = int(self.metadata["max_tokens"]) - 2
        self.span_threshold = float(self.metadata["span_threshold"])
        # tuned after training (model card); a model directory without it joins no spans
        gap = self.metadata.get("span_merge_gap_words")
        self.span_merge_gap_words = None if gap is None else int(gap)
        self.frame_threshold = float(self.metadata["frame_threshold"])
        self.tokenizer = load_tokenizer()
        self.encoder = OnnxEncoder(model_file, threads)

    def read(self, text: str, sentences: Sequence[tuple[int, int]]) -> Reading:
        """Run the encoder over the whole text, window by window."""
        pieces = split_pieces(self.tokenizer, text)
        # NaN until a window reads the piece: a piece no window covered would show
        span_logits = np.full(len(pieces), np.nan, dtype=np.float32)
        class_logits = np.full((len(pieces), len(PTC_CLASSES)), np.nan, dtype=np.float32)
        windows = pack_windows(pieces, sentences, self.max_pieces) if len(pieces) else []
        frame_logits = np.zeros(len(FRAMES))
        genre_probs = np.zeros(len(GENRES))
        for batch_start in range(0, len(windows), WINDOWS_PER_BATCH):
            batch = windows[batch_start : batch_start + WINDOWS_PER_BATCH]
            token_logits, frames, genres = self._run(pieces.ids, batch)
            for row, (first, last) in enumerate(batch):
                logits = token_logits[row, 1 : 1 + last - first]
                span_logits[first:last] = logits[:, 0]
                class_logits[first:last] = logits[:, 1:]
                frame_logits += frames[row] * (last - first)
                genre_probs += _softmax(genres[row]) * (last - first)
        if len(pieces):
            frame_logits /= len(pieces)
            genre_probs /= len(pieces)
        return Reading(
            pieces,
            _sigmoid(span_logits),
            _softmax(class_logits),
            _sigmoid(frame_logits),
            genre_probs,
        )

    def _run(
        self, ids: np.ndarray, windows: list[tuple[int, int]]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        token_logits, frame_logits, genre_logits = self.encoder.run(
            [ids[first:last] for first, last in windows]
        )
        return token_logits, frame_logits, genre_logits


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _softmax(x: np.ndarray) -> np.ndarray:
    """Softmax over the last axis."""
    shifted = np.exp(x - x.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def word_runs(pieces: Pieces, active: np.ndarray) -> list[tuple[int, int]]:
    """Runs [first, last) of active pieces, widened to whole words (pieces that touch)."""
    runs = []
    index = 0
    count = len(pieces)
    while index < count:
        if not active[index]:
            index += 1
            continue
        first = index
        while index < count and active[index]:
            index += 1
        while first > 0 and pieces.starts[first] == pieces.ends[first - 1]:
            first -= 1
        while index < count and pieces.starts[index] == pieces.ends[index - 1]:
            index += 1
        runs.append((first, index))
    return runs


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) without the punctuation and spaces at either end (empty if nothing else):
    word pieces take in the full stop, comma or quote marks around a phrase, while PTC's gold
    spans stop at the phrase's first and last letter or digit."""
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def merge_close_spans(
    text: str, spans: Sequence[tuple[int, int]], max_gap_words: int
) -> list[tuple[int, int]]:
    """Spans (in text order) joined where at most ``max_gap_words`` words and no sentence end
    lie between them. The span probability often dips on one word inside a phrase
    ("multimillion-dollar racketeering" came out as two spans), and SemEval-2020 precision
    counts every piece of a broken phrase as a span of its own."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged:
            gap = text[merged[-1][1] : start]
            if len(WORD.findall(gap)) <= max_gap_words and not SENTENCE_BREAK.search(gap):
                merged[-1] = (merged[-1][0], end)
                continue
        merged.append((start, end))
    return merged


def decode_spans(
    text: str, reading: Reading, threshold: float, max_gap_words: int | None = None
) -> list[tuple[int, int]]:
    """Character ranges of the technique spans: runs of whole words whose span probability
    passes the threshold, trimmed to their first and last word, and joined where at most
    ``max_gap_words`` words lie between them (None: never joined)."""
    pieces = reading.pieces
    trimmed = [
        trim_span(text, int(pieces.starts[first]), int(pieces.ends[last - 1]))
        for first, last in word_runs(pieces, reading.span_probs >= threshold)
    ]
    spans = [(start, end) for start, end in trimmed if end > start]
    if max_gap_words is None:
        return spans
    return merge_close_spans(text, spans, max_gap_words)


def technique_spans(
    text: str, reading: Reading, threshold: float, max_gap_words: int | None = None
) -> list[Technique]:
    """The decoded spans (``decode_spans``), each named by its best technique
    (``span_class_scores``); the score is the span probability averaged over the span's pieces
    times the technique's score."""
    pieces = reading.pieces
    found = []
    for start, end in decode_spans(text, reading, threshold, max_gap_words):
        inside = (pieces.starts < end) & (pieces.ends > start)
        classes = span_class_scores(text, reading, start, end)
        best = int(classes.argmax())
        score = round(min(1.0, float(reading.span_probs[inside].mean() * classes[best])), 3)
        span_text = text[start:end]
        technique, note = semeval2023_name(PTC_CLASSES[best], span_text)
        found.append(
            Technique(
                span=Span(start, end, span_text),
                technique=technique,
                group=GROUP_OF[technique],
                score=score,
                reason=reason(technique, score, note),
            )
        )
    return found


def recurs(text: str, start: int, end: int) -> bool:
    """Whether the words of [start, end) occur at least ``REPEATED_AT_LEAST`` times in the
    text as whole words, ignoring case and the punctuation at the span's ends."""
    start, end = trim_span(text, start, end)
    if start == end:
        return False
    pattern = re.compile(rf"(?<!\w){re.escape(text[start:end])}(?!\w)", re.IGNORECASE)
    return len(list(islice(pattern.finditer(text), REPEATED_AT_LEAST))) >= REPEATED_AT_LEAST


def span_class_scores(text: str, reading: Reading, start: int, end: int) -> np.ndarray:
    """How the model would label a span given to it (SemEval-2020's technique
    classification): each technique's highest probability on any piece inside [start, end).
    The highest, not the mean: the word that carries a technique is often one of many in its
    span, and the mean let the others drown it (micro-F1 0.461 with the mean, 0.488 with the
    highest, on ``tune``). A span whose wording recurs in the text (``recurs``) gets Repetition
    just above its best score, so Repetition ranks first."""
    pieces = reading.pieces
    inside = (pieces.starts < end) & (pieces.ends > start)
    if not inside.any():
        return np.zeros(len(PTC_CLASSES))
    scores = reading.class_probs[inside].max(axis=0).astype(np.float64)
    if recurs(text, start, end):
        scores[REPETITION] = np.nextafter(scores.max(), np.inf)
    return scores


def article_frames(reading: Reading, threshold: float) -> list[Frame]:
    """The frames scored at or above the threshold, highest first."""
    frames = [
        Frame(name, round(float(score), 3))
        for name, score in zip(FRAMES, reading.frame_probs, strict=True)
        if score >= threshold
    ]
    return sorted(frames, key=lambda frame: -frame.score)


def article_genre(reading: Reading) -> Genre:
    scores = {name: round(float(p), 3) for name, p in zip(GENRES, reading.genre_probs, strict=True)}
    label = max(scores, key=scores.__getitem__)
    return Genre(label, scores[label], scores)


@cache
def default_model() -> PersuasionModel:
    """The shipped model, loaded once per process."""
    return PersuasionModel()


def find_persuasion(
    text: str, sentences: Sequence[tuple[int, int]], model: PersuasionModel | None = None
) -> tuple[list[Technique], list[Frame], Genre]:
    """Technique spans, frames and genre of one article; ``sentences`` are character ranges."""
    model = model or default_model()
    reading = model.read(text, sentences)
    return (
        technique_spans(text, reading, model.span_threshold, model.span_merge_gap_words),
        article_frames(reading, model.frame_threshold),
        article_genre(reading),
    )
