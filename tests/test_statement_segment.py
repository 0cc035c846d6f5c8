"""sentences() cuts the text where a reader would, and its offsets index the text exactly."""

from __future__ import annotations

from scanner.statement.segment import sentences


def quotes(text: str) -> list[str]:
    spans = sentences(text)
    for start, end in spans:
        assert text[start:end] == text[start:end].strip()
    return [text[start:end] for start, end in spans]


def test_english_sentences_and_headings() -> None:
    text = "How we protect data\nWe encrypt forms. Staff are trained!  Are backups kept? Yes."

    assert quotes(text) == [
        "How we protect data",
        "We encrypt forms.",
        "Staff are trained!",
        "Are backups kept?",
        "Yes.",
    ]


def test_offsets_index_the_text_exactly() -> None:
    text = "  Intro line  \n\n   First one. Second one.\n"

    spans = sentences(text)

    assert spans == [(2, 12), (19, 29), (30, 41)]
    assert [text[s:e] for s, e in spans] == ["Intro line", "First one.", "Second one."]


def test_abbreviations_urls_emails_and_decimals_do_not_split() -> None:
    text = (
        "Vendors (e.g. Lumen Inc. and Tally Co. Ltd.) see data, i.e. page views, etc. only. "
        "Write to help@tally.example or visit https://tally.example/a.b?x=1. "
        "Version 2.5 applies. Signed, R. Okafor."
    )

    assert quotes(text) == [
        "Vendors (e.g. Lumen Inc. and Tally Co. Ltd.) see data, i.e. page views, etc. only.",
        "Write to help@tally.example or visit https://tally.example/a.b?x=1.",
        "Version 2.5 applies.",
        "Signed, R. Okafor.",
    ]


def test_list_items_are_segments_without_their_bullets_or_numbers_split_off() -> None:
    text = "Purposes:\n• Sending orders\n- Answering questions\n1. Billing. Refunds too.\n2. Fraud"

    assert quotes(text) == [
        "Purposes:",
        "Sending orders",
        "Answering questions",
        "1. Billing.",
        "Refunds too.",
        "2. Fraud",
    ]


def test_japanese_sentences() -> None:
    text = (
        "個人情報の取扱い\n"
        "当社は適切に管理します。第三者には提供しません！（法令に基づく場合を除く）\n"
        "・お問い合わせ窓口"
    )

    assert quotes(text) == [
        "個人情報の取扱い",
        "当社は適切に管理します。",
        "第三者には提供しません！",
        "（法令に基づく場合を除く）",
        "お問い合わせ窓口",
    ]


def test_quoted_sentence_end() -> None:
    assert quotes('He said "we never sell data." Then he left.') == [
        'He said "we never sell data."',
        "Then he left.",
    ]


def test_empty_and_punctuation_only_lines_are_skipped() -> None:
    assert sentences("\n \n---\n") == []
