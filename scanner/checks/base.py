"""What every check function receives, and the one way a Finding is made.

A check function takes a CheckContext and yields Findings; its words (title, description, fix)
and its severity come from rules/catalogue.yaml, so the function stays short. When the statement
makes a claim the finding tests, the finding is a contradiction: it quotes the sentence and its
severity rises one step. Without the claim it is a disclosure gap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from scanner.catalogue import Rule, load_catalogue
from scanner.fingerprint import fingerprint, fingerprint_v1
from scanner.model import Claim, ClaimKind, ClaimRef, Finding, Page, ScanResult, Statement
from scanner.parties.domains import FirstParty, registrable_domain
from scanner.parties.vendors import VendorDB


@dataclass(frozen=True)
class Declaration:
    """Vendors the site's owner says the statement covers (complyscan.toml `[[disclosed]]`)."""

    vendor: str
    domains: tuple[str, ...] = ()
    cookies: tuple[str, ...] = ()


@dataclass
class CheckContext:
    """The scan's observations, and the helpers every check shares."""

    result: ScanResult
    first_party: FirstParty
    vendors: VendorDB
    declarations: list[Declaration] = field(default_factory=list)
    cert_expiry_days: int = 30
    previous_statement: Statement | None = None
    catalogue: dict[str, Rule] = field(default_factory=load_catalogue)

    # -- observations ------------------------------------------------------------------------

    def pi_pages(self) -> Iterator[Page]:
        """Pages with at least one form that collects personal information."""
        return (p for p in self.result.pages if any(f.collects_pi for f in p.forms))

    @property
    def statement(self) -> Statement | None:
        """The statement, if one was found."""
        return self.result.statement

    def claim(
        self, kinds: Iterable[ClaimKind], polarity: Literal["affirms", "denies"] = "affirms"
    ) -> Claim | None:
        """The first claim of one of these kinds, with this polarity, if the statement makes it."""
        if self.statement is None:
            return None
        wanted = set(kinds)
        return next(
            (c for c in self.statement.claims if c.kind in wanted and c.polarity == polarity),
            None,
        )

    @cached_property
    def disclosed_names(self) -> set[str]:
        """Vendor names the statement or the declaration covers, lower-case."""
        names = {d.vendor.lower() for d in self.declarations}
        if self.statement is not None:
            names |= {
                c.vendor.lower()
                for c in self.statement.claims
                if c.kind == "named-third-parties" and c.vendor and c.polarity == "affirms"
            }
        return names

    @cached_property
    def disclosed_sites(self) -> set[str]:
        """Registrable domains of the disclosed vendors."""
        sites: set[str] = set()
        for declaration in self.declarations:
            sites |= {registrable_domain(d) for d in declaration.domains}
        for name in self.disclosed_names:
            vendor = self.vendors.by_name(name)
            if vendor is not None:
                sites |= {registrable_domain(d) for d in vendor.domains}
        return sites

    def is_disclosed(self, vendor: str | None, host: str) -> bool:
        """True when the statement or the declaration covers this vendor (or its site)."""
        if vendor and vendor.lower() in self.disclosed_names:
            return True
        return registrable_domain(host) in self.disclosed_sites

    # -- findings ----------------------------------------------------------------------------

    def finding(
        self,
        rule_id: str,
        message: str,
        *,
        location: str,
        page_url: str | None = None,
        host: str | None = None,
        evidence: dict[str, Any] | None = None,
        claim: Claim | None = None,
    ) -> Finding:
        """A Finding of `rule_id`, with the catalogue's words and a stable fingerprint.

        `location` is what makes two findings of one rule different (a page, a host, a form's
        target, a vendor): it is normalised into the fingerprint, so baselines and waivers
        survive reruns.
        """
        rule = self.catalogue[rule_id]
        severity = rule.severity.raised() if claim is not None else rule.severity
        return Finding(
            rule_id=rule_id,
            severity=severity,
            title=rule.title,
            message=message,
            page_url=page_url,
            host=host,
            evidence=evidence or {},
            claim=ClaimRef(kind=claim.kind, quote=claim.quote) if claim is not None else None,
            fingerprint=fingerprint(rule_id, location),
            fingerprint_v1=fingerprint_v1(rule_id, location),
        )


Check = Callable[[CheckContext], Iterable[Finding]]
