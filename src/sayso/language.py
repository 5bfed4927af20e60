"""A small, dependency-free check that a text is English.

sayso's rules only make sense for English, so foreign text is refused early with a message
that names the language. Detection works in two steps on a bounded sample of the text (so
it costs the same on a 5 MB article as on a 20 KB one):

1. by script: if most letters are Cyrillic, Arabic, Han, Greek... the text is not English;
2. for Latin script, by the share of words that are very frequent function words of
   English versus those of other Latin-script languages.

Short texts cannot be judged reliably and pass as English with a low confidence.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from typing import NamedTuple

from sayso.errors import UnsupportedLanguageError

# Only this many characters from the start are looked at: enough for a stable verdict.
SAMPLE_CHARS = 20_000
# A non-Latin script must hold more than this share of the letters, and at least this many
# letters, to decide the language (so an English article quoting Russian words passes).
SCRIPT_MAJORITY = 0.5
MIN_SCRIPT_LETTERS = 20
# Fewer words than this cannot be judged by function words: the text passes as English.
MIN_WORDS = 20
# The confidence given to a short text that passes as English unjudged.
SHORT_TEXT_CONFIDENCE = 0.3
# Another language wins when its function words are at least this share of all words and
# this many times as frequent as English ones.
FOREIGN_MIN_SHARE = 0.12
FOREIGN_MARGIN = 1.5
# English prose has about a quarter to a half of its words in EN_FUNCTION_WORDS; text
# with at least UNKNOWN_MIN_WORDS words and fewer than UNKNOWN_MAX_EN_SHARE of them is not
# English, even when no listed language matches.
EN_TYPICAL_SHARE = 0.25
UNKNOWN_MAX_EN_SHARE = 0.05
UNKNOWN_MIN_WORDS = 50
# require_english refuses a non-English verdict only at or above this confidence.
REFUSE_CONFIDENCE = 0.5

UNDETERMINED = "und"

# Script blocks as (first code point, last code point, script name). Latin letters are
# recognised before this table is consulted. Sorted by first code point.
SCRIPT_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0370, 0x03FF, "Greek"),
    (0x0400, 0x052F, "Cyrillic"),
    (0x0530, 0x058F, "Armenian"),
    (0x0590, 0x05FF, "Hebrew"),
    (0x0600, 0x06FF, "Arabic"),
    (0x0750, 0x077F, "Arabic"),
    (0x08A0, 0x08FF, "Arabic"),
    (0x0900, 0x097F, "Devanagari"),
    (0x0980, 0x09FF, "Bengali"),
    (0x0A00, 0x0A7F, "Gurmukhi"),
    (0x0A80, 0x0AFF, "Gujarati"),
    (0x0B80, 0x0BFF, "Tamil"),
    (0x0C00, 0x0C7F, "Telugu"),
    (0x0C80, 0x0CFF, "Kannada"),
    (0x0D00, 0x0D7F, "Malayalam"),
    (0x0D80, 0x0DFF, "Sinhala"),
    (0x0E00, 0x0E7F, "Thai"),
    (0x0E80, 0x0EFF, "Lao"),
    (0x1000, 0x109F, "Myanmar"),
    (0x10A0, 0x10FF, "Georgian"),
    (0x1100, 0x11FF, "Hangul"),
    (0x1200, 0x137F, "Ethiopic"),
    (0x1780, 0x17FF, "Khmer"),
    (0x1C80, 0x1C8F, "Cyrillic"),
    (0x1F00, 0x1FFF, "Greek"),
    (0x2DE0, 0x2DFF, "Cyrillic"),
    (0x3040, 0x309F, "Kana"),
    (0x30A0, 0x30FF, "Kana"),
    (0x3130, 0x318F, "Hangul"),
    (0x31F0, 0x31FF, "Kana"),
    (0x3400, 0x4DBF, "Han"),
    (0x4E00, 0x9FFF, "Han"),
    (0xA640, 0xA69F, "Cyrillic"),
    (0xAC00, 0xD7AF, "Hangul"),
    (0xF900, 0xFAFF, "Han"),
    (0xFB50, 0xFDFF, "Arabic"),
    (0xFE70, 0xFEFF, "Arabic"),
    (0xFF66, 0xFF9F, "Kana"),
    (0x20000, 0x2FFFF, "Han"),
)
_RANGE_STARTS = tuple(first for first, _, _ in SCRIPT_RANGES)

# The language a script most likely means; SCRIPT_MARKERS refines some of them.
SCRIPT_LANGUAGE: dict[str, str] = {
    "Greek": "el",
    "Cyrillic": "ru",
    "Armenian": "hy",
    "Hebrew": "he",
    "Arabic": "ar",
    "Devanagari": "hi",
    "Bengali": "bn",
    "Gurmukhi": "pa",
    "Gujarati": "gu",
    "Tamil": "ta",
    "Telugu": "te",
    "Kannada": "kn",
    "Malayalam": "ml",
    "Sinhala": "si",
    "Thai": "th",
    "Lao": "lo",
    "Myanmar": "my",
    "Georgian": "ka",
    "Hangul": "ko",
    "Ethiopic": "am",
    "Khmer": "km",
    "Kana": "ja",
    "Han": "zh",
    "Han and Kana": "ja",
}
# Japanese mixes Han with kana, Chinese has (almost) no kana: the two count together as
# "Han and Kana" (Japanese) when kana are at least this share of them.
KANA_SHARE_FOR_JAPANESE = 0.1

# Latin letters: Basic Latin to Latin Extended-B and IPA, plus Latin Extended Additional
# (Vietnamese); the second block is checked separately.
LATIN_LAST = 0x02AF
LATIN_EXTENDED_ADDITIONAL = (0x1E00, 0x1EFF)

# Within one script, letters that single out a language, checked in order. A language
# wins when its letters make up at least MARKER_SHARE of the script's letters.
MARKER_SHARE = 0.005
SCRIPT_MARKERS: dict[str, tuple[tuple[str, str], ...]] = {
    "Cyrillic": (
        ("be", "ў"),
        ("uk", "їєґі"),
        ("mk", "ѓќѕ"),
        ("sr", "ђћџ"),
        ("ru", "ыэё"),
        ("bg", "ъ"),
    ),
    "Arabic": (("ur", "ٹڈڑںے"), ("fa", "پچژگ")),
}

LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "am": "Amharic",
    "ar": "Arabic",
    "be": "Belarusian",
    "bg": "Bulgarian",
    "bn": "Bengali",
    "cs": "Czech",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "es": "Spanish",
    "fa": "Persian",
    "fi": "Finnish",
    "fr": "French",
    "gu": "Gujarati",
    "he": "Hebrew",
    "hi": "Hindi",
    "hu": "Hungarian",
    "hy": "Armenian",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ka": "Georgian",
    "km": "Khmer",
    "kn": "Kannada",
    "ko": "Korean",
    "lo": "Lao",
    "mk": "Macedonian",
    "ml": "Malayalam",
    "my": "Burmese",
    "nl": "Dutch",
    "no": "Norwegian",
    "pa": "Punjabi",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "si": "Sinhala",
    "sr": "Serbian",
    "sv": "Swedish",
    "ta": "Tamil",
    "te": "Telugu",
    "th": "Thai",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "vi": "Vietnamese",
    "zh": "Chinese",
    UNDETERMINED: "an undetermined language",
}

# The most frequent function words of each Latin-script language, lower case. Words are
# split at apostrophes, so French and Italian elisions ("l'", "d'", "qu'") count as "l",
# "d", "qu". Shared words ("a", "in", "de") count for every language that lists them.
FUNCTION_WORDS: dict[str, str] = {
    "en": (
        "the of and to a in is that it was for on are with as he his they be at by this have "
        "from or had not but were which said would been has their who will an she her its we "
        "there after"
    ),
    "fr": (
        "le la les de des du et est un une dans que qui pour pas sur au aux avec ce il elle "
        "ont sont été mais par plus ne se son sa ses cette nous vous leur l d qu"
    ),
    "de": (
        "der die das und ist nicht ein eine einen dem den des zu mit sich auf für von im "
        "auch es sie wird wurde werden hat haben nach bei aus dass wie noch sind oder aber "
        "er"
    ),
    "es": (
        "el la los las de del y en que un una es por con para se no al su sus lo como más "
        "pero fue ha han este esta sobre entre también según dijo"
    ),
    "it": (
        "il lo la gli le di del della dei e è che un una per con non si nel nella al alla "
        "sono ha anche come ma più questo questa dal delle degli l"
    ),
    "pt": (
        "o os a as de do da dos das e é que um uma em no na nos nas para com não se por ao "
        "mais como mas foi são seu sua também pelo pela"
    ),
    "nl": (
        "de het een en van is dat die in te op niet met voor zijn er aan ook als bij om "
        "maar naar dan werd wordt worden heeft hij zij ze uit nog door"
    ),
    "pl": (
        "i w z na się nie do to że jest o jak ale po od przez dla jego jej są tak co za czy "
        "przy już był była było tylko ich oraz może"
    ),
    "tr": (
        "ve bir bu da de için ile çok olarak daha gibi en ne o ama olan kadar sonra var yok "
        "değil her şey ise ki mi diye göre olduğunu dedi veya ancak"
    ),
    "sv": (
        "och i att det som en på är av för med till den har de inte om ett han men var jag "
        "sig från vi så kan hon när efter eller också"
    ),
    "da": (
        "og i at det er en til på af som med for den de ikke har et han var sig men fra om "
        "vi så kan efter også hun blev eller ved der"
    ),
    "no": (
        "og i det er en til på av som med for den de ikke har et han var seg men fra om vi "
        "så kan etter også hun ble eller ved jeg at"
    ),
    "fi": (
        "ja on ei se että oli hän mutta kun myös tai ovat joka sen ole mukaan jo niin kuin "
        "vain sekä nyt tämä hänen olla voi jos sitä"
    ),
    "cs": (
        "a je se v na že to s z o do i jako by pro k ale jsou byl bylo od po za už jeho "
        "které který která tak také podle není"
    ),
    "ro": (
        "și de în la cu a că pe nu din o un care este fost mai pentru sau se ce au al ale "
        "lui prin după dar fi sunt acest această"
    ),
    "hu": (
        "a az és hogy nem is egy meg de van volt ki el csak mint már még vagy ez azt ha "
        "kell után szerint pedig lesz között mert amely akkor"
    ),
    "id": (
        "yang dan di ini itu dengan untuk dari dalam tidak akan pada ke juga ada oleh atau "
        "karena telah mereka bisa sudah saat kata adalah lebih seperti bahwa kami orang"
    ),
    "vi": (
        "và của là có được các cho trong những với không người này đã một để khi cũng từ "
        "đến về sẽ như theo nhiều năm đó ra nói"
    ),
}
_FUNCTION_SETS = {code: frozenset(words.split()) for code, words in FUNCTION_WORDS.items()}

_WORD = re.compile(r"[^\W\d_]+")


class LanguageGuess(NamedTuple):
    """A verdict: ISO 639-1 code (or "und"), confidence in [0, 1], and the script seen."""

    code: str
    confidence: float
    script: str


def language_name(code: str) -> str:
    """The English name of a language code, for messages."""
    return LANGUAGE_NAMES.get(code, code)


def detect_language(text: str) -> tuple[str, float]:
    """Guess the language of ``text`` from its first SAMPLE_CHARS characters.

    Returns an ISO 639-1 code, or "und" when the text has no letters or is clearly not
    English without matching a known language, and a confidence in [0, 1].
    """
    guess = guess_language(text)
    return guess.code, guess.confidence


def require_english(text: str) -> None:
    """Raise UnsupportedLanguageError when ``text`` is confidently not English."""
    error = language_error(guess_language(text))
    if error is not None:
        raise error


def language_error(guess: LanguageGuess) -> UnsupportedLanguageError | None:
    """The error that refuses a guess, or None when the text may pass as English."""
    if guess.code == "en" or guess.confidence < REFUSE_CONFIDENCE:
        return None
    return UnsupportedLanguageError(
        f"the text looks like {_describe(guess)}, not English (confidence "
        f"{guess.confidence:.2f}); sayso analyses English articles only: translate it first, "
        "or, if it is English, skip this check with --any-language (check_language=False)"
    )


def guess_language(text: str) -> LanguageGuess:
    """Decide by script first, then, for Latin script, by function words."""
    sample = text[:SAMPLE_CHARS]
    scripts = _count_scripts(sample)
    letters = sum(scripts.values())
    if letters == 0:
        return LanguageGuess(UNDETERMINED, 0.0, "none")
    script, count = _dominant_script(scripts)
    if script != "Latin" and count >= MIN_SCRIPT_LETTERS and count / letters > SCRIPT_MAJORITY:
        code = _script_language(script, sample, count)
        return LanguageGuess(code, round(count / letters, 2), script)
    return _guess_latin(sample)


def _describe(guess: LanguageGuess) -> str:
    """Name the language and script of a guess for a message."""
    if guess.code != UNDETERMINED:
        return f"{language_name(guess.code)} ({guess.script} script)"
    if guess.script == "Latin":
        return "a language in Latin script with almost none of the common English words"
    return "text in a script sayso does not recognise"


def script_of(char: str) -> str:
    """The script of one letter."""
    point = ord(char)
    if point <= LATIN_LAST or LATIN_EXTENDED_ADDITIONAL[0] <= point <= LATIN_EXTENDED_ADDITIONAL[1]:
        return "Latin"
    index = bisect_right(_RANGE_STARTS, point) - 1
    if index >= 0:
        first, last, script = SCRIPT_RANGES[index]
        if first <= point <= last:
            return script
    return "unrecognised"


def _count_scripts(sample: str) -> Counter[str]:
    """Count the letters of each script in the sample."""
    counts: Counter[str] = Counter()
    for char, n in Counter(sample).items():
        if char.isalpha():
            counts[script_of(char)] += n
    return counts


def _dominant_script(scripts: Counter[str]) -> tuple[str, int]:
    """The script with most letters, with Han merged into kana for Japanese text."""
    merged = Counter(scripts)
    kana, han = merged["Kana"], merged["Han"]
    if kana and kana >= KANA_SHARE_FOR_JAPANESE * (kana + han):
        merged["Han and Kana"] = merged.pop("Kana") + merged.pop("Han", 0)
    return max(merged.items(), key=lambda item: item[1])


def _script_language(script: str, sample: str, script_letters: int) -> str:
    """The language of a non-Latin script, refined by tell-tale letters where known."""
    lowered = sample.lower()
    for code, marks in SCRIPT_MARKERS.get(script, ()):
        if sum(lowered.count(mark) for mark in marks) >= MARKER_SHARE * script_letters:
            return code
    return SCRIPT_LANGUAGE.get(script, UNDETERMINED)


def _guess_latin(sample: str) -> LanguageGuess:
    """Compare the shares of English and other languages' function words."""
    words = _WORD.findall(sample.lower())
    total = len(words)
    if total < MIN_WORDS:
        return LanguageGuess("en", round(SHORT_TEXT_CONFIDENCE * total / MIN_WORDS, 2), "Latin")
    counts = Counter(words)
    shares = {
        code: sum(n for word, n in counts.items() if word in vocabulary) / total
        for code, vocabulary in _FUNCTION_SETS.items()
    }
    english = shares.pop("en")
    other, other_share = max(shares.items(), key=lambda item: item[1])
    if other_share >= FOREIGN_MIN_SHARE and other_share >= english * FOREIGN_MARGIN:
        return LanguageGuess(other, round(other_share / (other_share + english), 2), "Latin")
    if english < UNKNOWN_MAX_EN_SHARE and total >= UNKNOWN_MIN_WORDS:
        return LanguageGuess(UNDETERMINED, round(1 - english / UNKNOWN_MAX_EN_SHARE, 2), "Latin")
    strength = min(1.0, english / EN_TYPICAL_SHARE)
    dominance = english / (english + other_share) if english else 0.0
    return LanguageGuess("en", round(strength * dominance, 2), "Latin")
