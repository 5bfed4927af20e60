"""The input boundary: whatever bytes or text a user gives become a clean Article, or a typed
error from sayso.errors with a message that says what to do.

Every later stage reports character offsets into ``Article.text``, so the text is decoded,
extracted (for HTML) and normalised exactly once, here, and deterministically.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import IO, Any

import charset_normalizer

from sayso.errors import (
    BinaryInputError,
    DecodingError,
    EmptyInputError,
    InputError,
    InputTooLargeError,
    MalformedRecordError,
    NoMainTextError,
)
from sayso.language import guess_language, language_error, language_name, script_of
from sayso.model import Article, Meta

DEFAULT_MAX_CHARS = 5_000_000
MAX_CHARS_ENV = "SAYSO_MAX_CHARS"
LIMIT_HINT = "raise it with --max-chars or SAYSO_MAX_CHARS"
# No encoding read here spends more than 4 bytes on a character, so a larger input cannot
# fit the character limit and is refused before it is decoded (or, for HTML, parsed).
MAX_BYTES_PER_CHAR = 4

# Byte-order marks, the UTF-32 ones first (the UTF-32 LE mark begins with the UTF-16 LE one).
BYTE_ORDER_MARKS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Encodings that need no warning: the text is exactly what UTF-8 says.
QUIET_ENCODINGS = frozenset({"utf-8", "utf-8-sig"})
# Browsers read pages labelled latin-1 or ASCII as windows-1252 (its superset), and so do
# we: otherwise curly quotes and dashes in such pages would become control characters.
ENCODING_ALIASES = {"iso8859-1": "cp1252", "ascii": "cp1252"}
# Encodings common in news archives (Python's names): always tried when guessing, and
# preferred, in this order, among candidates that fit a sample equally well.
PREFERRED_ENCODINGS = (
    "cp1252",
    "cp1251",
    "koi8-r",
    "cp1250",
    "cp1253",
    "cp1254",
    "cp1257",
    "iso8859-15",
    "iso8859-2",
    "iso8859-5",
    "mac-roman",
)
# A guess is refused when more than this share of its non-ASCII characters look garbled.
MAX_IMPLAUSIBILITY = 0.5
# Non-ASCII characters a right guess produces: letters, combining marks and typography.
PLAUSIBLE_CATEGORIES = frozenset({"Lu", "Ll", "Lo", "Mn", "Mc"})
TYPOGRAPHY = frozenset("\u00a0\u2009\u202f«»‹›“”„‘’‚–—…•·€£¥¢§¶°©®™±×÷¡¿")
_NON_ASCII_CHAR = re.compile(r"[^\x00-\x7f]")
_NON_ASCII_WORD = re.compile(r"\w*[^\x00-\x7f]\w*")
# The encoding guesser sees only this much of the input, to stay fast on huge inputs,
# starting shortly before the first non-ASCII byte (ASCII says nothing about encodings).
GUESS_SAMPLE_BYTES = 64 * 1024
GUESS_CONTEXT_BYTES = 1024
_NON_ASCII_BYTE = re.compile(rb"[\x80-\xff]")
# A charset declared in an HTML <meta> tag or XML prolog is looked for this far.
DECLARATION_SAMPLE_BYTES = 4096
_DECLARED_CHARSET = re.compile(
    rb"""<(?:meta|\?xml)\b[^>]*?(?:charset|encoding)\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""",
    re.IGNORECASE,
)
# Invalid bytes in otherwise valid UTF-8 (a damaged archive) are replaced rather than the
# whole text guessed anew, when valid non-ASCII characters outnumber them this many times.
MOSTLY_UTF8_RATIO = 3

# Leading bytes of common binary formats, with what to call them in a message.
BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or a DOCX, XLSX or EPUB file)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"\x7fELF", "an executable program"),
)
# Text has (almost) no control characters besides tab and line breaks; binary data has
# many. Judged on a leading sample, above this share the input is refused as binary.
BINARY_SAMPLE = 8192
BINARY_CONTROL_SHARE = 0.05
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])
_NON_CONTROL_BYTES = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# UTF-16 without a byte-order mark: in mostly-ASCII text, one byte of each pair is NUL.
UTF16_NUL_SHARE = 0.7

# Normalisation: every line break becomes "\n"; other control characters are dropped, and
# so are lone surrogates (from lossy decoding elsewhere), which no output could encode.
_LINE_BREAKS = re.compile("\r\n?|[\v\f\x85\u2028\u2029]")
_DROPPED = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

HTML_EXTENSIONS = (".html", ".htm", ".xhtml")
HTML_PREFIXES = ("<!doctype html", "<html")
# Sniffing looks this far into the text for HTML tags (opening or closing), and wants at
# least this many.
HTML_SNIFF_CHARS = 65_536
MIN_HTML_TAGS = 3
_HTML_TAG = re.compile(
    r"</?(?:p|div|body|head|html|span|br|h[1-6]|ul|ol|li|table|tr|td|article|section|header"
    r"|footer|nav|main|meta|title|a|img|script|style)\b[^<>]*>",
    re.IGNORECASE,
)
_HTML_ROOT = re.compile(r"<(?:html|body)\b", re.IGNORECASE)
# What trafilatura keeps from a page without an article is menu and link text: short
# lines. Main text has at least one paragraph of this many words.
MIN_PARAGRAPH_WORDS = 5
# Dates come from the page's metadata only: searching the body would take a date the
# article mentions for its publication date. A fixed latest date keeps runs reproducible.
HTML_DATE_PARAMS = {"original_date": True, "extensive_search": False, "max_date": "2100-01-01"}

# A plain-text title: a short first line without a final full stop, then a blank line.
TITLE_MAX_CHARS = 300
_TITLE = re.compile(r"([^\n]+)\n[ \t]*\n")

_ISO_DATE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(Z|[+-](\d{2})(?::?(\d{2}))?)?)?"
)

JSONL_STRING_FIELDS = ("title", "outlet", "url", "published", "home")


@dataclass
class _Decoded:
    """Text decoded from bytes, the encoding used and any note for the user."""

    text: str
    encoding: str
    notes: list[str] = field(default_factory=list)


def max_chars_from_env() -> int:
    """The text size limit: SAYSO_MAX_CHARS when set, else DEFAULT_MAX_CHARS."""
    raw = os.environ.get(MAX_CHARS_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_CHARS
    try:
        value = int(raw.replace(",", ""))
    except ValueError:
        value = 0
    if value <= 0:
        raise InputError(
            f"{MAX_CHARS_ENV} must be a positive whole number of characters, not {raw!r}"
        )
    return value


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode ``data`` and name the encoding used; see _decode for the order of attempts.

    Raises BinaryInputError for binary data and DecodingError when no encoding fits.
    """
    decoded = _decode(data)
    return decoded.text, decoded.encoding


