"""Whether complyscan can read a statement: its bytes are text, it has words, and its language
has claim patterns.

Claim patterns exist per language (rules/claims/<language>.yaml); a statement in any other
language must not be read with the English patterns, or its "we do not share" sentence silently
becomes "not stated" and every contradiction a disclosure gap. So the language is identified
first, and a statement complyscan has no patterns for is reported as not read.

Identification is a small heuristic, not a model: the script decides for non-Latin text
(kana -> ja, Han alone -> zh, Hangul -> ko, Cyrillic, Greek, Arabic, Hebrew, Thai, Devanagari);
Latin text is scored by how many of its words are the most frequent function words of each
common European language. A privacy statement has hundreds of such words, so the winner is
clear; it takes ~2 ms for a 20 kB statement and needs no model file (langdetect's first call
took 1.4 s here, loading its profiles: too slow for `complyscan statement`'s start). Figures
and accuracy: docs/statements.md.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from scanner.statement.claims import patterns_path
from scanner.statement.segment import sentences

UNDETERMINED = "und"
"""ISO 639 code for a text whose language cannot be told (no words in it)."""

MIN_EVIDENCE = 3
"""Function words a language other than English needs before it is chosen over English; a
shorter text (a test sentence, a heading) is read as English, as it always was."""

_SAMPLE = 200_000  # characters read for identification; the start of a statement is enough

# The most frequent function words of each language, lower-case. Words that are common in
# English text as well ("in", "an", "so", "was", "also") are left out of the other lists.
_FUNCTION_WORDS = {
    "en": """the and of to we you your our us that this with for are be by or not from it
        which will may can have has any such these other when how about do if they their
        there what would should been into only than some where who""",
    "de": """der die das und ist nicht wir ihre ihrer ihren ihnen sie mit von zu den dem des
        auf für eine einer ein einem eines auch oder werden wird bei sind nur diese dieser
        durch aus keine können uns unsere unserer über nach zur zum sich wenn daten wie""",
    "fr": """le la les et des du une un est pas nous vous votre vos nos notre pour dans sur
        avec par qui que ne ce cette ces sont aux au leur être peut ou données été""",
    "es": """el la los las y del que en un una es por para con su sus nuestro nuestra
        nosotros usted se lo al como más datos sobre este esta pero""",
    "it": """il lo la gli le di del della dei delle che non un una per con sono è noi nostro
        nostra vostro suoi dati questo questa anche come alla nel nella""",
    "pt": """os da dos das que não um uma para com por em na nos nossa nosso seus
        suas você é são dados este esta mais ao""",
    "nl": """de het een en van niet wij uw onze ons met voor op te dat die zijn worden
        wordt door bij aan ook gegevens naar deze als om uit""",
    "sv": """och att det som en på är av med till den har inte vi du dig din dina vår
        våra om eller ett kan uppgifter personuppgifter vid""",
    "da": """og at det som en på er af med til den har ikke vi du dig din dine vores om
        eller et kan oplysninger""",
    "no": """og å det som en på er av med til den har ikke vi du deg din dine våre vår om
        eller et kan opplysninger""",
    "fi": """ja ei että tai kuin meidän sinun tietoja henkilötietoja voi ovat jos
        mukaan myös tämä joka niin""",
    "pl": """na nie się że jest jak dla oraz lub przez są nasz nasze twoje państwa
        danych dane od po jego które który może""",
    "cs": """se na je že jako pro nebo jsou nás vaše vašich údaje údajů které
        který také podle při není""",
    "ro": """și în de la cu nu este să care pe pentru sau datele noi dumneavoastră vă ale din
        sunt""",
    "hu": """az és hogy nem egy van meg ezt mint vagy adatok adatait által szerint csak kell
        ha már""",
    "tr": """ve bir bu da ile için olarak veya gibi daha değil kişisel verileri verilerinizi
        sizin bizim olan ise""",
}
_WORDS_OF = {language: frozenset(words.split()) for language, words in _FUNCTION_WORDS.items()}
_WORD = re.compile(r"[^\W\d_]+")

# Scripts that name their language (or family) by themselves, with the code reported for each.
_SCRIPTS = (
    ("ko", re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
)
_KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_UKRAINIAN = re.compile(r"[їєіґЇЄІҐ]")
_SCRIPT_SHARE = 0.2  # of the letters: the existing rule for Japanese, kept for every script


def identify(text: str) -> str:
    """The ISO 639-1 code of the text's language ("en", "ja", "de", …), or "und" when it has
    no words. Short or unrecognised Latin text counts as English."""
    sample = text[:_SAMPLE]
    letters = sum(1 for ch in sample if ch.isalpha())
    if not letters:
        return UNDETERMINED
    cjk = len(_CJK.findall(sample))
    if cjk / letters >= _SCRIPT_SHARE:
        return "ja" if _KANA.search(sample) else "zh"
    share, language = max((len(p.findall(sample)), code) for code, p in _SCRIPTS)
    if share / letters >= _SCRIPT_SHARE:
        if language == "ru" and len(_UKRAINIAN.findall(sample)) * 50 >= share:
            return "uk"
        return language
    return _latin_language(sample)


def _latin_language(text: str) -> str:
    """The language whose function words the text uses most; English unless another has at
    least MIN_EVIDENCE of them and more than English."""
    counts = Counter(_WORD.findall(text.lower()))
    scores = {language: sum(counts[w] for w in words) for language, words in _WORDS_OF.items()}
    best = max(scores, key=lambda language: (scores[language], language == "en"))
    if best != "en" and scores[best] >= MIN_EVIDENCE and scores[best] > scores["en"]:
        return best
    return "en"


def is_supported(language: str) -> bool:
    """True when complyscan has claim patterns for the language (rules/claims/<language>.yaml)."""
    return language.isalpha() and patterns_path(language).is_file()


def supported_languages() -> list[str]:
    """The languages complyscan reads claims in: one pattern file each in rules/claims/."""
    return sorted(p.stem for p in patterns_path("en").parent.glob("*.yaml"))


@dataclass(frozen=True)
class Reading:
    """What the reader can make of a statement's text before it looks for claims."""

    language: str
    """The detected language (ISO 639-1), "und" when there are no words."""
    supported: bool
    """True when there are claim patterns for `language`."""
    unread: str | None
    """Why its claims cannot be read ("statement language not supported (de)", "statement has no
    text to read"), or None when they can."""


def reading_of(text: str) -> Reading:
    """The text's language, and whether complyscan can read claims from it (and why not)."""
    language = identify(text)
    supported = is_supported(language)
    if language == UNDETERMINED or not sentences(text):
        return Reading(language, supported, "statement has no text to read")
    if not supported:
        return Reading(language, supported, f"statement language not supported ({language})")
    return Reading(language, supported, None)


def unread_message(reason: str) -> str:
    """One line for a user: why a statement's claims cannot be read, and what can be."""
    if reason.startswith("statement language not supported"):
        return f"{reason}: complyscan reads claims in {', '.join(supported_languages())} only"
    return reason


def binary_reason(data: bytes) -> str | None:
    """Why a file's bytes are not a statement's text (a PDF, other binary data), or None."""
    head = data[:1024]
    if head.lstrip().startswith(b"%PDF-"):
        return "a PDF, not text: save the statement as HTML or plain text and give that file"
    if b"\x00" in head:
        return "binary data, not text (HTML or plain text)"
    return None
