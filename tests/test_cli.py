"""The ``sayso`` command line: every input kind, every refusal as one clean line, help, eval.

Most tests use click's CliRunner in-process (the spaCy model loads once); two run the
installed ``sayso`` script for real, to prove no traceback reaches a user's terminal.
Every sample text was written for these tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from sayso.cli import cli

ARTICLE = (
    "Water rates to rise in autumn\n\n"
    "Households in the district will pay more for water from October, the utility "
    'announced on Monday. "We have put off this increase for as long as we could," said '
    "Priya Natarajan, the utility's director. According to the consumer council, the "
    "average bill will go up by about forty pounds a year.\n\n"
    "Some residents reportedly plan to protest outside the town hall next week."
)
SECOND_ARTICLE = (
    "The museum said on Friday that its new wing would open to visitors in the spring, "
    "two years later than planned."
)
THIRD_ARTICLE = "Firefighters said the blaze at the warehouse was under control by midnight."

ARTICLE_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Harbour dredging plan stalls | The Coastal Ledger</title>
<meta property="og:title" content="Harbour dredging plan stalls">
<meta property="og:site_name" content="The Coastal Ledger">
<meta property="article:published_time" content="2024-05-02T09:30:00Z">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/local">Local</a></li>
<li><a href="/sport">Sport and leisure coverage from across the coast</a></li></ul></nav>
<article>
<h1>Harbour dredging plan stalls</h1>
<p>The port authority has paused its plan to deepen the northern channel, two weeks after
fishermen complained about silt in their nets.</p>
<p>"We will not dig another metre until the survey is finished," said Tomas Eriksen, the
authority's chief engineer.</p>
<p>According to a report by the regional water board, the dredging stirred up sediment that
may contain old industrial waste.</p>
</article>
<footer><p>Subscribe to our newsletter for the week's top stories.</p>
<p>Copyright 2024 The Coastal Ledger. All rights reserved.</p>
<a href="/privacy">Privacy</a></footer>
</body></html>
"""
NAVIGATION_ONLY_HTML = (
    "<html><head><title>Menu</title></head><body><nav><a href='/'>Home</a> "
    "<a href='/news'>News</a> <a href='/about'>About</a></nav><footer>Contact</footer>"
    "</body></html>"
)
RUSSIAN = (
    "Мэр города заявил во вторник, что новый мост будет готов только в следующем году. "
    "По словам администрации, стоимость работ значительно выросла, а оппозиция потребовала "
    "провести проверку."
)
GERMAN = (
    "Der Bürgermeister der Stadt sagte am Dienstag, dass die neue Brücke erst im nächsten "
    "Jahr fertig werde. Die Kosten seien nach Angaben der Verwaltung deutlich gestiegen, und "
    "die Opposition forderte eine Untersuchung der Planung, die sie für mangelhaft hält. Ein "
    "Sprecher des Ministeriums wollte sich zu den Vorwürfen nicht äußern."
)
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06"

SAYSO = Path(sys.executable).with_name("sayso")


def invoke(args: list[str], input: str | bytes | None = None, **kwargs: Any) -> Result:
    """Run the CLI in-process with stdout and stderr kept apart (click 8.1 and 8.2+)."""
    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        runner = CliRunner()
    return runner.invoke(cli, args, input=input, **kwargs)


