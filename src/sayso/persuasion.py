"""Persuasion techniques, frames and genre from one small fine-tuned encoder, run with onnxruntime.

The encoder (all-MiniLM-L6-v2 fine-tuned on PTC and SemEval-2023 frames/genre by
``scripts/train_persuasion.py``, quantised to int8) reads the article in windows of whole
sentences, never more than ``max_tokens`` word pieces each, so a text of any length is read
to its end. It gives every word piece a probability for each of the 14 PTC techniques, and
every window frame and genre scores, which are averaged over the article by window length.
Each word piece gets two readings: how likely it is to lie in a technique span (SemEval-2020
span identification), and which of the 14 PTC techniques it would be if it did (technique
classification). Spans are runs of pieces above the span threshold, named by the technique
most probable over the run.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from sayso.encoder import DATA_DIR, OnnxEncoder, Pieces, load_tokenizer, split_pieces
from sayso.errors import SaysoError
from sayso.model import Frame, Genre, Span, Technique
from sayso.taxonomy import FRAMES, GENRES, GROUP_OF, PTC_CLASSES, reason, semeval2023_name

MODEL_DIR = DATA_DIR / "persuasion"
WINDOWS_PER_BATCH = 16


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


def technique_spans(text: str, reading: Reading, threshold: float) -> list[Technique]:
    """Runs of pieces whose span probability passes the threshold, each named by the
    technique most probable over the run; the score is the span probability times the
    technique's probability, both averaged over the run."""
    pieces = reading.pieces
    found = []
    for first, last in word_runs(pieces, reading.span_probs >= threshold):
        start, end = int(pieces.starts[first]), int(pieces.ends[last - 1])
        classes = reading.class_probs[first:last].mean(axis=0)
        best = int(classes.argmax())
        score = round(float(reading.span_probs[first:last].mean() * classes[best]), 3)
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


def span_class_scores(reading: Reading, start: int, end: int) -> np.ndarray:
    """Mean technique probabilities of the pieces inside [start, end): how the model would
    label a span given to it (SemEval-2020's technique-classification task)."""
    pieces = reading.pieces
    inside = (pieces.starts < end) & (pieces.ends > start)
    if not inside.any():
        return np.zeros(len(PTC_CLASSES))
    return reading.class_probs[inside].mean(axis=0)


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
        technique_spans(text, reading, model.span_threshold),
        article_frames(reading, model.frame_threshold),
        article_genre(reading),
    )
