"""Sentence embeddings from all-MiniLM-L6-v2 (int8 ONNX), for clustering claims by meaning.

The model (exported by ``scripts/export_embedder.py``) pools and normalises inside its
graph, so an embedding is one row of unit length and the dot product of two rows is their
cosine similarity. Texts longer than ``MAX_PIECES`` word pieces are embedded from their
first ``MAX_PIECES`` pieces, as the original model was trained (claims are sentences).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

from sayso.encoder import DATA_DIR, OnnxEncoder, load_tokenizer
from sayso.errors import SaysoError

EMBEDDING_DIR = DATA_DIR / "embedding"
DIMENSIONS = 384
MAX_PIECES = 126
BATCH = 64


class EmbedderMissingError(SaysoError):
    """The sentence-embedding model is not installed."""


class Embedder:
    """Texts to unit vectors; one ONNX session, safe to share between threads."""

    def __init__(self, directory: Path = EMBEDDING_DIR, threads: int | None = None) -> None:
        model_file = directory / "model.onnx"
        if not model_file.exists():
            raise EmbedderMissingError(
                f"the sentence-embedding model is missing ({model_file}); reinstall sayso"
            )
        self.tokenizer = load_tokenizer()
        self.encoder = OnnxEncoder(model_file, threads)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """A (len(texts), 384) float32 array of unit vectors (zeros for an empty text)."""
        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        encoded = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        pieces = [encoding.ids[:MAX_PIECES] for encoding in encoded]
        # similar lengths together, so little of each batch is padding
        order = sorted((i for i, ids in enumerate(pieces) if ids), key=lambda i: len(pieces[i]))
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            (embedding,) = self.encoder.run([pieces[index] for index in rows])
            vectors[rows] = embedding
        return vectors


@cache
def default_embedder() -> Embedder:
    """The shipped model, loaded once per process."""
    return Embedder()
