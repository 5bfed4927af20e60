"""Claims clustered by meaning across a corpus, incrementally, each cluster with a verdict.

A claim joins the cluster of its most similar already-clustered claim when their sentence
embeddings have a cosine similarity of at least ``THRESHOLD``; otherwise it starts a cluster
of its own. Claims are taken in the order they were stored and never moved afterwards, so
running again after new articles arrive only places the new claims (and re-judges the
clusters they join). Candidates come from an approximate nearest-neighbour index (HNSW,
usearch) over the clustered claims, plus exact similarities within the batch being placed.

Claims shorter than ``MIN_WORDS`` words ("he said so", a dateline) are left unclustered:
their embeddings match too much to mean anything.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sayso.corroboration import assess
from sayso.embeddings import Embedder, default_embedder
from sayso.store import Store

# Cosine similarity at which two claims count as the same statement. Chosen on sentence
# pairs written for tests/test_clustering.py: paraphrases of one event score 0.70-0.95 with
# this model, different events in the same war 0.30-0.65.
THRESHOLD = 0.72
MIN_WORDS = 5
BATCH = 512
NEIGHBOURS = 8

Progress = Callable[[int, int], None]


@dataclass
class ClusterRun:
    """What one clustering run did."""

    placed: int = 0
    new_clusters: int = 0
    joined: int = 0
    skipped_short: int = 0
    seconds: float = 0.0


class _Index:
    """Nearest clustered claims: HNSW over their vectors, with each one's cluster."""

    def __init__(self, claims: np.ndarray, clusters: np.ndarray, vectors: np.ndarray) -> None:
        from usearch.index import Index

        self.index = Index(ndim=vectors.shape[1] if len(vectors) else 384, metric="cos")
        self.cluster_of: dict[int, int] = {}
        self.add(claims, clusters, vectors)

    def add(self, claims: np.ndarray, clusters: np.ndarray, vectors: np.ndarray) -> None:
        if len(claims):
            self.index.add(claims, vectors)
            self.cluster_of.update(zip(claims.tolist(), clusters.tolist(), strict=True))

    def nearest(self, vectors: np.ndarray) -> list[list[tuple[int, float]]]:
        """For each vector, up to NEIGHBOURS (claim id, cosine similarity), best first."""
        if not self.cluster_of or not len(vectors):
            return [[] for _ in range(len(vectors))]
        found = self.index.search(vectors, min(NEIGHBOURS, len(self.cluster_of)))
        keys = np.atleast_2d(found.keys)
        distances = np.atleast_2d(found.distances)
        return [
            [
                (int(key), 1.0 - float(distance))
                for key, distance in zip(row_keys, row_distances, strict=True)
                if int(key) in self.cluster_of
            ]
            for row_keys, row_distances in zip(keys, distances, strict=True)
        ]


def cluster_claims(
    store: Store,
    *,
    threshold: float = THRESHOLD,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
) -> ClusterRun:
    """Place every claim not yet clustered, batch by batch, one transaction per batch."""
    started = time.perf_counter()
    embedder = embedder or default_embedder()
    run = ClusterRun()
    pending = store.unclustered_claims()
    claims = [row for row in pending if len(row["text"].split()) >= MIN_WORDS]
    run.skipped_short = len(pending) - len(claims)
    index = _Index(*store.clustered_vectors())
    next_new = -1
    for start in range(0, len(claims), BATCH):
        batch = claims[start : start + BATCH]
        vectors = embedder.embed([row["text"] for row in batch])
        neighbours = index.nearest(vectors)
        within = vectors @ vectors.T
        placed: list[tuple[int, np.ndarray, int, float]] = []
        for row, claim in enumerate(batch):
            candidates = [
                (similarity, index.cluster_of[other]) for other, similarity in neighbours[row]
            ]
            candidates += [(float(within[row, e]), placed[e][2]) for e in range(row)]
            best = max(candidates, default=(0.0, 0), key=lambda candidate: candidate[0])
            if best[0] < threshold:
                best = (0.0, 0)
            if best[1] == 0:
                best = (1.0, next_new)
                next_new -= 1
                run.new_clusters += 1
            else:
                run.joined += 1
            placed.append((claim["id"], vectors[row], best[1], round(best[0], 4)))
        new_ids = store.add_to_clusters(placed, assess)
        ids = np.array([claim_id for claim_id, _, _, _ in placed], dtype=np.int64)
        clusters = np.array([new_ids.get(c, c) for _, _, c, _ in placed], dtype=np.int64)
        index.add(ids, clusters, vectors)
        run.placed += len(placed)
        if progress:
            progress(run.placed, len(claims))
    run.seconds = time.perf_counter() - started
    return run
