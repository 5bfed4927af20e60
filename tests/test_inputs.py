"""The input boundary: decoding, normalisation, HTML extraction, limits and JSONL."""

from __future__ import annotations

import codecs
import io
import json
import sys
from pathlib import Path

import pytest

from sayso import inputs
from sayso.errors import (
    BinaryInputError,
    DecodingError,
    EmptyInputError,
    InputError,
    InputTooLargeError,
    MalformedRecordError,
    NoMainTextError,
    UnsupportedLanguageError,
)
from sayso.inputs import (
    DEFAULT_MAX_CHARS,
    decode_bytes,
    iter_jsonl,
    looks_like_html,
    max_chars_from_env,
    normalise_text,
    read_article,
    read_path,
)
from sayso.model import Article

CYRILLIC_SAMPLE = (
    "Port officials in Odesa said the grain ship had left on Monday.\n\n"
    "The harbour master, who called the deal «важный шаг», told local radio that two more "
    "vessels were expected this week. A spokesman for the shipping company, however, said "
    "that insurance costs remained high and that the route was still risky."
)
ACCENTED_SAMPLE = (
    "Café owners protest new rules\n\n"
    "The owner of a café in Zürich said on Friday that the new licence was “unfair” — a "
    "claim the city’s naïve press office denied. According to the résumé filed with the "
    "court, she had run the business for twelve years."
)
LATIN1_SAMPLE = (
    "The owner of a café in Zürich said on Friday that the new licence was unfair, a claim "
    "the naïve press office of the city denied. According to the résumé filed with the "
    "court, she had run the business for twelve years."
)
ENGLISH = (
    "The regional health agency said on Wednesday that waiting times at the main hospital had "
    "fallen for the third month in a row. A spokeswoman for the agency told reporters that the "
    "new evening clinics were the main reason, but unions claimed that staff were exhausted."
)
RUSSIAN = (
    "Региональное агентство здравоохранения в среду сообщило, что время ожидания в главной "
    "больнице сокращается третий месяц подряд. Представитель агентства заявила журналистам, "
    "что главная причина — новые вечерние приёмы."
)

ARTICLE_HTML = """<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<title>Ferry service to resume | Harbour Herald</title>
<meta property="og:site_name" content="Harbour Herald">
<meta property="og:title" content="Ferry service to resume after storm repairs">
<meta name="author" content="Alex Moreno">
<meta property="article:published_time" content="2024-03-05T10:00:00Z">
<link rel="canonical" href="https://herald.example/ferry-resumes">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/local">Local news</a></li>
<li><a href="/subscribe">Subscribe to our newsletter today</a></li></ul></nav>
<article>
<h1>Ferry service to resume after storm repairs</h1>
<p>The island ferry will run again from Monday, the operator said in a statement on
Thursday, after engineers finished repairs to the damaged pier.</p>
<p>"Passengers have been very patient," the operator's director told reporters at the
harbour, adding that extra crossings would be added during the first week.</p>
<p>Residents of the island, however, said the three-week closure had cost local shops
thousands of pounds and called for compensation from the council.</p>
</article>
<footer><p>Copyright 2024 Harbour Herald. All rights reserved.</p>
<a href="/privacy">Privacy policy</a> <a href="/cookies">Cookie settings</a></footer>
</body></html>"""


