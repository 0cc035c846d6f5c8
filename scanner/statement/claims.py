"""The claims a statement makes, found sentence by sentence with rules/claims/<lang>.yaml.

Each claim quotes the whole sentence that makes it, with its offsets in the statement's text, so a
finding can cite the exact words its evidence contradicts. Which wording makes which claim is data,
not code: the YAML file says, per claim kind, what affirms it, what denies it and what merely
talks about the subject without making it (the format is documented at the top of en.yaml).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, get_args

import yaml

from scanner.model import Claim, ClaimKind
from scanner.parties.vendors import VendorDB, load_vendors
from scanner.resources import rules_dir
from scanner.statement.answers import answered
from scanner.statement.segment import sentences
from scanner.statement.text import language_of
from scanner.statement.vendor_claims import measured_by_vendor

Polarity = Literal["affirms", "denies"]

CLAIM_KINDS: tuple[ClaimKind, ...] = get_args(ClaimKind)
"""Every claim kind, in the contract's order (the order reports list them in)."""

DEFAULT_LANGUAGE = "en"

_KIND_ORDER = {kind: index for index, kind in enumerate(CLAIM_KINDS)}
# Read as their plain forms, so that patterns need only be written once.
_HEADING_MAX = 40
# A longer line without a stop is still a heading when it is a title ("Websites, Communications
# & Cookies Privacy Notice"), and a short question is one too ("Why do we collect this?").
_TITLE_MAX = 100
_QUESTION_MAX = 30
# A pattern of this many parts may find one of them in the sentence before (Pattern.found_in).
_SPREAD_MIN_PARTS = 3
_TITLE_WORD = re.compile(r"[^\W\d_]{4,}")
# A link's target written out in the text says nothing about the site ("https://..." is not a
# claim of encryption, "google.com/analytics" not one of analytics).
# A URL ends at the first character a URL cannot hold, and may start right after a Japanese
# word: Japanese text glues words to it on both sides ("こちらhttps://...で無効化").
_URL = re.compile(r"(?<![A-Za-z0-9])(?i:https?://|www\.)[!-'*-;=?-Z\\^-~]+")
_TRAILING_SYMBOLS = re.compile(r"[\s\u2600-\u27bf\U0001f000-\U0001faff\ufe0f\u200d]+$")
_THIRD = re.compile(r"\b3rd\b", re.IGNORECASE)  # "3rd parties" read as "third parties"
_SENTENCE_STOP = re.compile(r"[.!?。！？:：)）」]\s*$")
_PLAIN_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " "})


# libyaml's loader reads the pattern files 5x faster than the pure-Python one (start-up time).
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class PatternError(ValueError):
    """A claim pattern file that cannot be used: the message names the file, kind and pattern."""


@dataclass(frozen=True)
class Pattern:
    """One pattern of a claim kind: every one of its regexes must be found in the sentence."""

    regexes: tuple[re.Pattern[str], ...]

    def found_in(self, sentence: str, before: str = "") -> bool:
        """True when the sentence matches every regex of the pattern.

        A claim may be spread over two sentences ("We collect your browser type and the time of
        each visit. We also collect your IP address."): a pattern of three or more parts also
        matches when one of them is found only in `before`, the previous sentence of the same
        paragraph.
        """
        if all(regex.search(sentence) for regex in self.regexes):
            return True
        if not before or len(self.regexes) < _SPREAD_MIN_PARTS:
            return False
        missing = [regex for regex in self.regexes if not regex.search(sentence)]
        return len(missing) == 1 and bool(missing[0].search(before))


@dataclass(frozen=True)
class KindPatterns:
    """What affirms, denies and excludes one claim kind in one language."""

    kind: ClaimKind
    affirm: tuple[Pattern, ...] = ()
    deny: tuple[Pattern, ...] = ()
    exclude: tuple[Pattern, ...] = ()

    promise: bool = False
    """True when the kind is a promise made by a negation ("we never share..."): its affirm
    patterns, like every deny pattern, read the sentence without the clauses that are not the
    site's own word (the visitor's wishes and requests, other businesses' practices)."""

    def polarity_of(
        self, sentence: str, own: str | None = None, before: str = ""
    ) -> Polarity | None:
        """The claim the (normalised) sentence makes of this kind, or None when it makes none.

        `own` is the sentence with the clauses that are not the site's own blanked out
        (ClaimPatterns.own_words); by default the whole sentence. `before` is the previous
        sentence of the same paragraph, for claims spread over two sentences.
        """
        own = sentence if own is None else own
        if any(p.found_in(sentence) for p in self.exclude):
            return None
        if any(p.found_in(own) for p in self.deny):
            return "denies"
        if any(p.found_in(own if self.promise else sentence, before) for p in self.affirm):
            return "affirms"
        return None


