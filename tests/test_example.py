"""The bundled example article behaves as the README shows it (`make example`)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from sayso.cli import cli

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "example_article.txt"


def test_example_summary_matches_the_readme() -> None:
    result = CliRunner().invoke(
        cli,
        [
            "analyze",
            str(EXAMPLE),
            "--published",
            "2025-07-14",
            "--outlet",
            "The Northfield Courier",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1] == "The Northfield Courier · 2025-07-14"
    assert lines[2] == "11 attributions, 14 claims (11 attributed, 3 on the author's own authority)"
    assert "  3 claims rest on Maria Holm (person) <- Valley Gazette (organisation)" in lines
    assert "  3 on the author's own authority" in lines
    readme = (EXAMPLE.parents[1] / "README.md").read_text(encoding="utf-8")
    for line in lines[:3]:
        assert line in readme
