"""classify_field / classify_form over fields as real sites write them, in English and Japanese."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.model import FormField, PIKind
from scanner.parties.pi import classify_field, classify_form

# (attributes, expected kind). Attributes not given are empty; tag defaults to input.
CASES: list[tuple[dict[str, Any], PIKind | None]] = [
    # --- autocomplete decides
    ({"autocomplete": "given-name", "name": "x1"}, "name"),
    ({"autocomplete": "section-a shipping family-name"}, "name"),
    ({"autocomplete": "billing street-address", "tag": "textarea"}, "postal_address"),
    ({"autocomplete": "address-line1"}, "postal_address"),
    ({"autocomplete": "postal-code", "name": "q"}, "postal_address"),
    ({"autocomplete": "country-name", "tag": "select"}, "postal_address"),
    ({"autocomplete": "tel-national"}, "phone"),
    ({"autocomplete": "cc-number", "name": "f3"}, "payment_card"),
    ({"autocomplete": "cc-csc"}, "payment_card"),
    ({"autocomplete": "cc-exp"}, "payment_card"),
    ({"autocomplete": "cc-name"}, "name"),
    ({"autocomplete": "bday-year", "tag": "select"}, "birth_date"),
    ({"autocomplete": "current-password", "type": "password"}, "password"),
    ({"autocomplete": "new-password", "type": "text"}, "password"),
    ({"autocomplete": "username", "name": "name"}, None),
    ({"autocomplete": "username", "type": "email"}, "email"),
    ({"autocomplete": "organization", "label": "Name"}, None),
    ({"autocomplete": "one-time-code", "label": "Code"}, None),
    ({"autocomplete": "off", "name": "email"}, "email"),
    # --- input type decides
    ({"type": "email", "name": "f1"}, "email"),
    ({"type": "tel", "name": "x"}, "phone"),
    ({"type": "password", "name": "pw_field_1"}, "password"),
    # --- English names, ids and labels
    ({"name": "first_name"}, "name"),
    ({"name": "lname"}, "name"),
    ({"name": "fname"}, "name"),
    ({"name": "fullName"}, "name"),
    ({"name": "name"}, "name"),
    ({"id": "customer-name"}, "name"),
    ({"name": "billing_last_name"}, "name"),
    ({"label": "Your name"}, "name"),
    ({"label": "Surname"}, "name"),
    ({"label": "Cardholder name"}, "name"),
    ({"name": "e-mail"}, "email"),
    ({"name": "E_Mail"}, "email"),
    ({"name": "emailAddress"}, "email"),
    ({"name": "mail"}, "email"),
    ({"label": "Email or username"}, "email"),
    ({"name": "email_confirm"}, "email"),
    ({"name": "phone_number"}, "phone"),
    ({"name": "mobile"}, "phone"),
    ({"label": "Telephone"}, "phone"),
    ({"name": "zip"}, "postal_address"),
    ({"name": "zipCode"}, "postal_address"),
    ({"name": "postcode"}, "postal_address"),
    ({"name": "billingAddress1"}, "postal_address"),
    ({"name": "address_2"}, "postal_address"),
    ({"label": "Street address"}, "postal_address"),
    ({"name": "city"}, "postal_address"),
    ({"name": "shipping_country", "tag": "select"}, "postal_address"),
    ({"name": "ccnum"}, "payment_card"),
    ({"name": "card_number"}, "payment_card"),
    ({"name": "cardNumber"}, "payment_card"),
    ({"name": "cvv"}, "payment_card"),
    ({"name": "CVV2"}, "payment_card"),
    ({"label": "Expiry date (MM/YY)"}, "payment_card"),
    ({"label": "Credit card number"}, "payment_card"),
    ({"name": "dob"}, "birth_date"),
    ({"name": "birthday", "type": "date"}, "birth_date"),
    ({"label": "Date of birth"}, "birth_date"),
    ({"name": "birth_year", "tag": "select"}, "birth_date"),
    ({"name": "pass"}, "password"),
    ({"name": "password_confirmation"}, "password"),
    ({"name": "ssn"}, "government_id"),
    ({"name": "passport"}, "government_id"),
    ({"label": "Passport number"}, "government_id"),
    ({"label": "Social Security Number"}, "government_id"),
    ({"name": "drivers_license"}, "government_id"),
    # --- the first of label / name / id that says something decides
    ({"label": "Username", "name": "name"}, None),
    ({"label": "Your details", "name": "email"}, "email"),
    ({"label": "", "name": "", "id": "edit-mail"}, "email"),
    # --- Japanese
    ({"label": "氏名"}, "name"),
    ({"label": "お名前（必須）"}, "name"),
    ({"label": "名前"}, "name"),
    ({"label": "フリガナ"}, "name"),
    ({"label": "姓"}, "name"),
    ({"label": "名"}, "name"),
    ({"label": "ご担当者名"}, "name"),
    ({"label": "カード名義人"}, "name"),
    ({"label": "メールアドレス"}, "email"),
    ({"label": "メールアドレス（確認用）"}, "email"),
    ({"label": "電話番号"}, "phone"),
    ({"label": "携帯番号"}, "phone"),
    ({"label": "ＴＥＬ"}, "phone"),
    ({"label": "住所"}, "postal_address"),
    ({"label": "郵便番号"}, "postal_address"),
    ({"label": "〒"}, "postal_address"),
    ({"label": "都道府県", "tag": "select"}, "postal_address"),
    ({"label": "建物名・部屋番号"}, "postal_address"),
    ({"label": "クレジットカード番号"}, "payment_card"),
    ({"label": "カード番号"}, "payment_card"),
    ({"label": "セキュリティコード"}, "payment_card"),
    ({"label": "生年月日"}, "birth_date"),
    ({"label": "パスワード"}, "password"),
    ({"label": "マイナンバー"}, "government_id"),
    ({"label": "個人番号"}, "government_id"),
    ({"name": "shimei"}, "name"),
    ({"name": "sei_kana"}, "name"),
    # --- negatives
    ({"name": "username"}, None),
    ({"name": "user_name"}, None),
    ({"label": "User name"}, None),
    ({"name": "login_id"}, None),
    ({"name": "loginId"}, None),
    ({"name": "nickname"}, None),
    ({"name": "company_name"}, None),
    ({"label": "Company name"}, None),
    ({"name": "companyName"}, None),
    ({"label": "Product name"}, None),
    ({"name": "q"}, None),
    ({"name": "s"}, None),
    ({"name": "search_query"}, None),
    ({"type": "search", "name": "email"}, None),
    ({"name": "coupon_code"}, None),
    ({"label": "Promo code"}, None),
    ({"name": "quantity", "type": "number"}, None),
    ({"name": "qty"}, None),
    ({"name": "csrf_token", "type": "hidden"}, None),
    ({"name": "authenticity_token"}, None),
    ({"name": "csrfmiddlewaretoken"}, None),
    ({"name": "captcha_code", "label": "Security code"}, None),
    ({"name": "email", "type": "hidden"}, None),
    ({"type": "submit", "name": "send", "label": "Send"}, None),
    ({"tag": "button", "label": "Email us"}, None),
    ({"type": "checkbox", "name": "newsletter_email"}, None),
    ({"name": "message", "tag": "textarea"}, None),
    ({"label": "Comments"}, None),
    ({"name": "filename"}, None),
    ({"label": "IP address"}, None),
    ({"label": "Website"}, None),
    ({"label": "ユーザー名"}, None),
    ({"label": "ログインID"}, None),
    ({"label": "会社名"}, None),
    ({"label": "件名"}, None),
    ({"label": "キーワード検索"}, None),
    ({"label": "クーポンコード"}, None),
    ({"label": "数量"}, None),
    ({"label": "お問い合わせ内容", "tag": "textarea"}, None),
    ({}, None),
]


def _field(**attributes: Any) -> FormField:
    # model_validate: mypy (without the pydantic plugin) cannot see FormField's defaults.
    return FormField.model_validate(attributes)


@pytest.mark.parametrize(("attributes", "expected"), CASES, ids=lambda v: repr(v))
def test_classify_field(attributes: dict[str, Any], expected: PIKind | None) -> None:
    # Given a field as a site writes it, When it is classified, Then the kind is the expected one.
    assert classify_field(**attributes) == expected


def test_classify_form_collects_sorted_kinds() -> None:
    fields = [
        _field(tag="input", type="text", name="q"),
        _field(tag="input", type="email", name="email"),
        _field(tag="input", type="text", name="first_name"),
        _field(tag="input", type="hidden", name="csrf_token"),
        _field(tag="input", type="text", name="zip"),
        _field(tag="input", type="submit", name="go"),
    ]
    assert classify_form(fields) == (True, ["email", "name", "postal_address"])


def test_classify_form_search_box_collects_nothing() -> None:
    fields = [_field(tag="input", type="search", name="q"), _field(tag="button")]
    assert classify_form(fields) == (False, [])


def test_classify_form_keeps_a_kind_already_set() -> None:
    fields = [_field(tag="input", name="x", pi_kind="government_id")]
    assert classify_form(fields) == (True, ["government_id"])