@dataclass(frozen=True)
class ClaimPatterns:
    """All claim patterns of one language, as read from rules/claims/<language>.yaml."""

    language: str
    kinds: dict[ClaimKind, KindPatterns]
    source: Path
    not_ours: tuple[re.Pattern[str], ...] = ()
    """Clauses whose negation is not the site's denial (`not_ours:` in the file)."""

    def for_kind(self, kind: ClaimKind) -> KindPatterns:
        """The patterns of `kind` (empty ones when the file has none for it)."""
        return self.kinds.get(kind) or KindPatterns(kind)

    def own_words(self, sentence: str) -> str:
        """The sentence with every `not_ours` clause replaced by an ellipsis."""
        for regex in self.not_ours:
            sentence = regex.sub(" … ", sentence)
        return sentence


def patterns_path(language: str) -> Path:
    """rules/claims/<language>.yaml."""
    return rules_dir() / "claims" / f"{language}.yaml"


@cache
def load_patterns(language: str) -> ClaimPatterns:
    """The claim patterns of `language`; English ones when the language has no file of its own."""
    path = patterns_path(language)
    if not path.is_file():
        path = patterns_path(DEFAULT_LANGUAGE)
    return parse_patterns(path.read_text(encoding="utf-8"), path)


def parse_patterns(document: str, source: Path) -> ClaimPatterns:
    """Claim patterns from the text of a YAML file; raises PatternError saying what is wrong."""
    try:
        data = yaml.load(document, Loader=_YAML_LOADER)
    except yaml.YAMLError as error:
        raise PatternError(f"{source}: not valid YAML: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("kinds"), dict):
        raise PatternError(f"{source}: expected a mapping with a `kinds:` mapping")
    promises = data.get("promises") or []
    if not isinstance(promises, list) or set(promises) - set(_KIND_ORDER):
        raise PatternError(f"{source}: `promises:` must list claim kinds")
    kinds: dict[ClaimKind, KindPatterns] = {}
    for name, lists in data["kinds"].items():
        if name not in _KIND_ORDER:
            raise PatternError(
                f"{source}: unknown claim kind {name!r}; known kinds: {', '.join(CLAIM_KINDS)}"
            )
        kind: ClaimKind = name
        where = f"{source}: {kind}"
        lists = lists or {}
        if not isinstance(lists, dict) or set(lists) - {"affirm", "deny", "exclude"}:
            raise PatternError(f"{where}: expected only `affirm`, `deny` and `exclude` lists")
        kinds[kind] = KindPatterns(
            kind,
            affirm=_compile_list(lists.get("affirm"), f"{where}.affirm"),
            deny=_compile_list(lists.get("deny"), f"{where}.deny"),
            exclude=_compile_list(lists.get("exclude"), f"{where}.exclude"),
            promise=kind in promises,
        )
    not_ours = _compile_list(data.get("not_ours"), f"{source}: not_ours")
    return ClaimPatterns(
        str(data.get("language") or source.stem),
        kinds,
        source,
        tuple(regex for pattern in not_ours for regex in pattern.regexes),
    )


def extract_claims(
    text: str, language: str | None = None, *, vendors: VendorDB | None = None
) -> list[Claim]:
    """Every claim the statement's text makes, ordered by offset (then kind, then vendor).

    `language` ("en", "ja") picks the pattern file; by default it is guessed from the text.
    `vendors` names the vendors a named-third-parties claim can be about: a scan passes its own
    database (the bundled data plus complyscan.toml's vendors); by default the bundled data.
    """
    patterns = load_patterns(language or language_of(text))
    spans = sentences(text)
    kinds = [patterns.for_kind(k) for k in CLAIM_KINDS if k != "named-third-parties"]
    claims: list[Claim] = []
    previous_end = previous_start = -1
    before = previous = ""
    for start, end in spans:
        sentence = normalised(text[start:end])
        own = patterns.own_words(sentence)
        if "\n" in text[previous_end:start] or previous_end < 0:
            before = ""  # a new paragraph
        for kind in kinds:
            polarity = kind.polarity_of(sentence, own, before)
            if polarity is not None:
                claims.append(_claim(text, kind.kind, polarity, start, end))
        statement = answered(previous, sentence)
        if statement is not None:
            claims = _answer_claims(
                claims, text, kinds, patterns, statement, previous_start, start, end
            )
        previous_end, previous_start, before, previous = end, start, sentence, sentence
    claims = _without_redundant_headings(claims)
    named = patterns.for_kind("named-third-parties")
    vendors = vendors or load_vendors()
    claims += _named_third_parties(text, spans, named, vendors)
    claims += _analytics_by_vendor(text, spans, claims, named, vendors)
    return sorted(claims, key=lambda c: (c.start, _KIND_ORDER[c.kind], c.vendor or ""))


def normalised(sentence: str) -> str:
    """The sentence as patterns see it: NFKC, straight quotes, plain spaces, URLs as "URL",
    "3rd" as "third"."""
    plain = unicodedata.normalize("NFKC", sentence).translate(_PLAIN_QUOTES)
    return _THIRD.sub("third", _URL.sub("URL", plain))


def is_heading(quote: str) -> bool:
    """A line that names a section rather than says something: a short line without a stop
    ("Cookies", "SSL", "お問い合わせ窓口"), a title ("Data We Collect and Why") or a short
    question ("Why do we collect this?"). Emoji and other symbols after the stop do not count."""
    quote = _TRAILING_SYMBOLS.sub("", quote)
    if _SENTENCE_STOP.search(quote):
        return len(quote) <= _QUESTION_MAX and quote.rstrip().endswith(("?", "？"))
    if len(quote) <= _HEADING_MAX:
        return True
    words = _TITLE_WORD.findall(quote)
    capitals = sum(1 for w in words if w[0].isupper())
    return len(quote) <= _TITLE_MAX and bool(words) and capitals >= 0.8 * len(words)


def _answer_claims(
    claims: list[Claim],
    text: str,
    kinds: list[KindPatterns],
    patterns: ClaimPatterns,
    statement: str,
    question_start: int,
    start: int,
    end: int,
) -> list[Claim]:
    """The claims of a bare answer ("No.") to the question before it: the question's own claims
    of those kinds are dropped (asking "Do we use cookies?" affirms nothing)."""
    own = patterns.own_words(statement)
    found = [(k.kind, k.polarity_of(statement, own)) for k in kinds]
    made = {kind: polarity for kind, polarity in found if polarity is not None}
    kept = [c for c in claims if not (c.start == question_start and c.kind in made)]
    return kept + [_claim(text, kind, polarity, start, end) for kind, polarity in made.items()]


def _without_redundant_headings(claims: list[Claim]) -> list[Claim]:
    """Claims of headings dropped where a sentence makes the same claim.

    Checks quote a kind's first claim; "SSL" says less to a reader than the sentence under it.
    A heading still counts when it is the only place a claim is made.
    """
    in_sentences = {(c.kind, c.polarity) for c in claims if not is_heading(c.quote)}
    return [c for c in claims if not (is_heading(c.quote) and (c.kind, c.polarity) in in_sentences)]


def _analytics_by_vendor(
    text: str,
    spans: list[tuple[int, int]],
    claims: list[Claim],
    denial: KindPatterns,
    vendors: VendorDB,
) -> list[Claim]:
    """third-party-analytics claims of sentences that use an analytics vendor by name."""
    made = {c.start for c in claims if c.kind == "third-party-analytics"}
    return [
        _claim(text, "third-party-analytics", "affirms", start, end)
        for start, end in measured_by_vendor(text, spans, vendors)
        if start not in made and denial.polarity_of(normalised(text[start:end])) != "denies"
    ]


def _named_third_parties(
    text: str, spans: list[tuple[int, int]], denial: KindPatterns, vendors: VendorDB
) -> list[Claim]:
    """One claim per vendor the text names: its first affirming mention, else its first denial."""
    starts = [start for start, _ in spans]
    chosen: dict[str, Claim] = {}
    for found, mention_start, _ in vendors.find_in_text(text):
        vendor = found.name
        index = bisect_right(starts, mention_start) - 1
        if index < 0 or mention_start >= spans[index][1]:
            continue  # in a bullet or space that no sentence covers
        start, end = spans[index]
        denied = denial.polarity_of(normalised(text[start:end])) == "denies"
        earlier = chosen.get(vendor)
        if earlier is None or (earlier.polarity == "denies" and not denied):
            polarity: Polarity = "denies" if denied else "affirms"
            chosen[vendor] = _claim(text, "named-third-parties", polarity, start, end, vendor)
    return list(chosen.values())


def _claim(
    text: str,
    kind: ClaimKind,
    polarity: Polarity,
    start: int,
    end: int,
    vendor: str | None = None,
) -> Claim:
    return Claim(
        kind=kind, polarity=polarity, quote=text[start:end], start=start, end=end, vendor=vendor
    )


def _compile_list(entries: Any, where: str) -> tuple[Pattern, ...]:
    if entries is None:
        return ()
    if not isinstance(entries, list):
        raise PatternError(f"{where}: expected a list of patterns")
    return tuple(_compile_pattern(entry, where) for entry in entries)


def _compile_pattern(entry: Any, where: str) -> Pattern:
    sources = entry if isinstance(entry, list) else [entry]
    if not sources or not all(isinstance(s, str) and s for s in sources):
        raise PatternError(f"{where}: {entry!r} is not a pattern (a string or a list of strings)")
    regexes: list[re.Pattern[str]] = []
    for source in sources:
        try:
            regexes.append(re.compile(source, re.IGNORECASE))
        except re.error as error:
            raise PatternError(f"{where}: pattern {source!r} does not compile: {error}") from None
    return Pattern(tuple(regexes))