# --- decoding -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sample", "raw"),
    [
        (CYRILLIC_SAMPLE, CYRILLIC_SAMPLE.encode("utf-8")),
        (ACCENTED_SAMPLE, codecs.BOM_UTF8 + ACCENTED_SAMPLE.encode("utf-8")),
        (CYRILLIC_SAMPLE, CYRILLIC_SAMPLE.encode("utf-16")),
        (ACCENTED_SAMPLE, codecs.BOM_UTF16_LE + ACCENTED_SAMPLE.encode("utf-16-le")),
        (CYRILLIC_SAMPLE, codecs.BOM_UTF16_BE + CYRILLIC_SAMPLE.encode("utf-16-be")),
        (CYRILLIC_SAMPLE, CYRILLIC_SAMPLE.encode("cp1251")),
        (ACCENTED_SAMPLE, ACCENTED_SAMPLE.encode("cp1252")),
        (LATIN1_SAMPLE, LATIN1_SAMPLE.encode("latin-1")),
    ],
    ids=[
        "utf-8",
        "utf-8-bom",
        "utf-16",
        "utf-16-le-bom",
        "utf-16-be-bom",
        "cp1251",
        "cp1252",
        "latin-1",
    ],
)
def test_encodings_round_trip(sample: str, raw: bytes) -> None:
    text, _ = decode_bytes(raw)
    assert text == sample
    article = read_article(raw)
    assert article.text == sample
    assert article.meta.language == "en"


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (CYRILLIC_SAMPLE.encode("cp1251"), "cp1251"),
        (ACCENTED_SAMPLE.encode("cp1252"), "cp1252"),
        (CYRILLIC_SAMPLE.encode("utf-16"), "utf-16-le"),
    ],
)
def test_non_utf8_encoding_is_reported(raw: bytes, encoding: str) -> None:
    assert decode_bytes(raw)[1] == encoding
    assert any(f"decoded as {encoding}" in note for note in read_article(raw).warnings)


def test_utf8_needs_no_warning() -> None:
    assert read_article(ENGLISH.encode("utf-8")).warnings == []


def test_utf16_without_bom_is_recognised() -> None:
    assert decode_bytes(ENGLISH.encode("utf-16-le")) == (ENGLISH, "utf-16-le")


def test_damaged_utf8_is_repaired_not_guessed() -> None:
    raw = CYRILLIC_SAMPLE.encode("utf-8").replace(b"harbour", b"harb\xffour")
    article = read_article(raw)
    assert "«важный шаг»" in article.text
    assert "harb\ufffdour" in article.text
    assert any("not valid UTF-8" in note for note in article.warnings)


def test_declared_charset_is_used() -> None:
    page = ARTICLE_HTML.replace('charset="utf-8"', 'charset="windows-1251"')
    page = page.replace("thousands of pounds", "thousands of pounds («тысячи»)")
    article = read_article(page.encode("cp1251"))
    assert "«тысячи»" in article.text
    assert any("cp1251" in note and "declared" in note for note in article.warnings)


def test_encoding_is_guessed_from_text_past_a_long_ascii_start() -> None:
    text = (ENGLISH + "\n\n") * 400 + CYRILLIC_SAMPLE
    assert decode_bytes(text.encode("cp1251")) == (text, "cp1251")


def test_wrong_declared_charset_is_overruled() -> None:
    page = ARTICLE_HTML.replace('charset="utf-8"', 'charset="iso-8859-1"')
    page = page.replace("thousands of pounds", "thousands of pounds («огромные деньги»)")
    article = read_article(page.encode("cp1251"))
    assert "«огромные деньги»" in article.text
    assert any("cp1251" in note and "guessed" in note for note in article.warnings)


def test_bad_bytes_after_bom_raise_decoding_error() -> None:
    with pytest.raises(DecodingError, match="UTF-8"):
        read_article(codecs.BOM_UTF16_LE + b"a\x00\x00\xd8")