def normalise_text(text: str) -> str:
    """Give text the one form all offsets refer to.

    Line breaks become "\\n", control characters other than "\\n" and "\\t" and lone
    surrogates are dropped, the text is NFC-normalised and stripped of outer whitespace
    and a leading BOM. Idempotent.
    """
    text = _LINE_BREAKS.sub("\n", text)
    text = _DROPPED.sub("", text)
    text = unicodedata.normalize("NFC", text)
    return text.lstrip("\ufeff").strip()


def looks_like_html(text: str, filename: str | None = None) -> bool:
    """Whether to extract ``text`` as HTML: by file extension, else by sniffing for tags."""
    if filename and Path(filename).suffix.lower() in HTML_EXTENSIONS:
        return True
    head = text[:HTML_SNIFF_CHARS].lstrip("\ufeff \t\r\n").lower()
    if head.startswith(HTML_PREFIXES) or (head.startswith("<?xml") and "<html" in head):
        return True
    return len(_HTML_TAG.findall(head)) >= MIN_HTML_TAGS


def read_article(
    data: bytes | str,
    *,
    filename: str | None = None,
    title: str | None = None,
    outlet: str | None = None,
    url: str | None = None,
    published: str | None = None,
    article_id: str | None = None,
    max_chars: int | None = None,
    check_language: bool = True,
    home: str | None = None,
) -> Article:
    """Turn raw input (plain text or HTML, bytes in any common encoding) into an Article.

    Explicit ``title``, ``outlet``, ``url`` and ``published`` override what HTML metadata
    or the plain-text title line say; ``home`` (where the outlet is based) is kept as
    given. Raises an InputError subclass for unusable input.
    """
    limit = _resolve_limit(max_chars)
    given = Meta(
        title=title, outlet=outlet, url=url, published=_check_published(published), home=home
    )
    raw, warnings = _decode_input(data, limit)
    return _build_article(
        raw,
        is_html=looks_like_html(raw, filename),
        given=given,
        article_id=article_id,
        warnings=warnings,
        limit=limit,
        check_language=check_language,
    )


