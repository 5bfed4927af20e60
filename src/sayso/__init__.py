"""sayso: on whose say-so? Attribution chains and claims in news articles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sayso.errors import InputError, SaysoError
from sayso.model import SCHEMA_VERSION, Analysis, Article, Attribution, Claim, Meta, Source, Span

if TYPE_CHECKING:
    from sayso.pipeline import analyze, analyze_article

__version__ = "0.1.0"

__all__ = [
    "SCHEMA_VERSION",
    "Analysis",
    "Article",
    "Attribution",
    "Claim",
    "InputError",
    "Meta",
    "SaysoError",
    "Source",
    "Span",
    "analyze",
    "analyze_article",
]


def __getattr__(name: str) -> Any:
    """``analyze`` and ``analyze_article`` load the pipeline (and spaCy) on first use, so that
    ``import sayso.persuasion`` and the other stages' modules stay light: the training scripts
    import them where spaCy is not installed."""
    if name in ("analyze", "analyze_article"):
        from sayso import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'sayso' has no attribute {name!r}")
