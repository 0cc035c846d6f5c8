"""The committed half of the real-statement corpus: references and labels, never the texts."""

from __future__ import annotations

from pathlib import Path

import yaml

from scanner.statement.claims import CLAIM_KINDS

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "statements"
KINDS = set(CLAIM_KINDS) - {"named-third-parties"}


def test_every_reference_has_labels_and_says_where_it_was_read() -> None:
    references = yaml.safe_load((CORPUS / "references.yaml").read_text("utf-8"))["documents"]
    labels = yaml.safe_load((CORPUS / "labels.yaml").read_text("utf-8"))

    assert {r["id"] for r in references} == set(labels)
    for reference in references:
        assert reference["language"] in {"en", "ja"}
        assert reference["split"] in {"dev", "blind"}
        assert len(reference["commit"]) == 40 and "/" in reference["repository"]
    assert any(r["split"] == "blind" for r in references)


def test_labels_hold_kinds_and_hashes_only() -> None:
    labels = yaml.safe_load((CORPUS / "labels.yaml").read_text("utf-8"))

    for document in labels.values():
        assert set(document) == {"sha256", "lines", "passages"}
        for passage in document["passages"]:
            assert set(passage) == {"line", "sha", "kinds"}
            assert len(passage["sha"]) == 12
            assert {kind.rstrip("!") for kind in passage["kinds"]} <= KINDS