def read_path(path: str | Path, **overrides: Any) -> Article:
    """Read one article from a file, or from standard input when ``path`` is "-".

    ``overrides`` are read_article's keyword arguments; the file name picks HTML by its
    extension unless ``filename`` is given.
    """
    limit = _resolve_limit(overrides.get("max_chars"))
    if str(path) == "-":
        data = _read_bounded(sys.stdin.buffer, limit, "standard input")
    else:
        data = _read_file(Path(path), limit)
        overrides.setdefault("filename", str(path))
    return read_article(data, **overrides)


def iter_jsonl(
    lines: Iterable[bytes | str], *, max_chars: int | None = None, check_language: bool = True
) -> Iterator[tuple[int, Article | InputError]]:
    """Read JSONL, one article a line, yielding (1-based line number, Article or error).

    A record holds "text" (plain text) or "html", and optionally "url", "outlet",
    "published", "id", "title" and "home". Blank lines are skipped; a bad line yields its error
    instead of stopping the batch.
    """
    limit = _resolve_limit(max_chars)
    for number, line in enumerate(lines, start=1):
        result = _read_jsonl_line(line, limit, check_language)
        if result is not None:
            yield number, result


def _resolve_limit(max_chars: int | None) -> int:
    """The character limit: the argument when given, else the environment's or default."""
    if max_chars is None:
        return max_chars_from_env()
    if max_chars <= 0:
        raise InputError(f"the character limit must be positive, not {max_chars}")
    return max_chars


def _byte_size(size: int) -> str:
    """ "7.2 MB" for big inputs, "812 bytes" for small ones (a tiny --max-chars)."""
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size:,} bytes"


def _check_raw_size(size: int, limit: int, unit: str) -> None:
    """Refuse input that cannot fit the limit, before any costly decoding or parsing."""
    if size > MAX_BYTES_PER_CHAR * limit:
        amount = _byte_size(size) if unit == "bytes" else f"{size:,} characters"
        raise InputTooLargeError(
            f"input is {amount}, too much for the limit of {limit:,} characters of text; "
            f"{LIMIT_HINT}"
        )


def _check_text_size(size: int, limit: int) -> None:
    """Refuse text longer than the limit."""
    if size > limit:
        raise InputTooLargeError(
            f"input has {size:,} characters of text, over the limit of {limit:,}; {LIMIT_HINT}"
        )


def _decode_input(data: bytes | str, limit: int) -> tuple[str, list[str]]:
    """Raw text from bytes or str, checked for size and binary content, with notes."""
    if isinstance(data, str):
        _check_raw_size(len(data), limit, "characters")
        _refuse_binary_text(data)
        return data, []
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"input must be bytes or str, not {type(data).__name__}")
    data = bytes(data)
    if not data:
        raise EmptyInputError("input is empty (0 bytes); pass an article's text or HTML")
    _check_raw_size(len(data), limit, "bytes")
    decoded = _decode(data)
    return decoded.text, decoded.notes


def _decode(data: bytes) -> _Decoded:
    """Decode bytes by their byte-order mark, else as _decode_unmarked; refuse binary."""
    decoded = _decode_bom(data) or _decode_unmarked(data)
    _refuse_binary_text(decoded.text)
    return decoded


def _decode_unmarked(data: bytes) -> _Decoded:
    """Decode bytes without a byte-order mark: UTF-16 by its NULs, strict UTF-8, the
    declared charset, UTF-8 with a few damaged bytes, then a guess."""
    kind = _binary_kind(data)
    decoded = None if kind else _decode_utf16_without_bom(data)
    if decoded is not None:
        return decoded
    _refuse_binary(kind, _control_share(data))
    try:
        return _Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    decoded = _decode_declared(data) or _decode_mostly_utf8(data) or _decode_guessed(data)
    if decoded is None:
        raise DecodingError(
            "cannot tell the text encoding of the input: it is not UTF-8 and no other "
            "encoding fits; convert it to UTF-8 first (for example with iconv)"
        )
    return decoded


