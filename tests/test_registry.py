"""The source registry: record format, matching, overrides and the registry commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sayso import registry
from sayso.cli import cli
from sayso.errors import RegistryError
from sayso.pipeline import analyze

RECORDS = """
- id: example-agency
  name: Example Agency
  aliases: [EXA, Пример Агентство, "Example News Agency"]
  domains: [example-agency.test, exa-mirror.test]
  country: RU
  kind: news_agency
  ownership: state_owned
  owner: Ministry of Examples
  sources: [https://en.wikipedia.org/wiki/Example]
  checked: {date: 2026-11-25, how: "infobox: Owner"}
- id: example-daily
  name: Example Daily
  aliases: [The Daily]
  domains: [example-daily.test]
  country: GB
  kind: newspaper
  ownership: private
  sources: [https://en.wikipedia.org/wiki/Example_Daily]
- id: other-daily
  name: Other Daily
  aliases: [The Daily]
  country: US
  kind: newspaper
"""


def write(tmp_path: Path, text: str, name: str = "records.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def records(tmp_path: Path) -> registry.Registry:
    return registry.Registry(registry.read_file(write(tmp_path, RECORDS)))


@pytest.mark.parametrize(
    ("name", "normal"),
    [
        ("RIA Novosti’s", "ria novosti"),
        ("РИА Новости", "ria novosti"),
        ("ТАСС", "tass"),
        ("The Guardian", "guardian"),
        ("Зеленський", "zelenskiy"),
        ("Süddeutsche  Zeitung", "suddeutsche zeitung"),
        ("Agence France-Presse", "agence france presse"),
    ],
)
def test_normalise_name(name: str, normal: str) -> None:
    assert registry.normalise_name(name) == normal


def test_names_aliases_and_scripts_match(records: registry.Registry) -> None:
    for name in ("Example Agency", "example agency's", "EXA", "Пример Агентство"):
        match = records.by_name(name)
        assert match.entry is not None and match.entry.id == "example-agency", name


def test_ambiguous_name_links_to_nothing_and_lists_candidates(
    records: registry.Registry,
) -> None:
    match = records.by_name("the Daily")
    assert match.entry is None
    assert match.candidates == ("example-daily", "other-daily")


def test_domains_subdomains_urls_and_mirrors(records: registry.Registry) -> None:
    for query in (
        "example-agency.test",
        "https://www.example-agency.test/world/123",
        "http://m.news.example-agency.test",
        "exa-mirror.test/path",
    ):
        entry = records.by_domain(query)
        assert entry is not None and entry.id == "example-agency", query
    assert records.by_domain("https://agency.test") is None
    assert records.lookup("https://example-daily.test/x").entry.id == "example-daily"


def test_unknown_name_is_unknown(records: registry.Registry) -> None:
    assert records.by_name("Nobody Weekly") == registry.Match(None, ())


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ("- {id: x, name: X, kind: newspaper, colour: red}", "unknown field"),
        ("- {id: X_1, name: X, kind: newspaper}", "lowercase"),
        ("- {id: x, name: X, kind: tabloid}", "kind 'tabloid'"),
        ("- {id: x, name: X, kind: newspaper, ownership: state_owned}", "needs a citation"),
        ("- {id: x, name: X, kind: newspaper, ownership: secret}", "ownership 'secret'"),
        ("- {id: x, name: X, kind: newspaper, country: Russia}", "ISO 3166"),
        ("- {id: x, name: X, kind: newspaper, wikidata: 12}", "Q-id"),
        ("- {id: x, name: X, kind: newspaper, domains: [https://x.test]}", "bare host"),
        ("- {id: x, name: X, kind: newspaper, sources: [wikipedia]}", "must be a URL"),
        ("- {id: x, kind: newspaper}", "'name' is required"),
        (
            "- {id: x, name: X, kind: newspaper}\n- {id: x, name: Y, kind: newspaper}",
            "line 2 .*already used at line 1",
        ),
        ("id: x", "list of records"),
        ("- [unclosed", "not valid YAML"),
    ],
)
def test_invalid_records_are_refused_with_the_reason(
    tmp_path: Path, record: str, message: str
) -> None:
    with pytest.raises(RegistryError, match=message):
        registry.read_file(write(tmp_path, record))


def test_affiliation_must_name_a_record(tmp_path: Path) -> None:
    path = write(tmp_path, "- {id: p, name: P, kind: person, affiliation: nowhere}")
    with pytest.raises(RegistryError, match="affiliation 'nowhere'"):
        registry.load([path], include_user=False)


def test_later_files_and_user_files_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = write(tmp_path, RECORDS)
    user_dir = tmp_path / "config" / "sayso" / "registry"
    user_dir.mkdir(parents=True)
    write(user_dir, "- {id: example-daily, name: Example Daily, kind: magazine}", "mine.yaml")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert registry.user_files() == [user_dir / "mine.yaml"]
    loaded = registry.load([first])
    # The --registry file comes after the user's files, so it wins.
    assert loaded.get("example-daily").kind == "newspaper"
    only_user = registry.load()
    assert only_user.get("example-daily").kind == "magazine"


def test_builtin_registry_loads_and_validates() -> None:
    loaded = registry.load(include_user=False)
    assert registry.validate(loaded.entries.values()) == []
    for entry in loaded.entries.values():
        if entry.ownership not in (None, "unknown"):
            assert entry.sources, entry.id


def test_cli_lookup_and_validate(tmp_path: Path) -> None:
    path = write(tmp_path, RECORDS)
    runner = CliRunner()
    result = runner.invoke(cli, ["registry", "lookup", "Пример Агентство", "--registry", str(path)])
    assert result.exit_code == 0, result.output
    assert "example-agency" in result.output and "state_owned" in result.output
    result = runner.invoke(cli, ["registry", "lookup", "EXA", "--json", "--registry", str(path)])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["ownership"] == "state_owned" and record["owner"] == "Ministry of Examples"
    result = runner.invoke(cli, ["registry", "lookup", "The Daily", "--registry", str(path)])
    assert result.exit_code == 1
    assert "ambiguous, candidates example-daily, other-daily" in result.output
    result = runner.invoke(cli, ["registry", "validate", str(path)])
    assert result.exit_code == 0 and "3 record(s) in 1 file(s): valid" in result.output
    bad = write(tmp_path, "- {id: x, name: X, kind: tabloid}", "bad.yaml")
    result = runner.invoke(cli, ["registry", "validate", str(bad)])
    assert result.exit_code == 2
    assert "sayso: error:" in result.output and "Traceback" not in result.output


def test_bad_record_is_named_by_file_line_and_field(tmp_path: Path) -> None:
    text = (
        "- {id: a, name: A, kind: newspaper}\n\n"
        "- id: b\n  name: B\n  kind: newspaper\n  country: Russia\n"
    )
    with pytest.raises(RegistryError, match=r"records.yaml, line 3 \(record 2\) \(b\): country"):
        registry.read_file(write(tmp_path, text))


def test_the_same_id_twice_in_builtin_files_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = write(tmp_path, "- {id: dup, name: A, kind: newspaper}", "a.yaml")
    second = write(tmp_path, "- {id: dup, name: B, kind: newspaper}", "b.yaml")
    monkeypatch.setattr(registry, "builtin_files", lambda: iter([first, second]))
    with pytest.raises(RegistryError, match="id 'dup' is used twice"):
        registry.load(include_user=False)


def test_stats_counts_and_shared_names(records: registry.Registry) -> None:
    counts = registry.stats(records)
    assert counts["entries"] == 3
    assert counts["by_kind"] == {"newspaper": 2, "news_agency": 1}
    assert counts["by_ownership"] == {"none": 1, "private": 1, "state_owned": 1}
    assert counts["with_citations"] == round(2 / 3, 3)
    assert counts["ownership_facts_cited"] == 1.0
    assert counts["shared_names"] == {"daily": ["example-daily", "other-daily"]}


def test_cli_stats(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["registry", "stats", "--json"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)
    assert counts["entries"] >= 250
    assert counts["ownership_facts_cited"] == 1.0


def test_analyze_with_the_users_registry_file(tmp_path: Path) -> None:
    path = write(tmp_path, RECORDS)
    article = write(tmp_path, "EXA reported that the bridge had been closed.", "a.txt")
    result = CliRunner().invoke(
        cli, ["analyze", str(article), "--format", "json", "--registry", str(path)]
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    link = record["attributions"][0]["chain"][0]
    assert (link["name"], link["registry_id"]) == ("Example Agency", "example-agency")
    flags = {f["name"] for f in record["claims"][0]["provenance"]["flags"]}
    assert "state_owned_origin" in flags


def test_a_broken_record_in_a_batch_does_not_end_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sayso.cli as cli_module

    real = cli_module.analyze_article

    def flaky(article, registry=None, **options):  # type: ignore[no-untyped-def]
        if "explode" in article.text:
            raise RuntimeError("boom")
        return real(article, registry, **options)

    monkeypatch.setattr(cli_module, "analyze_article", flaky)
    lines = [
        json.dumps({"id": "a", "text": "The mayor said the bridge would explode with joy."}),
        json.dumps({"id": "b", "text": "The mayor said the bridge would reopen in June."}),
    ]
    batch = write(tmp_path, "\n".join(lines), "batch.jsonl")
    result = CliRunner().invoke(cli, ["analyze", str(batch)])
    assert result.exit_code == 0
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first == {
        "line": 1,
        "error": {"code": "internal_error", "message": "internal error: RuntimeError: boom"},
    }
    assert second["id"] == "b" and second["attributions"]


def test_the_callers_registry_also_decides_which_relays_are_outlets(tmp_path: Path) -> None:
    # a newsletter named after its author: only a registry that knows it makes it a relay
    extra = tmp_path / "newsletter.yaml"
    extra.write_text(
        "- id: dana-whitfield-letter\n"
        "  name: Dana Whitfield\n"
        "  country: GB\n"
        "  kind: online_outlet\n"
        "  ownership: private\n"
        "  sources: [https://example.org/dana-whitfield]\n"
        "  checked: {date: 2026-11-25, how: written for this test}\n"
    )
    text = "Two engineers told Dana Whitfield that the plant would close in March."
    plain = analyze(text, fast=True)
    given = analyze(text, registry=registry.load([extra]), fast=True)
    assert [link.name for link in plain.attributions[0].chain] == ["Two engineers"]
    assert [link.name for link in given.attributions[0].chain] == [
        "Two engineers",
        "Dana Whitfield",
    ]
    assert given.attributions[0].chain[1].registry_id == "dana-whitfield-letter"
