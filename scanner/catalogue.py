"""The rule catalogue (rules/catalogue.yaml) as typed, validated data.

Rule ids are a public contract: reports, waivers, SARIF and CI configs name them. The words a
reader sees (title, description, fix) live in the YAML beside the id, so the check functions stay
short and the catalogue reads as a document; `python -m scanner.catalogue --markdown` renders it
as docs/rules.md.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, get_args

import yaml

from scanner.model import ClaimKind, Severity
from scanner.resources import rules_dir

CLAIM_KINDS: tuple[str, ...] = get_args(ClaimKind)
"""Every claim kind the statement module can extract, in the model's order."""

_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_FIELDS = ("id", "area", "severity", "claims", "title", "description", "fix")


class CatalogueError(ValueError):
    """The rule catalogue is malformed; the message names the file and the rule."""


@dataclass(frozen=True)
class Rule:
    """One rule of the catalogue: what it checks and what a reader should do about it."""

    id: str
    """Stable, kebab-case identifier, e.g. ``pi-form-over-http``."""
    area: str
    """The part of the scan it belongs to: transport, cookies, parties or statement."""
    severity: Severity
    """Default severity; a contradiction of a claim the statement makes raises it one step."""
    claims: tuple[ClaimKind, ...]
    """The statement claim kinds the rule tests (empty when it tests none)."""
    title: str
    """One line naming the problem."""
    description: str
    """Why it matters, in a few sentences."""
    fix: str
    """What to change so the rule no longer fires."""


def parse_catalogue(data: Any, source: str = "catalogue.yaml") -> dict[str, Rule]:
    """Validate parsed YAML and build the rules, in file order; raises CatalogueError."""
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise CatalogueError(f"{source}: expected a top-level `rules:` list")
    rules: dict[str, Rule] = {}
    for index, entry in enumerate(data["rules"], start=1):
        rule = _parse_rule(entry, f"{source}: rule {index}")
        if rule.id in rules:
            raise CatalogueError(f"{source}: rule id {rule.id!r} appears twice")
        rules[rule.id] = rule
    return rules


def _parse_rule(entry: Any, where: str) -> Rule:
    if not isinstance(entry, dict):
        raise CatalogueError(f"{where}: expected a mapping")
    unknown = sorted(set(entry) - set(_FIELDS))
    missing = [name for name in _FIELDS if name not in entry]
    if unknown or missing:
        raise CatalogueError(f"{where}: unknown fields {unknown}, missing fields {missing}")
    rule_id = entry["id"]
    if not isinstance(rule_id, str) or not _ID.match(rule_id):
        raise CatalogueError(f"{where}: id {rule_id!r} is not kebab-case")
    where = f"{where} ({rule_id})"
    texts = {name: entry[name] for name in ("area", "title", "description", "fix")}
    for name, value in texts.items():
        if not isinstance(value, str) or not value.strip():
            raise CatalogueError(f"{where}: {name} must be a non-empty string")
    try:
        severity = Severity(entry["severity"])
    except ValueError:
        known = ", ".join(s.value for s in Severity)
        raise CatalogueError(
            f"{where}: unknown severity {entry['severity']!r} (one of {known})"
        ) from None
    claims = entry["claims"]
    if not isinstance(claims, list) or not all(isinstance(kind, str) for kind in claims):
        raise CatalogueError(f"{where}: claims must be a list of claim kinds")
    unknown_kinds = [kind for kind in claims if kind not in CLAIM_KINDS]
    if unknown_kinds:
        raise CatalogueError(f"{where}: unknown claim kinds {unknown_kinds}")
    return Rule(
        id=rule_id,
        area=texts["area"].strip(),
        severity=severity,
        claims=tuple(claims),
        title=texts["title"].strip(),
        description=" ".join(texts["description"].split()),
        fix=texts["fix"].strip(),
    )


@cache
def _load(path: Path) -> tuple[Rule, ...]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise CatalogueError(f"{path}: cannot read the rule catalogue: {error}") from None
    return tuple(parse_catalogue(data, str(path)).values())


def catalogue_path() -> Path:
    """rules/catalogue.yaml, in a checkout or an installed wheel."""
    return rules_dir() / "catalogue.yaml"


def load_catalogue() -> dict[str, Rule]:
    """Rule id -> Rule, in catalogue order (read and validated once, then cached)."""
    return {rule.id: rule for rule in _load(catalogue_path())}


def rules_testing(kind: str) -> list[Rule]:
    """The rules that test the claim kind `kind`, in catalogue order."""
    return [rule for rule in load_catalogue().values() if kind in rule.claims]


def rules_markdown(rules: dict[str, Rule] | None = None) -> str:
    """docs/rules.md: the catalogue as a document for people who read waivers and reports."""
    rules = load_catalogue() if rules is None else rules
    lines = [
        "# Rules",
        "",
        "<!-- Generated from rules/catalogue.yaml by `python -m scanner.catalogue --markdown`;",
        "     edit the catalogue, then regenerate this file. -->",
        "",
        "Every finding names one of these rules. Rule ids are stable: waivers, baselines, SARIF",
        "and CI configurations refer to them. A finding that tests a claim the statement makes is",
        "a **contradiction**: it quotes the sentence, and its severity is raised one step. One",
        "whose claim the statement does not make is a **disclosure gap**.",
        "",
        "| Rule | Severity | Area | Tests the claim |",
        "|---|---|---|---|",
    ]
    for rule in rules.values():
        claims = ", ".join(f"`{kind}`" for kind in rule.claims) or "—"
        lines.append(
            f"| [`{rule.id}`](#{rule.id}) | {rule.severity.value} | {rule.area} | {claims} |"
        )
    for rule in rules.values():
        claims = ", ".join(f"`{kind}`" for kind in rule.claims) or "none"
        lines += [
            "",
            f"## {rule.id}",
            "",
            f"**{rule.title}**",
            "",
            f"- Severity: {rule.severity.value}",
            f"- Area: {rule.area}",
            f"- Tests the claim: {claims}",
            "",
            rule.description,
            "",
            f"**Fix:** {rule.fix}",
        ]
    lines += ["", "## Claims and the rules that test them", ""]
    lines += ["| Claim kind | Rules |", "|---|---|"]
    for kind in CLAIM_KINDS:
        testing = [f"`{rule.id}`" for rule in rules.values() if kind in rule.claims]
        lines.append(f"| `{kind}` | {', '.join(testing) or '—'} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """`python -m scanner.catalogue [--markdown]`: validate the catalogue, or print its docs."""
    parser = argparse.ArgumentParser(prog="python -m scanner.catalogue", description=main.__doc__)
    parser.add_argument("--markdown", action="store_true", help="print docs/rules.md")
    args = parser.parse_args(argv)
    try:
        rules = load_catalogue()
    except CatalogueError as error:
        print(f"complyscan: {error}", file=sys.stderr)
        return 2
    if args.markdown:
        sys.stdout.write(rules_markdown(rules))
    else:
        print(f"{catalogue_path()}: {len(rules)} rules, valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