def _decode_bom(data: bytes) -> _Decoded | None:
    """Decode by a byte-order mark, which is trusted over any guess."""
    for mark, encoding in BYTE_ORDER_MARKS:
        if data.startswith(mark):
            codec = "utf-8" if encoding == "utf-8-sig" else encoding
            try:
                text = data[len(mark) :].decode(codec)
            except UnicodeDecodeError as error:
                raise DecodingError(
                    f"input starts with a {encoding} byte-order mark but is not valid "
                    f"{codec} (bad bytes at offset {error.start + len(mark)}); convert it "
                    "to UTF-8 first"
                ) from error
            notes = [] if encoding in QUIET_ENCODINGS else [f"decoded as {encoding}"]
            return _Decoded(text, encoding, notes)
    return None


def _decode_utf16_without_bom(data: bytes) -> _Decoded | None:
    """Recognise mostly-ASCII UTF-16 without a BOM, whose NULs would look binary."""
    sample = data[:BINARY_SAMPLE]
    half = len(sample) // 2
    if half == 0:
        return None
    even_nuls = sample[0::2].count(0) / half
    odd_nuls = sample[1::2].count(0) / half
    if even_nuls >= UTF16_NUL_SHARE and odd_nuls < 1 - UTF16_NUL_SHARE:
        encoding = "utf-16-be"
    elif odd_nuls >= UTF16_NUL_SHARE and even_nuls < 1 - UTF16_NUL_SHARE:
        encoding = "utf-16-le"
    else:
        return None
    try:
        return _Decoded(data.decode(encoding), encoding, [f"decoded as {encoding}"])
    except UnicodeDecodeError:
        return None


def _binary_kind(head: bytes) -> str | None:
    """Name a known binary format from the first bytes, if it is one."""
    return next((name for magic, name in BINARY_SIGNATURES if head.startswith(magic)), None)


def _control_share(data: bytes) -> float:
    """The share of control bytes (other than tab and line breaks) in a leading sample."""
    sample = data[:BINARY_SAMPLE]
    return len(sample.translate(None, _NON_CONTROL_BYTES)) / len(sample) if sample else 0.0


def _refuse_binary_text(text: str) -> None:
    """Raise BinaryInputError for text that holds a binary file or many control characters."""
    sample = text[:BINARY_SAMPLE]
    if not sample:
        return
    head = sample[:16].encode("latin-1", errors="replace")
    controls = len(_CONTROL_CHARS.findall(sample))
    _refuse_binary(_binary_kind(head), controls / len(sample))


def _refuse_binary(kind: str | None, control_share: float) -> None:
    """Raise BinaryInputError naming the format, or the share of control characters."""
    if kind is not None:
        raise BinaryInputError(
            f"input is {kind}, not text or HTML; extract the article's text from it first"
        )
    if control_share > BINARY_CONTROL_SHARE:
        raise BinaryInputError(
            f"input looks binary ({control_share:.0%} control characters), not text or "
            "HTML; pass the article's text or HTML"
        )


def _canonical_encoding(name: str) -> str | None:
    """Python's name for an encoding label, with browser aliases, or None if unknown."""
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return None
    return ENCODING_ALIASES.get(canonical, canonical)


def _try_decode(data: bytes, name: str, how: str) -> _Decoded | None:
    """Decode strictly with encoding ``name``, or None when it does not fit."""
    encoding = _canonical_encoding(name)
    if encoding is None or encoding.startswith(("utf-8", "utf-16", "utf-32")):
        return None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    return _Decoded(text, encoding, [f"decoded as {encoding} ({how})"])


def _decode_declared(data: bytes) -> _Decoded | None:
    """Decode by the charset an HTML or XML document declares, when it fits.

    Old archives often declare the wrong charset (latin-1 on cp1251 pages), so a
    declaration whose text looks garbled is ignored in favour of a guess.
    """
    match = _DECLARED_CHARSET.search(data[:DECLARATION_SAMPLE_BYTES])
    if match is None:
        return None
    decoded = _try_decode(data, match.group(1).decode("ascii"), "declared in the document")
    if decoded is None or _implausibility(decoded.text[:GUESS_SAMPLE_BYTES]) > MAX_IMPLAUSIBILITY:
        return None
    return decoded


