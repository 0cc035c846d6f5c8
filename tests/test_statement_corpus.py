"""Precision and recall of claim extraction over the hand-labelled statement corpus.

Each tests/fixtures/statements/<name>.txt|.html has a <name>.expected.yaml listing every claim a
careful reader finds in it: kind, polarity (affirms by default), a substring of the sentence and,
for named-third-parties, the vendor. An extracted claim matches an expected one when kind,
polarity and vendor agree and the expected substring is in its quote.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from scanner.model import Claim
from scanner.statement.claims import extract_claims
from scanner.statement.text import html_to_text

CORPUS = Path(__file__).parent / "fixtures" / "statements"
THRESHOLD = 0.9


@dataclass(frozen=True)
class Expected:
    kind: str
    polarity: str
    quote: str
    vendor: str | None

    def matches(self, claim: Claim) -> bool:
        return (
            claim.kind == self.kind
            and claim.polarity == self.polarity
            and self.quote in claim.quote
            and (self.vendor or None) == claim.vendor
        )


def statement_files() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.suffix in {".txt", ".html"})


def statement_text(path: Path) -> str:
    raw = path.read_text(encoding="utf-8")
    return html_to_text(raw)[0] if path.suffix == ".html" else raw


def expected_claims(path: Path) -> list[Expected]:
    data: dict[str, Any] = yaml.safe_load(path.with_suffix(".expected.yaml").read_text("utf-8"))
    return [
        Expected(e["kind"], e.get("polarity", "affirms"), e["quote"], e.get("vendor"))
        for e in data["claims"]
    ]


def score(path: Path) -> tuple[list[Claim], list[Expected]]:
    """The claims extracted that no expected claim matches, and the expected ones never found."""
    found = extract_claims(statement_text(path))
    expected = expected_claims(path)
    unexpected = [c for c in found if not any(e.matches(c) for e in expected)]
    missed = [e for e in expected if not any(e.matches(c) for c in found)]
    return unexpected, missed


def test_corpus_is_varied_enough() -> None:
    files = statement_files()
    names = [p.name for p in files]
    assert sum(n.startswith("en-") for n in names) >= 10
    assert sum(n.startswith("ja-") for n in names) >= 4
    for path in files:
        assert path.with_suffix(".expected.yaml").is_file(), f"{path.name} has no expectations"


def test_precision_and_recall_over_the_corpus() -> None:
    found_total = expected_total = false_positives = false_negatives = 0
    report: list[str] = []
    for path in statement_files():
        unexpected, missed = score(path)
        found_total += len(extract_claims(statement_text(path)))
        expected_total += len(expected_claims(path))
        false_positives += len(unexpected)
        false_negatives += len(missed)
        report += [f"  {path.name}: extra {c.kind} ({c.polarity}): {c.quote!r}" for c in unexpected]
        report += [f"  {path.name}: missed {e.kind} ({e.polarity}): {e.quote!r}" for e in missed]

    precision = (found_total - false_positives) / found_total
    recall = (expected_total - false_negatives) / expected_total
    print(
        f"\nclaim extraction over {len(statement_files())} statements: "
        f"precision {precision:.3f} ({found_total - false_positives}/{found_total}), "
        f"recall {recall:.3f} ({expected_total - false_negatives}/{expected_total})"
    )
    print("\n".join(report))
    assert precision >= THRESHOLD, "\n".join(report)
    assert recall >= THRESHOLD, "\n".join(report)


@pytest.mark.parametrize("path", statement_files(), ids=lambda p: p.name)
def test_claim_offsets_quote_the_text(path: Path) -> None:
    text = statement_text(path)
    for claim in extract_claims(text):
        assert text[claim.start : claim.end] == claim.quote
