"""The English detector: script first, then function words, on a bounded sample."""

from __future__ import annotations

import time

import pytest

from sayso.errors import UnsupportedLanguageError
from sayso.language import (
    REFUSE_CONFIDENCE,
    SAMPLE_CHARS,
    detect_language,
    language_name,
    require_english,
)

ENGLISH = (
    "The city council said on Tuesday that it would delay the vote on the new budget until "
    "next month. According to a spokesman for the mayor, the decision was taken after several "
    "members asked for more time to study the proposals. Opposition leaders, however, claimed "
    "that the delay was a tactic to avoid a public debate before the election."
)
ENGLISH_QUOTING_RUSSIAN = (
    "The ministry spokesman described the talks as «конструктивные» but said that no agreement "
    "had been reached. He told reporters in the capital that the two sides would meet again "
    "next week, adding that the question of prisoners was «очень сложный вопрос». Diplomats "
    "from other countries were more sceptical about the chances of progress."
)
FOREIGN = {
    "ru": (
        "Городской совет во вторник заявил, что перенесёт голосование по новому бюджету на "
        "следующий месяц. По словам представителя мэра, решение было принято после того, как "
        "несколько депутатов попросили больше времени для изучения предложений."
    ),
    "de": (
        "Der Stadtrat hat am Dienstag erklärt, dass die Abstimmung über den neuen Haushalt auf "
        "den nächsten Monat verschoben wird. Nach Angaben eines Sprechers des Bürgermeisters "
        "wurde die Entscheidung getroffen, nachdem mehrere Mitglieder um mehr Zeit gebeten "
        "hatten, um die Vorschläge zu prüfen. Die Opposition sieht darin eine Taktik."
    ),
    "fr": (
        "Le conseil municipal a annoncé mardi qu'il reporterait au mois prochain le vote sur le "
        "nouveau budget. Selon un porte-parole du maire, la décision a été prise après que "
        "plusieurs membres ont demandé plus de temps pour étudier les propositions. Les "
        "dirigeants de l'opposition estiment toutefois que ce report est une tactique."
    ),
    "es": (
        "El ayuntamiento anunció el martes que aplazará hasta el mes próximo la votación sobre "
        "el nuevo presupuesto. Según un portavoz del alcalde, la decisión se tomó después de "
        "que varios concejales pidieran más tiempo para estudiar las propuestas. La oposición "
        "considera que se trata de una táctica para evitar el debate."
    ),
    "it": (
        "Il consiglio comunale ha annunciato martedì che rinvierà al mese prossimo il voto sul "
        "nuovo bilancio. Secondo un portavoce del sindaco, la decisione è stata presa dopo che "
        "diversi consiglieri hanno chiesto più tempo per studiare le proposte. L'opposizione "
        "sostiene che si tratta di una tattica per evitare il dibattito."
    ),
    "pt": (
        "A câmara municipal anunciou na terça-feira que vai adiar para o próximo mês a votação "
        "do novo orçamento. Segundo um porta-voz do prefeito, a decisão foi tomada depois de "
        "vários vereadores pedirem mais tempo para estudar as propostas. A oposição diz que se "
        "trata de uma tática para evitar o debate público."
    ),
    "nl": (
        "De gemeenteraad heeft dinsdag laten weten dat de stemming over de nieuwe begroting "
        "wordt uitgesteld tot volgende maand. Volgens een woordvoerder van de burgemeester is "
        "het besluit genomen nadat meerdere raadsleden om meer tijd hadden gevraagd om de "
        "voorstellen te bestuderen. De oppositie noemt het een tactiek."
    ),
    "pl": (
        "Rada miasta poinformowała we wtorek, że głosowanie nad nowym budżetem zostanie "
        "przełożone na przyszły miesiąc. Według rzecznika prezydenta miasta decyzja zapadła po "
        "tym, jak kilku radnych poprosiło o więcej czasu na zapoznanie się z propozycjami. "
        "Opozycja twierdzi, że to tylko taktyka i że nie ma na to zgody."
    ),
    "tr": (
        "Belediye meclisi salı günü yaptığı açıklamada yeni bütçe oylamasının gelecek aya "
        "ertelendiğini duyurdu. Belediye başkanının sözcüsüne göre karar, birçok üyenin "
        "teklifleri incelemek için daha fazla zaman istemesi üzerine alındı. Muhalefet ise "
        "bunun tartışmayı önlemek için bir taktik olduğunu söyledi."
    ),
    "uk": (
        "Міська рада у вівторок заявила, що голосування щодо нового бюджету перенесуть на "
        "наступний місяць. Рішення ухвалили після того, як кілька депутатів попросили більше "
        "часу."
    ),
    "el": (
        "Το δημοτικό συμβούλιο ανακοίνωσε την Τρίτη ότι η ψηφοφορία για τον νέο προϋπολογισμό "
        "αναβάλλεται για τον επόμενο μήνα."
    ),
    "zh": (
        "市议会周二表示，将把新预算的投票推迟到下个月。"
        "市长发言人说，这一决定是在几名议员要求更多时间研究提案之后作出的。"
    ),
    "ja": (
        "市議会は火曜日、新しい予算の採決を来月に延期すると発表した。"
        "市長の報道官によると、複数の議員が提案を検討する時間を求めたという。"
    ),
    "ar": (
        "أعلن مجلس المدينة يوم الثلاثاء أنه سيؤجل التصويت على الميزانية الجديدة إلى الشهر المقبل."
    ),
}


