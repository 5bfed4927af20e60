"""Sentence embeddings: unit vectors whose dot product ranks paraphrases above unrelated text.

Sentences written for these tests."""

from __future__ import annotations

import numpy as np
import pytest

from sayso.embeddings import DIMENSIONS, Embedder, EmbedderMissingError, default_embedder


def test_embeddings_are_unit_vectors_and_paraphrases_are_closest() -> None:
    texts = [
        "Twelve soldiers abandoned their positions near the village.",
        "A dozen troops deserted their posts close to the village.",
        "The central bank raised interest rates by half a point.",
    ]
    vectors = default_embedder().embed(texts)
    assert vectors.shape == (3, DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    similarity = vectors @ vectors.T
    assert similarity[0, 1] > 0.6
    assert similarity[0, 1] > similarity[0, 2] + 0.3


def test_batching_barely_changes_an_embedding() -> None:
    # int8 activations are scaled per batch, so a batch's other rows move a vector slightly
    texts = [f"Sentence number {n} about the harbour and its ships." for n in range(70)]
    texts[5] = "A much longer sentence " + "with many more words in it " * 10
    embedder = default_embedder()
    together = embedder.embed(texts)
    alone = embedder.embed([texts[5]])
    assert float(together[5] @ alone[0]) > 0.99


def test_empty_text_gives_a_zero_vector_and_long_text_is_cut() -> None:
    vectors = default_embedder().embed(["", "word " * 5000])
    assert not vectors[0].any()
    assert np.linalg.norm(vectors[1]) == pytest.approx(1.0, abs=1e-3)


def test_missing_model_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(EmbedderMissingError, match="missing"):
        Embedder(tmp_path)