def test_no_plausible_encoding_raises_decoding_error() -> None:
    # High bytes in no pattern: every code page turns them into gibberish.
    junk = bytes(0x80 + (index * 89 + index // 7 * 13) % 128 for index in range(3000))
    with pytest.raises(DecodingError, match="convert it to UTF-8"):
        read_article(junk)


def test_ebcdic_is_decoded() -> None:
    assert read_article(ENGLISH.encode("cp500")).text == ENGLISH


# --- normalisation and plain text ----------------------------------------------------


def test_normalise_text() -> None:
    raw = "\ufeff  Line one\r\nLine\x00 two\rLine\x07 three\x0cpage two\tcolumn e\u0301 \ud800 "
    expected = "Line one\nLine two\nLine three\npage two\tcolumn é"
    assert normalise_text(raw) == expected
    assert normalise_text(expected) == expected


def test_plain_text_title_is_kept_in_text() -> None:
    article = read_article(ACCENTED_SAMPLE)
    assert article.meta.title == "Café owners protest new rules"
    assert article.text.startswith("Café owners protest new rules\n\nThe owner")


@pytest.mark.parametrize(
    "text",
    [
        "A first sentence that ends with a full stop.\n\n" + ENGLISH,
        "No blank line after this one\n" + ENGLISH,
        ENGLISH,
    ],
)
def test_plain_text_without_title(text: str) -> None:
    assert read_article(text).meta.title is None


def test_crlf_text_offsets_refer_to_normalised_text() -> None:
    article = read_article(ACCENTED_SAMPLE.replace("\n", "\r\n").encode("cp1252"))
    assert article.text == ACCENTED_SAMPLE


def test_explicit_metadata_is_kept() -> None:
    article = read_article(
        ENGLISH,
        title="Waiting times fall",
        outlet="County Times",
        url="https://times.example/a",
        published="2024-05-01",
        article_id="a-1",
    )
    assert article.id == "a-1"
    assert article.meta.title == "Waiting times fall"
    assert article.meta.outlet == "County Times"
    assert article.meta.url == "https://times.example/a"
    assert article.meta.published == "2024-05-01"


@pytest.mark.parametrize(
    "value",
    ["2024-03-05", "2024-03-05T10:00:00Z", "2024-03-05T10:00:00.123+01:00", "2024-03-05 10:00"],
)
def test_valid_published_dates(value: str) -> None:
    assert read_article(ENGLISH, published=value).meta.published == value


@pytest.mark.parametrize("value", ["05/03/2024", "2024-02-30", "yesterday", "2024-03-05T25:00"])
def test_invalid_published_date_is_refused(value: str) -> None:
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        read_article(ENGLISH, published=value)


# --- HTML ----------------------------------------------------------------------------


def test_html_main_text_without_boilerplate() -> None:
    article = read_article(ARTICLE_HTML)
    assert "The island ferry will run again from Monday" in article.text
    assert "Residents of the island" in article.text
    for boilerplate in ("Subscribe to our newsletter", "Privacy policy", "Copyright 2024"):
        assert boilerplate not in article.text
    paragraphs = article.text.split("\n\n")
    assert any(p.startswith('"Passengers have been very patient,"') for p in paragraphs)
    assert any("HTML: boilerplate removed" in note for note in article.warnings)


def test_html_metadata_is_extracted() -> None:
    meta = read_article(ARTICLE_HTML.encode("utf-8")).meta
    assert meta.title == "Ferry service to resume after storm repairs"
    assert meta.author == "Alex Moreno"
    assert meta.published == "2024-03-05"
    assert meta.outlet == "Harbour Herald"
    assert meta.url == "https://herald.example/ferry-resumes"
    assert meta.language == "en"


def test_explicit_metadata_overrides_html() -> None:
    meta = read_article(ARTICLE_HTML, outlet="The Herald", published="2024-03-06").meta
    assert meta.outlet == "The Herald"
    assert meta.published == "2024-03-06"
    assert meta.author == "Alex Moreno"


def test_html_fragment_is_extracted() -> None:
    fragment = "".join(f"<p>{sentence}.</p>" for sentence in ENGLISH.split(". "))
    article = read_article(fragment)
    assert article.text.startswith("The regional health agency said on Wednesday")
    assert "<p>" not in article.text


@pytest.mark.parametrize(
    ("text", "filename", "expected"),
    [
        ("Plain words", "story.html", True),
        ("Plain words", "story.HTM", True),
        ("<!DOCTYPE html><p>x</p>", None, True),
        ("  <html><body>x</body></html>", None, True),
        ("<div><p>One</p><p>Two</p></div>", None, True),
        (ENGLISH, "story.txt", False),
        ("The spec says a <p> tag opens a paragraph.\n" + ENGLISH, None, False),
    ],
)
def test_looks_like_html(text: str, filename: str | None, expected: bool) -> None:
    assert looks_like_html(text, filename) is expected


@pytest.mark.parametrize(
    "junk",
    [
        "<html><body><div><p>Unclosed <b>bold <i>italic " + ENGLISH,
        "<html><body><p>" + ENGLISH + "</span></div></td></p></body>",
        "<html><<<>>><body><p>&#xZZZ; &nope; <!-- unterminated comment " + ENGLISH,
        "<!DOCTYPE html><html><head><script>var x = '<p>';</script>",
        "<html>\x00\x01<body><p>" + ENGLISH + "</p></body></html>",
    ],
)
def test_malformed_html_does_not_crash(junk: str) -> None:
    try:
        article = read_article(junk)
    except NoMainTextError:
        return
    assert isinstance(article, Article)
    assert "<" not in article.text


def test_html_with_unclosed_tags_keeps_its_text() -> None:
    article = read_article("<html><body><div><p>Unclosed <b>bold " + ENGLISH)
    assert "waiting times at the main hospital" in article.text


@pytest.mark.parametrize(
    "page",
    [
        "<html><head><title>Site</title></head><body></body></html>",
        "<html><body><nav><a href='/'>Home</a> <a href='/w'>World</a></nav>"
        "<footer><a href='/about'>About us</a></footer></body></html>",
    ],
)
def test_html_without_main_text(page: str) -> None:
    with pytest.raises(NoMainTextError, match="no main text"):
        read_article(page)


# --- refused input -------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", "", b" \n\t\r\n ", "   \n\n  "])
def test_empty_input(data: bytes | str) -> None:
    with pytest.raises(EmptyInputError):
        read_article(data)


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(64), "PNG"),
        (b"PK\x03\x04" + bytes(range(256)), "ZIP"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (bytes(range(256)) * 8, "control characters"),
        (b"text\x00\x00\x00\x01\x02 more text\x03\x04\x05" * 50, "control characters"),
        ("words\x00\x01\x02\x03\x04" * 50, "control characters"),
        (codecs.BOM_UTF16_LE + b"\x01\x00\x02\x00a\x00" * 100, "control characters"),
    ],
)
def test_binary_input(data: bytes | str, named: str) -> None:
    with pytest.raises(BinaryInputError, match=named):
        read_article(data)