def _decode_mostly_utf8(data: bytes) -> _Decoded | None:
    """Accept UTF-8 with a few damaged bytes, replacing them, as archives often hold."""
    text = data.decode("utf-8", errors="replace")
    damaged = text.count("\ufffd")
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    if non_ascii - damaged < MOSTLY_UTF8_RATIO * damaged:
        return None
    note = f"input is not valid UTF-8: {damaged} damaged byte sequence(s) replaced by U+FFFD"
    return _Decoded(text, "utf-8", [note])


def _decode_guessed(data: bytes) -> _Decoded | None:
    """Guess the encoding: the candidate whose decoded sample is most plausible wins.

    Candidates are what charset-normalizer proposes (with the encodings it found
    equivalent) and PREFERRED_ENCODINGS, which it sometimes leaves out (cp1251 for
    English quoting a few Russian words). Ties go to charset-normalizer's mess measure
    (as clean as the best proposal for one it did not propose), then to
    PREFERRED_ENCODINGS. None when no candidate gives plausible text.
    """
    first = _NON_ASCII_BYTE.search(data)
    start = max(0, first.start() - GUESS_CONTEXT_BYTES) if first else 0
    sample = data[start : start + GUESS_SAMPLE_BYTES]
    chaos: dict[str, float] = {}
    for match in charset_normalizer.from_bytes(sample):
        for name in match.could_be_from_charset:
            encoding = _canonical_encoding(name)
            if encoding is not None:
                chaos[encoding] = min(chaos.get(encoding, match.chaos), match.chaos)
    cleanest = min(chaos.values(), default=0.0)
    for encoding in PREFERRED_ENCODINGS:
        chaos.setdefault(encoding, cleanest)
    ranks = {
        encoding: (
            _implausibility(sample.decode(encoding, errors="replace")),
            round(value, 3),
            _preference(encoding),
        )
        for encoding, value in chaos.items()
        if not encoding.startswith(("utf-8", "utf-16", "utf-32"))
    }
    for encoding in sorted(ranks, key=ranks.__getitem__):
        if ranks[encoding][0] > MAX_IMPLAUSIBILITY:
            break
        decoded = _try_decode(data, encoding, "guessed")
        if decoded is not None:
            return decoded
    return None


def _implausibility(text: str) -> float:
    """Share of non-ASCII characters that look like a wrong code page's output.

    Those are symbols that are neither letters nor common typography ("ˆ", "³", U+FFFD),
    and the letters of words that mix scripts ("cafй"), are Latin but have no ASCII
    letter at all ("âàæíûé" is Russian read as cp1252), or switch to upper case inside
    ("вЮФМШИ" is cp1251 read as koi8-r).
    """
    chars = _NON_ASCII_CHAR.findall(text)
    if not chars:
        return 0.0
    odd = sum(
        n
        for char, n in Counter(chars).items()
        if unicodedata.category(char) not in PLAUSIBLE_CATEGORIES and char not in TYPOGRAPHY
    )
    odd += sum(
        n * sum(not char.isascii() for char in word)
        for word, n in Counter(_NON_ASCII_WORD.findall(text)).items()
        if _looks_garbled(word)
    )
    return round(odd / len(chars), 3)


def _looks_garbled(word: str) -> bool:
    """Whether a word with non-ASCII letters is unlikely in any real language."""
    letters = [char for char in word if char.isalpha()]
    scripts = {script_of(char) for char in letters}
    if len(scripts) > 1:
        return True
    if scripts == {"Latin"} and len(letters) >= 3 and not any(c.isascii() for c in letters):
        return True
    return any(a.islower() and b.isupper() for a, b in pairwise(letters))


def _preference(encoding: str) -> int:
    """Rank of an encoding in PREFERRED_ENCODINGS, after all of them when not listed."""
    if encoding in PREFERRED_ENCODINGS:
        return PREFERRED_ENCODINGS.index(encoding)
    return len(PREFERRED_ENCODINGS)


