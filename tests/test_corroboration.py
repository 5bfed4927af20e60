"""Verdicts on claim clusters: designed cases of single origin, independent corroboration,
shared relays, citation loops, syndicated copies, contested and unattributed claims.

The outlets and people are only names here: the same rules apply to every side, so the
cases are mirrored where a side could matter."""

from __future__ import annotations

import pytest

from sayso.corroboration import (
    CIRCULAR,
    CONTESTED,
    CORROBORATED,
    SINGLE_ORIGIN,
    UNATTRIBUTED,
    Report,
    assess,
)

CLAIM = "twelve soldiers abandoned their positions near the village"


def link(name: str, registry_id: str | None = None, kind: str = "organisation") -> dict:
    return {"name": name, "kind": kind, "registry_id": registry_id}


def report(article: int, outlet: str, *chain: dict, **extra) -> Report:
    kind = "attributed" if chain else "author"
    return Report(
        claim=article * 10, article=article, text=CLAIM, kind=kind, chain=list(chain),
        outlet=outlet, **extra,
    )  # fmt: skip


def test_three_outlets_relaying_one_agency_rest_on_a_single_origin() -> None:
    agency = link("Agency North", "agency-north")
    reports = [report(n, name, agency) for n, name in enumerate(["Daily A", "Daily B", "Daily C"])]
    result = assess(reports)
    assert result.verdict == SINGLE_ORIGIN
    assert [o.name for o in result.origins] == ["Agency North"]
    assert "all 3 report(s) trace to one origin: Agency North" in result.reasons[0]
    assert "Daily A, Daily B, Daily C" in result.reasons[0]


@pytest.mark.parametrize("first", ["Ministry East", "Ministry West"])
def test_two_unrelated_origins_corroborate_whichever_side_comes_first(first: str) -> None:
    second = "Ministry West" if first == "Ministry East" else "Ministry East"
    reports = [report(1, "Paper One", link(first)), report(2, "Paper Two", link(second))]
    result = assess(reports)
    assert result.verdict == CORROBORATED
    assert result.reasons[0].startswith("2 origins with no common relay")
    assert first in result.reasons[0] and second in result.reasons[0]


def test_two_origins_through_one_relay_are_not_independent() -> None:
    relay = link("Agency North", "agency-north")
    reports = [
        report(1, "Paper One", link("Expert A", kind="person"), relay),
        report(2, "Paper Two", link("Official B", kind="person"), relay),
    ]
    result = assess(reports)
    assert result.verdict == SINGLE_ORIGIN
    assert "reach the corpus only through Agency North" in result.reasons[0]


def test_outlets_citing_each_other_are_circular() -> None:
    reports = [
        report(1, "Site One", link("Site Two")),
        report(2, "Site Two", link("Site One")),
        report(3, "Paper Three", link("Site One")),
    ]
    result = assess(reports)
    assert result.verdict == CIRCULAR
    assert "loop" in result.reasons[0]
    assert "Site One" in result.reasons[0] and "Site Two" in result.reasons[0]


def test_a_syndicated_copy_is_not_a_second_report() -> None:
    reports = [
        report(1, "Paper One", link("Ministry East")),
        report(2, "Paper Two", link("Ministry West"), copy_of=7),
    ]
    result = assess(reports)
    assert result.verdict == SINGLE_ORIGIN
    assert len(result.reports) == 1 and len(result.copies) == 1
    assert any("not counted as further reports (articles 2)" in r for r in result.reasons)


def test_a_denial_contests_the_claim() -> None:
    reports = [
        report(1, "Paper One", link("Ministry East")),
        report(2, "Paper Two", link("Ministry West"), cue="denied"),
    ]
    result = assess(reports)
    assert result.verdict == CONTESTED
    assert "Ministry West denied it (article 2)" in result.reasons


def test_different_numbers_contest_the_claim() -> None:
    first = report(1, "Paper One", link("Ministry East"))
    second = report(2, "Paper Two", link("Ministry West"))
    first.text = "12 soldiers abandoned their positions"
    second.text = "40 soldiers abandoned their positions"
    result = assess([first, second])
    assert result.verdict == CONTESTED
    assert "12 (Ministry East)" in result.reasons[0] and "40 (Ministry West)" in result.reasons[0]


def test_claims_no_report_attributes_are_unattributed() -> None:
    result = assess([report(1, "Paper One"), report(2, "Paper Two")])
    assert result.verdict == UNATTRIBUTED
    assert "no report names a source: 2 report(s) by Paper One, Paper Two" in result.reasons[0]


def test_registry_ids_join_different_spellings_of_one_origin() -> None:
    reports = [
        report(1, "Paper One", link("RIA Novosti", "ria-novosti")),
        report(2, "Paper Two", link("Ria Novosti news agency", "ria-novosti")),
    ]
    assert assess(reports).verdict == SINGLE_ORIGIN


def test_earliest_report_is_the_first_published() -> None:
    reports = [
        report(1, "Paper One", link("Ministry East"), published="2024-07-12"),
        report(2, "Paper Two", link("Ministry East"), published="2024-07-10"),
    ]
    assert assess(reports).earliest.article == 2