def assert_clean_exit(result: Result) -> None:
    """No exception escaped: the command ended by returning or by sys.exit."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"exception escaped: {result.exception!r}\n{result.output}")
    assert "Traceback" not in result.output


def assert_refused(result: Result, *fragments: str) -> None:
    """One line "sayso: error: ..." on stderr, nothing on stdout, a non-zero exit code."""
    assert_clean_exit(result)
    assert result.exit_code != 0
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("sayso: error: ")
    for fragment in fragments:
        assert fragment in lines[0]


def write(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


# ---------------------------------------------------------------------------- one article


def test_text_file_gives_a_summary(tmp_path: Path) -> None:
    result = invoke(["analyze", write(tmp_path, "rates.txt", ARTICLE)])
    assert_clean_exit(result)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Water rates to rise in autumn"
    assert "Priya Natarajan (person)" in result.stdout
    assert "According to" in result.stdout
    assert "The author's own assertions" in result.stdout
    assert result.stderr == ""


def test_metadata_options_reach_the_record(tmp_path: Path) -> None:
    path = write(tmp_path, "rates.txt", ARTICLE)
    result = invoke(
        [
            "analyze",
            path,
            "--format",
            "json",
            "--published",
            "2024-08-30",
            "--outlet",
            "District Herald",
            "--url",
            "https://herald.example/rates",
            "--title",
            "Bills go up",
            "--home",
            "Leeds",
        ]
    )
    assert result.exit_code == 0, result.stderr
    meta = json.loads(result.stdout)["meta"]
    assert meta == {
        "title": "Bills go up",
        "outlet": "District Herald",
        "url": "https://herald.example/rates",
        "published": "2024-08-30",
        "author": None,
        "language": "en",
        "outlet_id": None,
        "home": "Leeds",
    }
    text_result = invoke(["analyze", path, "--outlet", "District Herald"])
    assert "District Herald" in text_result.stdout.splitlines()[1]


def test_html_file_drops_boilerplate_and_keeps_title_and_outlet(tmp_path: Path) -> None:
    path = write(tmp_path, "dredging.html", ARTICLE_HTML)
    result = invoke(["analyze", path, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["meta"]["title"] == "Harbour dredging plan stalls"
    assert record["meta"]["outlet"] == "The Coastal Ledger"
    assert record["meta"]["published"] == "2024-05-02"
    assert "Tomas Eriksen" in record["text"]
    for boilerplate in ("Subscribe", "Copyright", "Privacy", "Sport and leisure"):
        assert boilerplate not in record["text"]
    assert any("boilerplate removed" in warning for warning in record["warnings"])
    summary = invoke(["analyze", path]).stdout.splitlines()
    assert summary[0] == "Harbour dredging plan stalls"
    assert summary[1].startswith("The Coastal Ledger")


def test_stdin(tmp_path: Path) -> None:
    from_stdin = invoke(["analyze", "-", "--format", "json"], input=ARTICLE)
    assert from_stdin.exit_code == 0, from_stdin.stderr
    from_file = invoke(["analyze", write(tmp_path, "rates.txt", ARTICLE), "--format", "json"])
    assert json.loads(from_stdin.stdout) == json.loads(from_file.stdout)


def test_stdin_html_is_sniffed() -> None:
    result = invoke(["analyze", "-", "--format", "json"], input=ARTICLE_HTML.encode("utf-8"))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["meta"]["outlet"] == "The Coastal Ledger"


# ---------------------------------------------------------------------------- JSONL

JSONL_WITH_BAD_LINE = "\n".join(
    [
        json.dumps({"id": "museum", "text": SECOND_ARTICLE}),
        '{"text": "an unfinished record',
        json.dumps({"id": 3, "text": THIRD_ARTICLE, "outlet": "Town Crier"}),
    ]
)


def line_of(record: dict) -> int:
    """The input line of an output record: errors say it, analyses carry it as ``line-N``."""
    return record["line"] if "error" in record else int(record["id"].removeprefix("line-"))


def check_jsonl_with_bad_line(result: Result) -> None:
    assert_clean_exit(result)
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r.get("line") for r in records] == [None, 2, None]
    first, bad, third = records
    assert first["id"] == "museum" and first["text"] == SECOND_ARTICLE
    assert first["attributions"]
    assert set(bad) == {"line", "error"}
    assert bad["error"]["code"] == "malformed_record"
    assert "not valid JSON" in bad["error"]["message"]
    assert third["id"] == "3" and third["meta"]["outlet"] == "Town Crier"
    assert result.stderr.strip() == "sayso: 1 record(s) could not be analysed"


def test_jsonl_file_with_a_bad_line(tmp_path: Path) -> None:
    path = write(tmp_path, "batch.jsonl", JSONL_WITH_BAD_LINE + "\n")
    check_jsonl_with_bad_line(invoke(["analyze", path]))


def test_jsonl_from_stdin() -> None:
    check_jsonl_with_bad_line(invoke(["analyze", "-", "--jsonl"], input=JSONL_WITH_BAD_LINE))


def test_jsonl_flag_for_another_extension(tmp_path: Path) -> None:
    path = write(tmp_path, "batch.txt", JSONL_WITH_BAD_LINE)
    check_jsonl_with_bad_line(invoke(["analyze", path, "--jsonl"]))


def test_jsonl_refusals_are_per_line(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": RUSSIAN}),
        json.dumps({"text": THIRD_ARTICLE}),
        json.dumps({"html": NAVIGATION_ONLY_HTML}),
        json.dumps({"title": "no body"}),
        json.dumps(["not", "an", "object"]),
        "",
        json.dumps({"text": ARTICLE}),
    ]
    path = write(tmp_path, "mixed.ndjson", "\n".join(lines))
    result = invoke(["analyze", path, "--max-chars", "250"])
    assert_clean_exit(result)
    assert result.exit_code == 0
    records = {line_of(r): r for r in map(json.loads, result.stdout.splitlines())}
    assert sorted(records) == [1, 2, 3, 4, 5, 7]
    assert records[2]["id"] == "line-2"
    codes = {line: r["error"]["code"] for line, r in records.items() if "error" in r}
    assert codes == {
        1: "unsupported_language",
        3: "no_main_text",
        4: "malformed_record",
        5: "malformed_record",
        7: "input_too_large",
    }
    assert records[2]["text"] == THIRD_ARTICLE
    assert "5 record(s)" in result.stderr


def test_jsonl_any_language(tmp_path: Path) -> None:
    path = write(tmp_path, "ru.jsonl", json.dumps({"text": RUSSIAN}))
    result = invoke(["analyze", path, "--any-language"])
    assert result.exit_code == 0
    (record,) = map(json.loads, result.stdout.splitlines())
    assert record["meta"]["language"] == "ru"
    assert result.stderr == ""


def test_missing_jsonl_file(tmp_path: Path) -> None:
    result = invoke(["analyze", str(tmp_path / "nowhere.jsonl")])
    assert_refused(result, "no such file", "nowhere.jsonl")


# ---------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("name", "content", "options", "fragments"),
    [
        ("empty.txt", b"", [], ["empty"]),
        ("blank.txt", "  \n\n\t \n", [], ["no text"]),
        ("image.png", PNG_BYTES, [], ["PNG image"]),
        ("disguised.txt", PNG_BYTES, [], ["PNG image"]),
        ("long.txt", ARTICLE, ["--max-chars", "20"], ["--max-chars"]),
        ("nearly.txt", ARTICLE, ["--max-chars", str(len(ARTICLE) - 5)], ["over the limit"]),
        ("menu.html", NAVIGATION_ONLY_HTML, [], ["no main text"]),
        ("ru.txt", RUSSIAN, [], ["Russian", "--any-language"]),
        ("de.txt", GERMAN, [], ["German", "--any-language"]),
        ("rates.txt", ARTICLE, ["--published", "next Tuesday"], ["not an ISO date"]),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_bad_input_is_refused_in_one_line(
    tmp_path: Path, name: str, content: str | bytes, options: list[str], fragments: list[str]
) -> None:
    path = write(tmp_path, name, content)
    assert_refused(invoke(["analyze", path, *options]), *fragments)
    assert_refused(invoke(["analyze", path, "--format", "json", *options]), *fragments)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    assert_refused(invoke(["analyze", str(tmp_path / "gone.txt")]), "no such file", "gone.txt")


@pytest.mark.parametrize(
    ("data", "fragment"), [(b"", "empty"), (PNG_BYTES, "PNG"), (RUSSIAN, "Russian")]
)
def test_bad_stdin_is_refused(data: str | bytes, fragment: str) -> None:
    assert_refused(invoke(["analyze", "-"], input=data), fragment)


def test_bad_limit_in_environment_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "rates.txt", ARTICLE)
    result = invoke(["analyze", path], env={"SAYSO_MAX_CHARS": "lots"})
    assert_refused(result, "SAYSO_MAX_CHARS")


def test_limit_from_environment(tmp_path: Path) -> None:
    path = write(tmp_path, "rates.txt", ARTICLE)
    assert_refused(invoke(["analyze", path], env={"SAYSO_MAX_CHARS": "50"}), "SAYSO_MAX_CHARS")


@pytest.mark.parametrize(("text", "code"), [(RUSSIAN, "ru"), (GERMAN, "de")])
def test_any_language_lets_foreign_text_through(tmp_path: Path, text: str, code: str) -> None:
    path = write(tmp_path, f"{code}.txt", text)
    result = invoke(["analyze", path, "--any-language", "--format", "json"])
    assert_clean_exit(result)
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["text"] == text
    assert record["meta"]["language"] == code
    assert any("language check off" in warning for warning in record["warnings"])


# ---------------------------------------------------------------------------- help


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--help"], ["analyze", "eval"]),
        (["-h"], ["analyze"]),
        (["analyze", "--help"], ["PATH", "--format", "--jsonl", "--max-chars", "--any-language"]),
        (["eval", "--help"], ["attribution"]),
        (["eval", "attribution", "--help"], ["--gold", "--limit", "--json"]),
    ],
)
def test_help(args: list[str], expected: list[str]) -> None:
    result = invoke(args)
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: ")
    for word in expected:
        assert word in result.stdout


def test_version() -> None:
    from sayso import __version__

    result = invoke(["--version"])
    assert result.exit_code == 0
    assert __version__ in result.stdout


def test_usage_errors_are_not_tracebacks() -> None:
    for args in (["analyze"], ["analyze", "x.txt", "--format", "xml"], ["nonsense"]):
        result = invoke(args)
        assert_clean_exit(result)
        assert result.exit_code == 2
        assert "Usage:" in result.stderr


# ---------------------------------------------------------------------------- eval

GOLD_TEXT = "The mayor said that the old bridge would reopen in June.\n"


def write_gold(root: Path) -> Path:
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    (root / "text" / "x.txt").write_text(GOLD_TEXT, encoding="utf-8", newline="")

    def entity(ident: str, label: str, words: str) -> str:
        start = GOLD_TEXT.index(words)
        return f"{ident}\t{label} {start} {start + len(words)}\t{words}\n"

    annotation = (
        entity("T1", "Source", "The mayor")
        + entity("T2", "Cue", "said")
        + entity("T3", "Content", "that the old bridge would reopen in June")
        + entity("T4", "Attribution", "said")
        + "E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3\n"
    )
    (root / "attributions" / "x_aaaa.ann").write_text(annotation, encoding="utf-8")
    return root


def test_eval_attribution_prints_a_table(tmp_path: Path) -> None:
    gold = write_gold(tmp_path / "gold")
    result = invoke(["eval", "attribution", "--gold", str(gold)])
    assert_clean_exit(result)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("1 documents: 1 gold, ")
    rows: dict[str, list[str]] = {}
    for line in lines:
        if line.strip():
            rows.setdefault(line.split()[0], line.split()[1:])
    for role in ("source", "cue", "content", "relation"):
        assert role in rows
        assert rows[role][0] == "1"  # one gold span of each role
    assert "proportional overlap" in result.stdout


def test_eval_attribution_json(tmp_path: Path) -> None:
    gold = write_gold(tmp_path / "gold")
    result = invoke(["eval", "attribution", "--gold", str(gold), "--json", "--limit", "1"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["n_documents"] == 1
    assert report["n_gold"] == 1
    assert set(report["roles"]) == {"source", "cue", "content"}
    # sayso finds exactly the one gold attribution of this text.
    assert report["relation"]["f1"] == 1.0
    for role in ("source", "cue", "content"):
        assert report["roles"][role]["exact"]["f1"] == 1.0, role


def test_eval_attribution_without_gold_data(tmp_path: Path) -> None:
    result = invoke(["eval", "attribution", "--gold", str(tmp_path)])
    assert_refused(result, "no gold data")


# ---------------------------------------------------------------------------- for real

needs_script = pytest.mark.skipif(not SAYSO.exists(), reason="the sayso script is not installed")


@needs_script
def test_installed_script_refuses_without_traceback(tmp_path: Path) -> None:
    png = write(tmp_path, "photo.png", PNG_BYTES)
    run = subprocess.run(
        [str(SAYSO), "analyze", png], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 2
    assert run.stdout == ""
    assert "Traceback" not in run.stderr
    assert run.stderr.splitlines() == [
        "sayso: error: input is a PNG image, not text or HTML; extract the article's text "
        "from it first"
    ]


@needs_script
def test_installed_script_runs_a_batch_from_stdin() -> None:
    run = subprocess.run(
        [str(SAYSO), "analyze", "-", "--jsonl"],
        input=JSONL_WITH_BAD_LINE,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    records = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r.get("id") or r["line"] for r in records] == ["museum", 2, "3"]
    assert run.stderr.strip() == "sayso: 1 record(s) could not be analysed"


def test_home_reads_local_place_names_where_the_outlet_is(tmp_path: Path) -> None:
    text = "Police in Dublin said the fire started in a garage on Tuesday night."
    path = write(tmp_path, "local.txt", text)

    def dublin(result: Result) -> tuple[str, str]:
        assert result.exit_code == 0, result.stderr
        (place,) = [p for p in json.loads(result.stdout)["places"] if p["text"] == "Dublin"]
        return place["country"], place["admin1"]

    assert dublin(invoke(["analyze", path, "--fast", "--format", "json"])) == ("IE", "L")
    local = invoke(["analyze", path, "--fast", "--format", "json", "--home", "Columbus, Ohio"])
    assert dublin(local) == ("US", "OH")
    summary = invoke(["analyze", path, "--fast", "--home", "Columbus, Ohio"]).stdout
    assert "places read as from an outlet based in Columbus, Ohio" in summary
    report = tmp_path / "local.html"
    made = invoke(["report", path, "--fast", "-o", str(report), "--home", "Columbus, Ohio"])
    assert made.exit_code == 0, made.stderr
    assert "places read as from an outlet based in Columbus, Ohio" in report.read_text()
    # in a batch, a record's own "home" wins over --home; an unknown one fails that record
    records = [
        {"id": "a", "text": text},
        {"id": "b", "text": text, "home": "Dublin, Ireland"},
        {"id": "c", "text": text, "home": "Zzyzxograd"},
    ]
    batch = write(tmp_path, "batch.jsonl", "\n".join(map(json.dumps, records)) + "\n")
    result = invoke(["analyze", batch, "--fast", "--home", "Ohio"])
    first, second, third = map(json.loads, result.stdout.splitlines())
    assert [(p["country"], p["admin1"]) for p in first["places"]] == [("US", "OH")]
    assert (first["meta"]["home"], second["meta"]["home"]) == ("Ohio", "Dublin, Ireland")
    assert {(p["country"], p["admin1"]) for p in second["places"]} == {("IE", "L")}
    assert third == {
        "line": 3,
        "error": {
            "code": "unknown_place",
            "message": "'Zzyzxograd' names no town, region or country sayso knows",
        },
    }
    unknown = invoke(["analyze", path, "--home", "Zzyzxograd"])
    assert unknown.exit_code == 1
    assert unknown.stderr.strip() == (
        "sayso: error: 'Zzyzxograd' names no town, region or country sayso knows"
    )
