"""Which kind of personal information a form field collects, if any.

Evidence is read strongest first:

1. the `autocomplete` attribute: a field name of the HTML standard (`given-name`, `email`,
   `tel-national`, `postal-code`, `cc-number`, `bday`, `new-password`, ...) decides, and so does a
   standard name that is *not* one of our kinds (`username`, `organization`, `one-time-code`);
2. the input type: `email`, `tel` and `password`;
3. the words of the label, then the name attribute, then the id, in English and Japanese: the first
   of the three that says something decides (a label "Username" beats `name="name"`).

Some fields never collect what a visitor types: hidden inputs, buttons, checkboxes, radios, file
pickers and search boxes. A user name or login id is not one of the kinds (it identifies an account,
not a person), nor is a company's name, a coupon or a quantity. Fields that carry machine state
(CSRF tokens, captchas, honeypots) are never personal information, whatever else they say.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Final

from scanner.model import FormField, PIKind

# ---------------------------------------------------------------------------------------------
# 1. autocomplete (https://html.spec.whatwg.org/multipage/form-control-infrastructure.html)
# ---------------------------------------------------------------------------------------------

_AUTOCOMPLETE: Final[dict[str, PIKind | None]] = {
    # A person's name; the name on a card is still a name (a leak probe types a name into it).
    **dict.fromkeys(
        (
            "name",
            "honorific-prefix",
            "given-name",
            "additional-name",
            "family-name",
            "honorific-suffix",
            "cc-name",
            "cc-given-name",
            "cc-additional-name",
            "cc-family-name",
        ),
        "name",
    ),
    "email": "email",
    **dict.fromkeys(
        (
            "tel",
            "tel-country-code",
            "tel-national",
            "tel-area-code",
            "tel-local",
            "tel-local-prefix",
            "tel-local-suffix",
            "tel-extension",
        ),
        "phone",
    ),
    **dict.fromkeys(
        (
            "street-address",
            "address-line1",
            "address-line2",
            "address-line3",
            "address-level1",
            "address-level2",
            "address-level3",
            "address-level4",
            "country",
            "country-name",
            "postal-code",
        ),
        "postal_address",
    ),
    **dict.fromkeys(
        ("cc-number", "cc-exp", "cc-exp-month", "cc-exp-year", "cc-csc", "cc-type"),
        "payment_card",
    ),
    **dict.fromkeys(("bday", "bday-day", "bday-month", "bday-year"), "birth_date"),
    **dict.fromkeys(("current-password", "new-password"), "password"),
    # Standard names that are none of our kinds: they decide too.
    **dict.fromkeys(
        (
            "username",
            "nickname",
            "organization",
            "organization-title",
            "one-time-code",
            "sex",
            "language",
            "url",
            "photo",
            "impp",
            "transaction-currency",
            "transaction-amount",
            "webauthn",
        ),
        None,
    ),
}

# ---------------------------------------------------------------------------------------------
# 2. types
# ---------------------------------------------------------------------------------------------

_NOT_TYPED: Final = frozenset(
    {"hidden", "submit", "button", "reset", "image", "checkbox", "radio", "file", "range"}
    | {"color", "search"}
)
"""Input types a visitor does not type personal information into."""

_TYPE_KIND: Final[dict[str, PIKind]] = {"email": "email", "tel": "phone", "password": "password"}

# ---------------------------------------------------------------------------------------------
# 3. words, English (over normalised tokens: "billingAddress1" -> "billing address 1")
# ---------------------------------------------------------------------------------------------

_MACHINE: Final = re.compile(
    r"\b(csrf|xsrf|csrfmiddlewaretoken|token|nonce|captcha|recaptcha|honeypot|utf 8)\b"
)
"""Machine state, whatever else the field is called."""

_NAME_ON_CARD: Final = re.compile(r"\b(card ?holder|holder name|name on (the )?card|cc name)\b")

# Checked in this order: the first match decides. "email address" is an email, not an address.
_ENGLISH: Final[tuple[tuple[PIKind | None, re.Pattern[str]], ...]] = (
    (
        "government_id",
        re.compile(
            r"\b(ssn|social security( number| no)?|social insurance number|passport( number| no)?"
            r"|national (id|identity|insurance)( number| no)?|nino|nationalid|tax ?id|taxpayer id"
            r"|driver s licen[cs]e|drivers? licen[cs]e|driving licen[cs]e|licen[cs]e number"
            r"|my ?number|mynumber|id card number|identity card)\b"
        ),
    ),
    (
        "payment_card",
        re.compile(
            r"\b(credit ?card|debit ?card|card ?(number|num|no|nr)|cc ?(number|num|no|nr|exp\w*"
            r"|csc|cvc|cvv)|ccnum|ccno|cardnum|pan number|cvv ?2?|cvc ?2?|csc|security code"
            r"|card (verification|security)( code| value)?|card ?exp\w*|exp(iry|iration)"
            r"( date| month| year)?|exp (date|month|year|mm|yy|yyyy))\b"
        ),
    ),
    (
        "birth_date",
        re.compile(
            r"\b(birth ?(date|day|year|month)?|birthdate|birthday|date of birth|dob|bday"
            r"|born)\b"
        ),
    ),
    ("password", re.compile(r"\b(password|passwd|passwort|pwd|pass|passphrase|pw)\b")),
    ("email", re.compile(r"\b(email|mail|email address|mail address|emailaddress)\b")),
    (
        "phone",
        re.compile(
            r"\b(phone|telephone|tel|mobile|cell|cellphone|cell phone|phonenumber|telno|phoneno"
            r"|fax|contact number|msisdn|landline)\b"
        ),
    ),
    (
        "postal_address",
        re.compile(
            r"(?<!\bip )(?<!\bmac )(?<!\bweb )(?<!\bsite )(?<!\burl )(?<!\bwallet )"
            r"\b(address|addr|address line|street|street address|streetaddress|zip|zipcode"
            r"|zip code|postcode|post code|postal|postal code|postalcode|city|town|suburb"
            r"|province|prefecture|house ?number|house no|apartment|apt|building"
            r"|(billing|shipping|delivery|mailing|home) (state|country|region|county))\b"
        ),
    ),
    # Not a person's information: these decide "none" before the name rule can say "name".
    (
        None,
        re.compile(
            r"\b(user ?name|username|user ?id|userid|login|login ?id|loginid|log in|signin"
            r"|sign in|account ?(name|id)|nick ?name|handle|screen name|display name"
            r"|company|organi[sz]ation|org|business|employer|firm|department"
            r"|search|query|keywords?|coupon|promo|promotion|voucher|discount|gift ?card"
            r"|quantity|qty|amount|price|subject|newsletter)\b"
        ),
    ),
    (
        "name",
        re.compile(
            r"\b(name|full ?name|first ?name|last ?name|middle ?name|given ?name|family ?name"
            r"|sur ?name|forename|fname|lname|mname|your name|contact name|name kana|kana"
            r"|furigana|shimei|namae|sei|mei)\b"
        ),
    ),
)

_NAME_QUALIFIERS: Final = frozenset(
    {
        "user",
        "company",
        "organization",
        "organisation",
        "org",
        "business",
        "file",
        "domain",
        "product",
        "item",
        "display",
        "screen",
        "account",
        "host",
        "server",
        "shop",
        "store",
        "brand",
        "project",
        "team",
        "group",
        "event",
        "field",
        "site",
        "app",
        "pet",
        "bank",
        "branch",
        "building",
        "street",
        "city",
        "town",
        "school",
        "university",
        "job",
        "position",
        "role",
        "tag",
        "category",
        "page",
        "form",
        "template",
        "campaign",
        "list",
        "device",
        "network",
        "wifi",
        "ssid",
    }
)
"""Words that, just before "name", say it is not a person's name ("product name")."""