def test_stray_nul_in_text_is_dropped_not_refused() -> None:
    assert read_article(ENGLISH.replace("agency", "age\x00ncy").encode()).text == ENGLISH


def test_text_over_the_limit() -> None:
    with pytest.raises(InputTooLargeError, match="--max-chars or SAYSO_MAX_CHARS") as caught:
        read_article(ENGLISH, max_chars=100)
    assert f"{len(ENGLISH):,} characters" in str(caught.value)


def test_huge_bytes_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(data: bytes) -> None:
        raise AssertionError("decoded a huge input")

    monkeypatch.setattr(inputs, "_decode", fail)
    with pytest.raises(InputTooLargeError, match="4,001 bytes"):
        read_article(b"x" * 4001, max_chars=1000)


def test_env_var_sets_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SAYSO_MAX_CHARS", raising=False)
    assert max_chars_from_env() == DEFAULT_MAX_CHARS == 5_000_000
    monkeypatch.setenv("SAYSO_MAX_CHARS", "100")
    assert max_chars_from_env() == 100
    with pytest.raises(InputTooLargeError, match="limit of 100"):
        read_article(ENGLISH)
    assert read_article(ENGLISH, max_chars=10_000).text == ENGLISH


@pytest.mark.parametrize("value", ["lots", "-5", "0"])
def test_bad_env_var_is_explained(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SAYSO_MAX_CHARS", value)
    with pytest.raises(InputError, match="SAYSO_MAX_CHARS must be a positive"):
        read_article(ENGLISH)


def test_foreign_language_is_refused() -> None:
    with pytest.raises(UnsupportedLanguageError, match="Russian"):
        read_article(RUSSIAN.encode("cp1251"))


def test_language_check_can_be_turned_off() -> None:
    article = read_article(RUSSIAN, check_language=False)
    assert article.meta.language == "ru"
    assert any("Russian" in note for note in article.warnings)


# --- files and stdin -----------------------------------------------------------------


def test_read_path_uses_the_extension(tmp_path: Path) -> None:
    page = tmp_path / "ferry.html"
    page.write_bytes(ARTICLE_HTML.encode("utf-8"))
    assert read_path(page).meta.outlet == "Harbour Herald"
    text = tmp_path / "story.txt"
    text.write_bytes(ENGLISH.encode("cp1252"))
    assert read_path(str(text), outlet="County Times").meta.outlet == "County Times"


def test_read_path_dash_reads_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(CYRILLIC_SAMPLE.encode("utf-16")))
    monkeypatch.setattr(sys, "stdin", stdin)
    assert read_path("-").text == CYRILLIC_SAMPLE


