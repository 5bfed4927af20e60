"""Corpus mode at scale: ingest throughput with every core against one process, memory as the
corpus grows, the time to cluster claims, and store size per 1,000 articles.

Targets (issue 6): on 2 cores, at least 8 articles/s of typical news (about 600 words) for
the full analysis without techniques (``--fast``); peak memory flat as the corpus grows. The
single-process baseline runs in this process over the same articles (``analyze_article``,
``fast=True``, one at a time); ingest runs as the real ``sayso ingest`` command in a child
process, whose peak memory (with its workers') is read from the OS. A benchmark, not a test:
it prints numbers and exits 0.

    .venv/bin/python benchmarks/bench_ingest.py [--articles 200] [--claims 100000] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from sayso.clustering import cluster_claims
from sayso.embeddings import DIMENSIONS
from sayso.inputs import read_article
from sayso.model import SCHEMA_VERSION
from sayso.pipeline import analyze_article
from sayso.store import Store

REPO_ROOT = Path(__file__).resolve().parents[1]
POLNEAR = REPO_ROOT.parent / "shared" / "data" / "polnear"
TARGET_ARTICLES_PER_S = 8.0
TYPICAL_WORDS = 600


def corpus(articles: int) -> list[str]:
    """PolNeAR texts (train then dev, sorted), cut or joined to about 600 words each."""
    paths = sorted((POLNEAR / "train" / "text").glob("*.txt")) + sorted(
        (POLNEAR / "dev" / "text").glob("*.txt")
    )
    if not paths:
        raise SystemExit(f"bench_ingest: no PolNeAR texts under {POLNEAR}")
    words = " ".join(path.read_text(encoding="utf-8") for path in paths[: articles * 2]).split()
    texts = []
    for start in range(0, len(words), TYPICAL_WORDS):
        texts.append(" ".join(words[start : start + TYPICAL_WORDS]))
        if len(texts) == articles:
            break
    return texts


def write_jsonl(texts: list[str], path: Path, offset: int = 0) -> None:
    with path.open("w", encoding="utf-8") as out:
        for number, text in enumerate(texts):
            out.write(json.dumps({"id": f"a{offset + number}", "text": text}) + "\n")


def single_process(texts: list[str]) -> float:
    """Seconds for this process to analyse every text, one after another (``--fast``)."""
    analyze_article(read_article(texts[0]), fast=True)  # load the pipeline first
    start = time.perf_counter()
    for text in texts:
        analyze_article(read_article(text, check_language=False), fast=True).to_dict()
    return time.perf_counter() - start


def run_ingest(jsonl: Path, db: Path, jobs: int) -> dict[str, Any]:
    """Wall seconds and peak memory of one real `sayso ingest` run (children included)."""
    command = [
        sys.executable, "-m", "sayso.cli", "ingest", str(jsonl), "--db", str(db),
        "--fast", "--no-cluster", "--jobs", str(jobs),
    ]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "seconds": seconds,
        "returncode": done.returncode,
        "summary": done.stdout.strip().splitlines()[-1:] or [done.stderr.strip()[-300:]],
        # ru_maxrss of children is the largest single child's peak: one worker or the parent
        "largest_process_peak_mib": max(peak, before) / 1024,
    }


def clustering_time(claims: int, db: Path) -> dict[str, Any]:
    """Seconds to place ``claims`` claims, with random unit vectors standing in for the
    embedder (its own throughput is measured apart), so the index and the store are timed."""
    rng = np.random.default_rng(7)

    class StandIn:
        def embed(self, texts: list[str]) -> np.ndarray:
            vectors = rng.standard_normal((len(texts), DIMENSIONS)).astype(np.float32)
            return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    with Store.open(db) as store:
        record = {
            "schema_version": SCHEMA_VERSION, "text": "", "meta": {}, "attributions": [],
            "sources": [], "events": [], "claims": [],
        }  # fmt: skip
        per_article = 50
        for article in range(claims // per_article):
            text = f"synthetic article {article}"
            record = dict(record, text=text, claims=[
                {"id": f"c{n}", "kind": "author", "start": 0, "end": len(text),
                 "text": f"claim {n} of article {article} with enough words to cluster"}
                for n in range(per_article)
            ])  # fmt: skip
            store.add_article(record, source=f"synthetic-{article}")
        start = time.perf_counter()
        run = cluster_claims(store, embedder=StandIn())  # type: ignore[arg-type]
        return {"claims": run.placed, "seconds": time.perf_counter() - start}


def embedding_rate(texts: list[str]) -> float:
    from sayso.embeddings import default_embedder

    sentences = [s for text in texts for s in re.split(r"(?<=[.!?])\s+", text)][:2000]
    embedder = default_embedder()
    embedder.embed(sentences[:10])
    start = time.perf_counter()
    embedder.embed(sentences)
    return len(sentences) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    texts = corpus(args.articles * 2)
    first, both = texts[: args.articles], texts
    words = sum(len(text.split()) for text in first)
    results: dict[str, Any] = {"articles": len(first), "words": words, "jobs": args.jobs}
    results["single_process_s"] = single_process(first)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        write_jsonl(first, tmp / "first.jsonl")
        write_jsonl(both, tmp / "both.jsonl")
        results["ingest"] = run_ingest(tmp / "first.jsonl", tmp / "one.db", args.jobs)
        results["ingest_twice_as_many"] = run_ingest(tmp / "both.jsonl", tmp / "two.db", args.jobs)
        size = (tmp / "one.db").stat().st_size + sum(p.stat().st_size for p in tmp.glob("one.db-*"))
        results["store_mib_per_1000_articles"] = size / 2**20 * 1000 / len(first)
        results["clustering"] = clustering_time(args.claims, tmp / "claims.db")
    results["embedding_claims_per_s"] = embedding_rate(first)
    single_rate = len(first) / results["single_process_s"]
    ingest_rate = len(first) / results["ingest"]["seconds"]
    results["single_articles_per_s"] = single_rate
    results["ingest_articles_per_s"] = ingest_rate
    results["speed_up"] = ingest_rate / single_rate
    if args.json:
        print(json.dumps(results, indent=2))
    verdict = "meets" if ingest_rate >= TARGET_ARTICLES_PER_S else "MISSES"
    growth = (
        results["ingest_twice_as_many"]["largest_process_peak_mib"]
        / results["ingest"]["largest_process_peak_mib"]
    )
    print(
        "\n".join(
            [
                f"corpus: {len(first)} articles of about {TYPICAL_WORDS} words ({words:,} words)",
                f"single process (analyze_article, --fast): {single_rate:.2f} articles/s, "
                f"{words / results['single_process_s']:,.0f} words/s",
                f"sayso ingest --jobs {args.jobs} --fast (whole command, start-up included): "
                f"{ingest_rate:.2f} articles/s, {words / results['ingest']['seconds']:,.0f} "
                f"words/s; speed-up {results['speed_up']:.2f}x ({verdict} target >= "
                f"{TARGET_ARTICLES_PER_S:.0f} articles/s)",
                f"  {results['ingest']['summary'][0]}",
                f"peak memory of the largest process: {len(first)} articles "
                f"{results['ingest']['largest_process_peak_mib']:.0f} MiB, {len(both)} articles "
                f"{results['ingest_twice_as_many']['largest_process_peak_mib']:.0f} MiB "
                f"(x{growth:.2f} for twice the corpus)",
                f"store size: {results['store_mib_per_1000_articles']:.1f} MiB per 1,000 articles",
                f"clustering {results['clustering']['claims']:,} claims (index, placement, "
                f"verdicts, store; embeddings stood in): {results['clustering']['seconds']:.1f} s",
                f"embedding claims: {results['embedding_claims_per_s']:.0f} claims/s "
                f"(so {args.claims:,} claims embed in "
                f"{args.claims / results['embedding_claims_per_s']:.0f} s)",
            ]
        )
    )


if __name__ == "__main__":
    main()
