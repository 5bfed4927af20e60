"""Date expressions resolved against the publication date; every value worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from sayso.dates import resolve
from sayso.pipeline import analyze

# Wednesday 16 July 2025.
PUBLISHED = date(2025, 7, 16)


@pytest.mark.parametrize(
    ("phrase", "value", "precision"),
    [
        ("July 10th", "2025-07-10", "day"),
        ("10 July 2023", "2023-07-10", "day"),
        ("July 10, 2023", "2023-07-10", "day"),
        ("2024-02-29", "2024-02-29", "day"),
        ("yesterday", "2025-07-15", "day"),
        ("today", "2025-07-16", "day"),
        ("tomorrow", "2025-07-17", "day"),
        ("overnight", "2025-07-15/2025-07-16", "day"),
        ("on Tuesday", "2025-07-15", "day"),
        ("on Wednesday", "2025-07-16", "day"),
        ("last Wednesday", "2025-07-09", "day"),
        ("next Monday", "2025-07-21", "day"),
        ("three days ago", "2025-07-13", "day"),
        ("two weeks ago", "2025-06-30/2025-07-06", "week"),
        ("earlier this week", "2025-07-14/2025-07-16", "week"),
        ("this week", "2025-07-14/2025-07-20", "week"),
        ("last week", "2025-07-07/2025-07-13", "week"),
        ("in June", "2025-06-01/2025-06-30", "month"),
        ("in late June", "2025-06-21/2025-06-30", "month"),
        ("early March 2024", "2024-03-01/2024-03-10", "month"),
        ("earlier this month", "2025-07-01/2025-07-16", "month"),
        ("last month", "2025-06-01/2025-06-30", "month"),
        ("last year", "2024-01-01/2024-12-31", "year"),
        ("in 2015", "2015-01-01/2015-12-31", "year"),
    ],
)
def test_resolve(phrase: str, value: str, precision: str) -> None:
    assert resolve(phrase, PUBLISHED) == (value, precision)


def test_a_date_without_a_year_is_not_put_after_publication() -> None:
    assert resolve("December 28", date(2025, 1, 3)) == ("2024-12-28", "day")
    assert resolve("January 5", date(2025, 1, 3)) == ("2025-01-05", "day")


def test_without_a_publication_date_relative_expressions_stay_unresolved() -> None:
    assert resolve("last Tuesday", None) == (None, None)
    assert resolve("July 10th", None) == (None, None)
    assert resolve("10 July 2023", None) == ("2023-07-10", "day")


def test_dates_in_the_record_with_offsets() -> None:
    text = (
        "The bridge was closed on Tuesday. Shelling overnight damaged two houses, and "
        "repairs that began in late June were halted three days ago."
    )
    analysis = analyze(text, published="2025-07-16")
    found = {d.text: (d.value, d.precision) for d in analysis.dates}
    assert found["on Tuesday"] == ("2025-07-15", "day")
    assert found["overnight"] == ("2025-07-15/2025-07-16", "day")
    assert found["three days ago"] == ("2025-07-13", "day")
    assert any(v == ("2025-06-21/2025-06-30", "month") for v in found.values())
    for expression in analysis.dates:
        assert text[expression.start : expression.end] == expression.text


def test_unresolvable_expression_is_kept_and_marked() -> None:
    analysis = analyze("The ceasefire held for a few days before the shelling resumed.")
    assert analysis.dates, "the expression is listed even without a publication date"
    assert all(d.value is None and d.precision is None for d in analysis.dates)
