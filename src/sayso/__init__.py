"""sayso: on whose say-so? Attribution chains and claims in news articles."""

from sayso.errors import InputError, SaysoError
from sayso.model import SCHEMA_VERSION, Analysis, Article, Attribution, Claim, Meta, Source, Span
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