def _check_published(value: str | None, error: type[InputError] = InputError) -> str | None:
    """Return a valid ISO date or date-time as given (stripped), raising ``error`` else."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not _valid_iso_date(value):
        raise error(
            f"published date {value!r} is not an ISO date; give it as YYYY-MM-DD or as an "
            "ISO date-time such as 2024-03-05T14:30:00Z"
        )
    return value


def _valid_iso_date(value: str) -> bool:
    """Whether ``value`` is YYYY-MM-DD or an ISO date-time naming a real moment."""
    match = _ISO_DATE.fullmatch(value)
    if match is None:
        return False
    year, month, day, hour, minute, second, _, offset_hours, offset_minutes = match.groups()
    try:
        datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0))
    except ValueError:
        return False
    return int(second or 0) < 60 and int(offset_hours or 0) < 24 and int(offset_minutes or 0) < 60


def _build_article(
    raw: str,
    *,
    is_html: bool,
    given: Meta,
    article_id: str | None,
    warnings: list[str],
    limit: int,
    check_language: bool,
) -> Article:
    """Normalise (and for HTML extract) the text, fill metadata and check the language."""
    text = normalise_text(raw)
    if not text:
        raise EmptyInputError(
            "input has no text (it is empty or only whitespace); pass an article's text or HTML"
        )
    if is_html:
        text, meta, notes = _extract_html(text, given.url)
        warnings = warnings + notes
    else:
        meta = Meta(title=_plain_title(text))
    _check_text_size(len(text), limit)
    meta = _apply_given(meta, given)
    guess = guess_language(text)
    meta.language = guess.code
    error = language_error(guess)
    if error is not None:
        if check_language:
            raise error
        warnings = [
            *warnings,
            f"language check off: the text looks like {language_name(guess.code)}",
        ]
    return Article(text=text, meta=meta, id=article_id, warnings=warnings)


def _plain_title(text: str) -> str | None:
    """The first line as title when it looks like one; it stays in the text."""
    match = _TITLE.match(text)
    if match is None or not text[match.end() :].strip():
        return None
    line = match.group(1).strip()
    if not line or len(line) >= TITLE_MAX_CHARS or line.endswith("."):
        return None
    return line


def _apply_given(meta: Meta, given: Meta) -> Meta:
    """Let metadata the caller gave explicitly override what was found in the input."""
    updates = {
        name: value.strip()
        for name in ("title", "outlet", "url", "published", "home")
        if (value := getattr(given, name)) and value.strip()
    }
    return replace(meta, **updates)


def _extract_html(html: str, url: str | None) -> tuple[str, Meta, list[str]]:
    """Main text (paragraphs separated by blank lines) and metadata of an HTML page."""
    document = _run_trafilatura(html, url)
    body = getattr(document, "text", None) or ""
    paragraphs = [line.strip() for line in body.split("\n") if line.strip()]
    text = normalise_text("\n\n".join(paragraphs))
    if not any(len(paragraph.split()) >= MIN_PARAGRAPH_WORDS for paragraph in paragraphs):
        raise NoMainTextError(
            "found no main text in the HTML (only navigation, boilerplate or nothing); pass "
            "the HTML of the article page itself, or the article's text"
        )
    notes = [
        f"HTML: boilerplate removed, {len(text):,} characters of main text kept "
        f"of {len(html):,} characters of HTML"
    ]
    published = _clean(getattr(document, "date", None))
    if published and not _valid_iso_date(published):
        notes.append(f"HTML: ignored publication date {published!r}, not an ISO date")
        published = None
    meta = Meta(
        title=_clean(getattr(document, "title", None)),
        outlet=_clean(getattr(document, "sitename", None)),
        url=_clean(getattr(document, "url", None)),
        published=published,
        author=_clean(getattr(document, "author", None)),
    )
    return text, meta, notes


def _run_trafilatura(html: str, url: str | None) -> Any:
    """Run trafilatura's extraction; a parser failure becomes NoMainTextError."""
    # Imported here: it takes a noticeable time to load and plain text does not need it.
    import trafilatura

    if not _HTML_ROOT.search(html[:HTML_SNIFF_CHARS]):
        # trafilatura finds nothing in a bare fragment such as "<p>...</p>".
        html = f"<html><body>{html}</body></html>"
    try:
        return trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            date_extraction_params=dict(HTML_DATE_PARAMS),
        )
    except Exception as error:  # a third-party parser can fail in many ways on junk
        raise NoMainTextError(
            f"could not parse the HTML ({type(error).__name__}: {error}); pass the article's "
            "text instead"
        ) from error