def test_read_path_stops_reading_huge_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"x" * 5000)))
    with pytest.raises(InputTooLargeError, match="standard input"):
        read_path("-", max_chars=1000)


def test_read_path_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_path(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="directory"):
        read_path(tmp_path)


# --- JSONL ---------------------------------------------------------------------------


def test_jsonl_yields_articles_and_errors_per_line() -> None:
    lines = [
        json.dumps({"text": ENGLISH, "id": 7, "outlet": "County Times"}).encode(),
        b"\n",
        b'{"text": "unterminated\n',
        json.dumps({"html": ARTICLE_HTML, "published": "2024-04-01"}) + "\n",
        json.dumps({"title": "no body"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"text": ENGLISH, "published": "1 April"}),
        json.dumps({"text": 42}),
        json.dumps({"text": RUSSIAN}),
        json.dumps({"text": "", "id": "empty"}),
        "\ufeff" + json.dumps({"text": ENGLISH, "html": "<p>ignored</p>"}),
        b'{"text": "caf\xe9"}',
    ]
    results = dict(iter_jsonl(lines))
    assert sorted(results) == [1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]

    first = results[1]
    assert isinstance(first, Article)
    assert (first.id, first.meta.outlet, first.text) == ("7", "County Times", ENGLISH)
    html = results[4]
    assert isinstance(html, Article)
    assert html.meta.outlet == "Harbour Herald"
    assert html.meta.published == "2024-04-01"
    both = results[11]
    assert isinstance(both, Article)
    assert both.text == ENGLISH
    assert any('used "text"' in note for note in both.warnings)

    for number in (3, 5, 6, 7, 8, 12):
        assert isinstance(results[number], MalformedRecordError), number
    assert "not valid JSON" in str(results[3])
    assert "neither" in str(results[5])
    assert "JSON array, not an object" in str(results[6])
    assert "YYYY-MM-DD" in str(results[7])
    assert "UTF-8" in str(results[12])
    assert isinstance(results[9], UnsupportedLanguageError)
    assert isinstance(results[10], EmptyInputError)


def test_jsonl_limits_and_language_flag() -> None:
    lines = [json.dumps({"text": ENGLISH}), json.dumps({"text": RUSSIAN})]
    results = dict(iter_jsonl(lines, max_chars=100))
    assert all(isinstance(result, InputTooLargeError) for result in results.values())
    unchecked = dict(iter_jsonl(lines, check_language=False))
    assert isinstance(unchecked[2], Article)
    assert unchecked[2].meta.language == "ru"


def test_long_runs_of_punctuation_are_one_token_per_mark_and_keep_the_text() -> None:
    from sayso.pipeline import analyze, load_pipeline

    nlp = load_pipeline()
    run = "(" * 150 + "!?" * 60
    text = f"Officials said the bridge {run} would reopen, he said."
    doc = nlp.make_doc(text)
    assert doc.text == text
    marks = [t.text for t in doc if t.idx >= text.index(run) and t.idx < text.index(run) + len(run)]
    assert marks == list(run)
    plain = nlp.tokenizer.tokenizer("Officials said the bridge would reopen, he said.")
    assert [t.text for t in doc if t.text not in "(!?"] == [t.text for t in plain]
    analysis = analyze(text, fast=True, check_language=False)
    assert analysis.text == text
