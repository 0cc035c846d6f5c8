"""The site's cookie declaration beside the cookies the scan observed, for the HTML and
Markdown reports: one row per declared cookie, then one per observed cookie the declaration
does not list."""

from __future__ import annotations

from dataclasses import dataclass

from scanner.model import Cookie, DeclaredCookie, ScanResult
from scanner.statement.declaration import declared_entry

DECLARATION_RULES = (
    "cookie-undeclared",
    "cookie-lifetime-exceeds-declared",
    "cookie-category-mismatch",
)
"""The rules whose findings a row shows."""


@dataclass(frozen=True)
class DeclarationRow:
    """One declared cookie (or one observed but undeclared) and what the scan saw of it."""

    declared: DeclaredCookie | None
    observed: tuple[Cookie, ...]
    problems: tuple[str, ...]
    """Rule ids of the findings about these cookies."""

    @property
    def name(self) -> str:
        """The declared name, else the observed one."""
        return self.declared.name if self.declared else self.observed[0].name

    def lifetime(self, started_at: float) -> str:
        """The longest observed lifetime, in days ("session" when none persists)."""
        ends = [c.expires for c in self.observed if c.expires is not None]
        if not self.observed:
            return "not seen"
        if not ends:
            return "session"
        days = (max(ends) - started_at) / 86400
        return f"{days:.0f} days" if days >= 1 else f"{days * 24:.0f} hours"


def declaration_rows(result: ScanResult) -> list[DeclarationRow]:
    """The declaration's rows, then undeclared cookies; empty when the site declares none."""
    declared = result.statement.cookies_declared if result.statement else []
    if not declared:
        return []
    problems: dict[tuple[str, str], set[str]] = {}
    for finding in result.findings:
        evidence = finding.evidence.get("cookie") if finding.rule_id in DECLARATION_RULES else None
        if isinstance(evidence, dict):
            key = (str(evidence.get("name")), str(evidence.get("domain", "")).lstrip("."))
            problems.setdefault(key, set()).add(finding.rule_id)
    seen: dict[int, list[Cookie]] = {}
    undeclared: list[Cookie] = []
    for cookie in result.cookies:
        entry = declared_entry(declared, cookie)
        if entry is None:
            undeclared.append(cookie)
        else:
            seen.setdefault(id(entry), []).append(cookie)

    def row(entry: DeclaredCookie | None, cookies: list[Cookie]) -> DeclarationRow:
        rules = {r for c in cookies for r in problems.get((c.name, c.domain.lstrip(".")), ())}
        return DeclarationRow(entry, tuple(cookies), tuple(sorted(rules)))

    rows = [row(entry, seen.get(id(entry), [])) for entry in declared]
    return rows + [row(None, [cookie]) for cookie in undeclared]