def test_english_passes_with_confidence() -> None:
    code, confidence = detect_language(ENGLISH)
    assert code == "en"
    assert confidence >= 0.7
    require_english(ENGLISH)


def test_english_quoting_russian_words_passes() -> None:
    assert detect_language(ENGLISH_QUOTING_RUSSIAN)[0] == "en"
    require_english(ENGLISH_QUOTING_RUSSIAN)


@pytest.mark.parametrize("code", sorted(FOREIGN))
def test_foreign_languages_are_detected(code: str) -> None:
    detected, confidence = detect_language(FOREIGN[code])
    assert detected == code
    assert confidence >= REFUSE_CONFIDENCE


@pytest.mark.parametrize(
    ("code", "name", "script"),
    [("ru", "Russian", "Cyrillic"), ("de", "German", "Latin"), ("fr", "French", "Latin")],
)
def test_refusal_names_language_and_script(code: str, name: str, script: str) -> None:
    with pytest.raises(UnsupportedLanguageError) as caught:
        require_english(FOREIGN[code])
    message = str(caught.value)
    assert name in message
    assert script in message
    assert "English" in message


@pytest.mark.parametrize(
    "text", ["Minister resigns", "Bonjour tout le monde, merci.", "Привет, мир", "2024: 3-1"]
)
def test_short_text_passes_with_low_confidence(text: str) -> None:
    code, confidence = detect_language(text)
    assert code in ("en", "und")
    assert confidence < REFUSE_CONFIDENCE
    require_english(text)


def test_no_letters_is_undetermined() -> None:
    assert detect_language("12 345 -- 678") == ("und", 0.0)
    assert detect_language("") == ("und", 0.0)


def test_unknown_latin_language_is_refused() -> None:
    invented = " ".join(
        ["kalo mesi turanu pekat ovi lamira seko"] * 4
        + ["vundi raso meleku tapi horam zunel ki"] * 4
    )
    assert detect_language(invented)[0] == "und"
    with pytest.raises(UnsupportedLanguageError, match="Latin script"):
        require_english(invented)


def test_only_a_bounded_prefix_is_read() -> None:
    text = (ENGLISH + "\n\n") * (SAMPLE_CHARS // len(ENGLISH) + 1) + FOREIGN["ru"] * 20_000
    started = time.perf_counter()
    assert detect_language(text)[0] == "en"
    assert time.perf_counter() - started < 0.5


def test_language_name() -> None:
    assert language_name("ru") == "Russian"
    assert language_name("xx") == "xx"