_WHOLE_NONE: Final = frozenset({"q", "s", "k", "kw", "search"})
"""Whole field names that are search boxes (WordPress uses `s`)."""

# ---------------------------------------------------------------------------------------------
# 3. words, Japanese (over NFKC text, so full-width "ＴＥＬ" is "TEL" and half-width kana are whole)
# ---------------------------------------------------------------------------------------------

_JA_NONE_PARTS: Final = re.compile(
    r"会社名|法人名|企業名|団体名|組織名|部署名|店舗名|学校名|商品名|件名|ユーザー?名|ユーザー?ID"
    r"|ログインID|ログイン名|アカウント名|ニックネーム|ハンドルネーム|表示名|建物名|マンション名"
)
"""Japanese words that contain 名 without naming a person; removed before the name rule."""

_JAPANESE: Final[tuple[tuple[PIKind | None, re.Pattern[str]], ...]] = (
    ("name", re.compile(r"カード名義|名義人")),
    (
        "government_id",
        re.compile(
            r"マイナンバー|個人番号|運転免許|免許証番号|パスポート|旅券|基礎年金番号|保険証"
        ),
    ),
    (
        "payment_card",
        re.compile(r"クレジットカード|カード番号|セキュリティコード|有効期限|カード会社"),
    ),
    ("birth_date", re.compile(r"生年月日|誕生日|生まれ")),
    ("password", re.compile(r"パスワード|暗証番号")),
    ("email", re.compile(r"メールアドレス|メール|Eメール|e-?mail", re.IGNORECASE)),
    ("phone", re.compile(r"電話|携帯|TEL|FAX|ファックス|ファクス", re.IGNORECASE)),
    (
        "postal_address",
        re.compile(r"住所|郵便番号|〒|都道府県|市区町村|番地|所在地|建物名|マンション名|丁目"),
    ),
    (None, re.compile(r"検索|キーワード|クーポン|数量|個数|件名|ユーザー?名|ログイン|会社名")),
    (
        "name",
        re.compile(r"氏名|名前|姓名|フリガナ|ふりがな|カナ|担当者|^(姓|名|セイ|メイ|せい|めい)$"),
    ),
)