def _clean(value: object) -> str | None:
    """A metadata value as a stripped, normalised string, or None when empty."""
    if not isinstance(value, str):
        return None
    return normalise_text(value) or None


def _read_bounded(stream: IO[bytes], limit: int, name: str) -> bytes:
    """Read a stream, stopping as soon as it is too large for the limit."""
    cap = MAX_BYTES_PER_CHAR * limit
    data = stream.read(cap + 1)
    if len(data) > cap:
        raise InputTooLargeError(
            f"{name} is over {_byte_size(cap)}, too much for the limit of {limit:,} "
            f"characters of text; {LIMIT_HINT}"
        )
    return data


def _read_file(path: Path, limit: int) -> bytes:
    """Read a file's bytes, turning OS errors into InputError with the path."""
    try:
        with path.open("rb") as stream:
            return _read_bounded(stream, limit, str(path))
    except FileNotFoundError as error:
        raise InputError(f"no such file: {path}") from error
    except IsADirectoryError as error:
        raise InputError(f"{path} is a directory; pass a file, or - for standard input") from error
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or error}") from error


def _read_jsonl_line(
    line: bytes | str, limit: int, check_language: bool
) -> Article | InputError | None:
    """One JSONL line as an Article, its error, or None when the line is blank."""
    try:
        record = _parse_record(line, limit)
        if record is None:
            return None
        return _record_article(record, limit, check_language)
    except InputError as error:
        return error


def _parse_record(line: bytes | str, limit: int) -> dict[str, Any] | None:
    """Parse one JSONL line into a JSON object; None for a blank line."""
    if isinstance(line, (bytes, bytearray)):
        _check_raw_size(len(line), limit, "bytes")
        try:
            line = bytes(line).decode("utf-8")
        except UnicodeDecodeError as error:
            raise MalformedRecordError(
                f"line is not valid UTF-8 (bad byte at offset {error.start}); JSONL must be UTF-8"
            ) from error
    else:
        _check_raw_size(len(line), limit, "characters")
    line = line.lstrip("\ufeff")
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise MalformedRecordError(
            f"line is not valid JSON ({error.msg} at column {error.colno}); each line must "
            "hold one JSON object"
        ) from error
    except (ValueError, RecursionError) as error:
        raise MalformedRecordError(f"line is not usable JSON ({error})") from error
    if not isinstance(record, dict):
        raise MalformedRecordError(
            f"line holds a JSON {_json_type(record)}, not an object; each line must hold one "
            'object such as {"text": "..."}'
        )
    return record


def _record_article(record: dict[str, Any], limit: int, check_language: bool) -> Article:
    """Build the Article a JSONL record describes."""
    strings = {name: _record_string(record, name) for name in JSONL_STRING_FIELDS}
    text, html = _record_string(record, "text"), _record_string(record, "html")
    warnings: list[str] = []
    if text is not None:
        body, is_html = text, False
        if html is not None:
            warnings.append('record has both "text" and "html"; used "text"')
    elif html is not None:
        body, is_html = html, True
    else:
        raise MalformedRecordError(
            'record has neither "text" nor "html"; give the article in one of them'
        )
    given = Meta(
        title=strings["title"],
        outlet=strings["outlet"],
        url=strings["url"],
        published=_check_published(strings["published"], MalformedRecordError),
        home=strings["home"],
    )
    raw, notes = _decode_input(body, limit)
    return _build_article(
        raw,
        is_html=is_html,
        given=given,
        article_id=_record_id(record),
        warnings=warnings + notes,
        limit=limit,
        check_language=check_language,
    )


def _record_string(record: dict[str, Any], name: str) -> str | None:
    """A record field that must be a string when present."""
    value = record.get(name)
    if value is None or isinstance(value, str):
        return value
    raise MalformedRecordError(f'field "{name}" must be a string, not {_json_type(value)}')


def _record_id(record: dict[str, Any]) -> str | None:
    """The record's "id" as a string; numbers are accepted and converted."""
    value = record.get("id")
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise MalformedRecordError(f'field "id" must be a string or a number, not {_json_type(value)}')


def _json_type(value: object) -> str:
    """The JSON name of a parsed value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {dict: "object", list: "array", str: "string"}.get(type(value), type(value).__name__)
