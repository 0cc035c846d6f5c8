"""Words the statement stage writes into report.json's notes, which checks read back."""

from __future__ import annotations

from scanner.model import Statement
from scanner.statement.readable import supported_languages

REJECTED_NOTE = "Statement candidate not accepted"
"""How each rejection note in report.json begins (statement-not-found quotes them)."""

UNREAD_NOTE = "Statement not read"
"""How the note for a statement whose claims could not be read begins."""


def statement_unread_notes(statement: Statement) -> list[str]:
    """The report note for a statement complyscan could not read claims from (its language has
    no patterns, or it has no text), or none when it was read."""
    if not statement.unread:
        return []
    return [
        f"{UNREAD_NOTE}: {statement.unread} at {statement.url}. complyscan reads claims in "
        f"{', '.join(supported_languages())}: no finding quotes it, and the rules that fire on "
        "what a statement does not say were not checked."
    ]
