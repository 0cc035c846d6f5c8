"""The one vocabulary every stage of a scan shares.

Each stage of design.md reads these models and adds to them; report.json is `ScanResult` dumped
to JSON, and its JSON Schema (`complyscan schema`) is a public, versioned contract: fields may be
added, never renamed or removed, without a new `SCHEMA_VERSION`. Every field is described by its
attribute docstring (or its Field description), which the schema carries; docs/report-format.md
says what changed between versions."""

from __future__ import annotations

import enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict

SCHEMA_VERSION = 3
"""2: fingerprints v2 (plus fingerprint_v1), typed leaks, changes and closed vocabularies.
3: `consent` (the consent manager and what each consent state saw) and five claim kinds."""


class Model(BaseModel):
    """Base of every model: unknown fields are refused so that typos cannot pass silently."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, use_attribute_docstrings=True)


class Severity(enum.StrEnum):
    """How urgent a finding is, most severe first."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """4 for critical down to 0 for info: larger is more severe."""
        return _SEVERITY_RANK[self]

    def raised(self, steps: int = 1) -> Severity:
        """This severity moved `steps` towards critical (never past it)."""
        rank = min(self.rank + steps, Severity.CRITICAL.rank)
        return next(s for s in Severity if s.rank == rank)


_SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


PIKind = Literal[
    "name",
    "email",
    "phone",
    "postal_address",
    "payment_card",
    "birth_date",
    "password",
    "government_id",
]
"""Kinds of personal information a form field can collect."""


VendorCategory = Literal[
    "analytics",
    "advertising",
    "social",
    "tag-manager",
    "session-recording",
    "customer-support",
    "cdn",
    "consent",
    "video",
    "hosting",
    "utility",
    "other",
]
"""Our vendor categories (rules/vendors and complyscan.toml `[[vendors]]` use these)."""


BeaconKind = Literal[
    "pixel", "sendbeacon", "ping", "analytics-endpoint", "query-ids", "websocket", "data-upload"
]
"""How a beacon carries the visit: an image pixel, navigator.sendBeacon, an <a ping>, a known
analytics endpoint, identifiers in a third party's query string, messages over a WebSocket, or
any other body sent to another site."""


HostRole = Literal["start", "statement", "serves-pi-form", "receives-pi-form", "cert-error", "all"]
"""Why a host was TLS-scanned: the start URL's, the statement's, one serving or receiving a
personal-information form, one whose page failed with a certificate error, or every host (when
the scan is asked to scan all)."""


FailOn = Literal["critical", "high", "medium", "low", "none"]
"""A --fail-on threshold: findings at or above the severity fail the gate; none never fails."""


FindingStatus = Literal["new", "baselined", "waived"]
"""A finding as the gate saw it: new, already in the baseline, or accepted by a waiver."""


def _form_method(value: Any) -> Any:
    """A method the browser would not use (a hostile page's getter) submits as GET, as it would."""
    if isinstance(value, str):
        value = value.lower()
        return value if value in ("get", "post", "dialog", "script") else "get"
    return value


FormMethod = Annotated[Literal["get", "post", "dialog", "script"], BeforeValidator(_form_method)]
"""get, post or dialog as the form's method attribute resolves (lower-case); "script" for a
group of personal-information inputs outside any <form>, which only the page's scripts send."""
