"""Words the statement stage writes into report.json's notes, which checks read back."""

from __future__ import annotations

REJECTED_NOTE = "Statement candidate not accepted"
"""How each rejection note in report.json begins (statement-not-found quotes them)."""
