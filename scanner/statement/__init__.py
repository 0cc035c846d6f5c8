"""The privacy statement: find it (find), read it (text, reader), cut it into sentences (segment)
and extract the claims it makes (claims, with patterns from rules/claims/<lang>.yaml)."""

REJECTED_NOTE = "Statement candidate not accepted"
"""How each rejection note in report.json begins (statement-not-found quotes them). Here, not in
statement/source.py, so that the checks can read it without importing the transport."""
