"""Evaluation gate: attribution quality on PolNeAR may not fall below pinned minimums.

The minimums sit a little under the figures measured when they were pinned (on the first 20
dev articles: relation F1 0.513, exact F1 source 0.649, cue 0.623, content 0.471), so that a
change that loses quality fails here instead of passing unnoticed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sayso.evaluate import evaluate_attribution
from sayso.model import Article
from sayso.pipeline import analyze_article

DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "polnear" / "dev"
ARTICLES = 20
MINIMUM = {"relation": 0.49, "source": 0.62, "cue": 0.60, "content": 0.44}


def test_attribution_quality_gate() -> None:
    if not DEV.exists():
        pytest.skip(f"PolNeAR dev data not found at {DEV}")
    report = evaluate_attribution(
        DEV,
        lambda text: analyze_article(Article(text=text), fast=True).attributions,
        limit=ARTICLES,
    )
    assert report.relation.f1 >= MINIMUM["relation"], report.format()
    for role in ("source", "cue", "content"):
        assert report.roles[role].exact.f1 >= MINIMUM[role], report.format()