_JA_DECORATION: Final = re.compile(r"[\s*※:：()（）\[\]「」【】]|必須|任意|\(?全角\)?|\(?半角\)?")
"""Marks around a label that are not part of what it asks for ("お名前（必須）")."""


def classify_field(
    *,
    tag: str = "input",
    type: str = "",
    name: str = "",
    id: str = "",
    autocomplete: str = "",
    label: str = "",
) -> PIKind | None:
    """The kind of personal information a field collects, or None; see the module docstring."""
    tag = tag.strip().lower()
    input_type = type.strip().lower()
    if tag in {"button", "fieldset", "output", "object"}:
        return None
    if tag == "input" and input_type in _NOT_TYPED:
        return None

    typed_kind = _TYPE_KIND.get(input_type) if tag == "input" else None
    decided, kind = _from_autocomplete(autocomplete)
    if decided:
        # autocomplete="username" on a type=email login box still takes an email address.
        return kind if kind is not None else typed_kind
    if _is_machine_state(name, id, label):
        return None
    if typed_kind is not None:
        return typed_kind

    for text in (label, name, id):
        decided, kind = _from_words(text)
        if decided:
            return kind
    return None


def classify_form_field(field: FormField) -> PIKind | None:
    """classify_field over a model FormField."""
    return classify_field(
        tag=field.tag,
        type=field.type,
        name=field.name,
        id=field.id,
        autocomplete=field.autocomplete,
        label=field.label,
    )


def classify_form(fields: Iterable[FormField]) -> tuple[bool, list[PIKind]]:
    """Whether a form collects personal information, and the kinds it collects, sorted.

    A field's own `pi_kind`, when already set, is taken as it is.
    """
    kinds: set[PIKind] = set()
    for field in fields:
        kind = field.pi_kind if field.pi_kind is not None else classify_form_field(field)
        if kind is not None:
            kinds.add(kind)
    return bool(kinds), sorted(kinds)


def _from_autocomplete(autocomplete: str) -> tuple[bool, PIKind | None]:
    """(decided, kind): the last standard field name among the attribute's tokens decides."""
    for token in reversed(autocomplete.strip().lower().split()):
        if token in _AUTOCOMPLETE:
            return True, _AUTOCOMPLETE[token]
    return False, None


def _is_machine_state(*texts: str) -> bool:
    return any(_MACHINE.search(_tokens(text)) for text in texts if text)


def _from_words(text: str) -> tuple[bool, PIKind | None]:
    """(decided, kind) from one of label, name or id."""
    if not text.strip():
        return False, None
    normal = unicodedata.normalize("NFKC", text)
    if not normal.isascii():
        decided, kind = _from_japanese(normal)
        if decided:
            return decided, kind
    tokens = _tokens(normal)
    if not tokens:
        return False, None
    if tokens in _WHOLE_NONE:
        return True, None
    if _NAME_ON_CARD.search(tokens):
        return True, "name"
    for kind, pattern in _ENGLISH:
        for match in pattern.finditer(tokens):
            if kind == "name" and _qualified_name(tokens, match.start()):
                continue
            return True, kind
    return False, None


def _from_japanese(text: str) -> tuple[bool, PIKind | None]:
    bare = _JA_DECORATION.sub("", text)
    for kind, pattern in _JAPANESE:
        probe = _JA_NONE_PARTS.sub(" ", bare) if kind == "name" else bare
        if pattern.search(probe):
            return True, kind
    return False, None


def _qualified_name(tokens: str, start: int) -> bool:
    """True when the words just before "name" make it a thing's name ("company name")."""
    before = tokens[:start].split()[-2:]
    return any(word in _NAME_QUALIFIERS for word in before)


_CAMEL: Final = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_LETTER_DIGIT: Final = re.compile(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")
_E_MAIL: Final = re.compile(r"\be[-_ ]?mail", re.IGNORECASE)
_NON_WORD: Final = re.compile(r"[^a-z0-9]+")


def _tokens(text: str) -> str:
    """Lower-case words joined by single spaces: "billingAddress1" -> "billing address 1"."""
    text = _E_MAIL.sub("email", text)
    text = _CAMEL.sub(" ", text)
    text = _LETTER_DIGIT.sub(" ", text)
    return " ".join(_NON_WORD.split(text.lower())).strip()
