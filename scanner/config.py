"""A scan's configuration: complyscan.toml, then command-line flags on top.

Every error a user can cause here is a ConfigError with one line that says what to fix; the
command line turns it into exit code 2.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from cryptography import x509
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from scanner.net import ResolveError, ResolveRule
from scanner.sanitize import has_credentials, redact_url
from scanner.urls import host_is_valid, idna_host

FORMATS = ("json", "html", "sarif", "junit", "md")
FAIL_ON = ("critical", "high", "medium", "low", "none")


class ConfigError(ValueError):
    """A configuration a scan cannot run with (exit code 2)."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Disclosed(_Section):
    """A vendor the statement covers in general words (`[[disclosed]]` in complyscan.toml)."""

    vendor: str
    domains: list[str] = Field(default_factory=list)
    purpose: str = ""
    cookies: list[str] = Field(default_factory=list)


class VendorEntry(_Section):
    """A vendor the user adds to (or overrides in) the vendor data (`[[vendors]]`)."""

    name: str
    domains: list[str]
    category: str = "other"
    company: str | None = None


class ScanConfig(_Section):
    """Everything one scan runs with."""

    url: str
    out: Path = Path("out")
    max_pages: int = Field(50, ge=1, le=1_000_000)
    max_depth: int = Field(20, ge=0, le=10_000)
    workers: int = Field(default_factory=lambda: os.cpu_count() or 2, ge=1, le=64)
    time_budget: float | None = Field(None, gt=0)
    resolve: list[str] = Field(default_factory=list)
    only_resolved: bool = False
    """Names no --resolve rule covers do not resolve (no traffic leaves the machine)."""
    ca_bundle: Path | None = None
    chromium: str | None = None
    formats: list[str] = Field(default_factory=lambda: ["json", "html"])
    fail_on: str = "high"
    baseline: Path | None = None
    waivers: Path | None = None
    db: str | None = None
    """The history store: a path, `sqlite:///path` or `postgresql://...` (scanner/store.py)."""
    profile: str | None = None
    """The target's name (staging, production...): history keeps one timeline per site and
    target (scanner/store.py `target_key`)."""
    webhook: str | None = None
    """A URL that is POSTed a JSON summary when a scan finds something new (scanner/webhook.py)."""
    resume: bool = False
    screenshots: bool = True
    tls_all: bool = False
    tls_profile: Literal["modern", "intermediate", "old"] = "intermediate"
    tls_slow: bool = False
    cert_expiry_days: int = Field(30, ge=0)
    hosts: list[str] = Field(default_factory=list)
    exclude_hosts: list[str] = Field(default_factory=list)
    paths: list[str] = Field(default_factory=list)
    exclude_paths: list[str] = Field(default_factory=list)
    first_party: list[str] = Field(default_factory=list)
    statement_url: str | None = None
    disclosed: list[Disclosed] = Field(default_factory=list)
    vendors: list[VendorEntry] = Field(default_factory=list)
    quiet_s: float = Field(0.5, gt=0)
    settle_cap_s: float = Field(5.0, gt=0)
    nav_timeout_s: float = Field(20.0, gt=0)
    respect_robots: bool = False
    """Leave out pages robots.txt disallows for complyscan (or every robot); off by default."""
    trap_threshold: int = Field(20, ge=1)
    """URLs of one pattern (numbers and dates templated) crawled at most: more is a crawl trap."""
    credentials_dropped: bool = False
    """The start URL (or statement URL) carried `user:password@`, removed here: complyscan
    neither sends nor records credentials given in a URL (docs/security.md)."""
    per_host: int = Field(2, ge=1, le=64)
    """Pages loaded at once from one host at most (politeness towards the site's servers)."""
    host_delay: float = Field(0.0, ge=0)
    """Seconds between the starts of two page loads on one host (0: none)."""
    dwell: float = Field(30.0, ge=0, le=3600)
    """Page time each page gets (its timers run on virtual time) before it is left."""
    user_agent: str | None = Field(None, min_length=1, max_length=500)
    """The user agent the browser sends; default: the desktop Chrome its Chromium is."""
    allow_unread_pages: bool = False
    """Pages that could not be read in time do not make the scan incomplete (still reported)."""
    consent: bool = Field(
        default_factory=lambda: (
            os.environ.get("COMPLYSCAN_CONSENT", "on").lower() not in ("0", "off", "no", "false")
        )
    )
    """Visit chosen pages in the consent states (no choice, reject all, accept all, GPC); off
    with `--no-consent`, `[consent] enabled = false` or COMPLYSCAN_CONSENT=off."""
    consent_jurisdiction: Literal["none", "eu", "uk", "jp", "us-ca"] = "none"
    """Whose law judges consent-banner-missing and gpc-ignored (`[consent] jurisdiction`)."""
    consent_essential: list[str] = Field(default_factory=list)
    """The site's own functional vendors, domains or cookies (wildcards): never tracking."""
    consent_max_pages: int = Field(30, ge=1, le=10_000)
    """Pages each consent state visits at most."""
    autoconsent_dir: Path | None = None
    """Where @duckduckgo/autoconsent is installed (else the usual places: README "Consent")."""

    @model_validator(mode="before")
    @classmethod
    def _drop_credentials(cls, data: Any) -> Any:
        """Credentials in a URL are removed before anything can record or print them."""
        if not isinstance(data, dict):
            return data
        for key in ("url", "statement_url"):
            value = data.get(key)
            if isinstance(value, str) and has_credentials(value):
                data = {**data, key: redact_url(value), "credentials_dropped": True}
        return data

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        if not value.strip().isprintable():
            # urlsplit would silently drop a tab or newline and scan another host.
            raise ValueError(f"{redact_url(value)!r}: control characters in the URL or its host")
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{redact_url(value)!r} is not an http(s) URL with a host")
        if not host_is_valid(idna_host(parts.hostname)):
            raise ValueError(f"{redact_url(value)!r}: {parts.hostname!r} is not a valid host name")
        try:
            _ = parts.port
        except ValueError:
            raise ValueError(f"{redact_url(value)!r} has an invalid port") from None
        return value

    @field_validator("user_agent")
    @classmethod
    def _check_user_agent(cls, value: str | None) -> str | None:
        if value is not None and (not value.strip() or any(ord(c) < 32 for c in value)):
            raise ValueError("--user-agent must be one line of printable text")
        return value

    @field_validator("resolve")
    @classmethod
    def _check_resolve(cls, value: list[str]) -> list[str]:
        for rule in value:
            try:
                ResolveRule.parse(rule)
            except ResolveError as exc:
                raise ValueError(str(exc)) from None
        return value

    @field_validator("profile")
    @classmethod
    def _check_profile(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", value):
            raise ValueError(
                f"{value[:80]!r}: name a target with letters, digits, '.', '_' or '-' (at most 64)"
            )
        return value

    @field_validator("formats")
    @classmethod
    def _check_formats(cls, value: list[str]) -> list[str]:
        unknown = [f for f in value if f not in FORMATS]
        if unknown:
            raise ValueError(f"unknown format {unknown[0]!r} (choose from {', '.join(FORMATS)})")
        return list(dict.fromkeys(["json", *value]))

    @field_validator("fail_on")
    @classmethod
    def _check_fail_on(cls, value: str) -> str:
        if value not in FAIL_ON:
            raise ValueError(f"--fail-on {value!r}: choose from {', '.join(FAIL_ON)}")
        return value

    def check_files(self) -> None:
        """Files named by the configuration must exist and be readable."""
        for label, path in (
            ("--ca-bundle", self.ca_bundle),
            ("--baseline", self.baseline),
            ("--waivers", self.waivers),
        ):
            if path is not None and not path.is_file():
                raise ConfigError(f"{label} {path}: no such file")
        if self.ca_bundle is not None:
            text = self.ca_bundle.read_bytes()
            if b"-----BEGIN CERTIFICATE-----" not in text:
                raise ConfigError(f"--ca-bundle {self.ca_bundle}: no PEM certificate in the file")
            try:
                x509.load_pem_x509_certificates(text)
            except ValueError as exc:
                first = (str(exc).splitlines() or ["unreadable"])[0][:200]
                raise ConfigError(
                    f"--ca-bundle {self.ca_bundle}: a bad certificate ({first})"
                ) from None

    def public_dict(self) -> dict[str, Any]:
        """The configuration as recorded in report.json: the webhook URL (its path is a
        token) is never written, only whether one was set."""
        data = self.model_dump(mode="json")
        data["webhook"] = "[redacted]" if self.webhook else None
        return data


# complyscan.toml sections and the ScanConfig fields they fill.
_TOML_SECTIONS: dict[str, dict[str, str]] = {
    "scan": {
        "url": "url",
        "profile": "profile",
        "out": "out",
        "max_pages": "max_pages",
        "max_depth": "max_depth",
        "workers": "workers",
        "time_budget": "time_budget",
        "resolve": "resolve",
        "only_resolved": "only_resolved",
        "ca_bundle": "ca_bundle",
        "chromium": "chromium",
        "formats": "formats",
        "screenshots": "screenshots",
        "tls_all": "tls_all",
        "tls_profile": "tls_profile",
        "tls_slow": "tls_slow",
        "cert_expiry_days": "cert_expiry_days",
        "per_host": "per_host",
        "host_delay": "host_delay",
        "dwell": "dwell",
        "user_agent": "user_agent",
        "db": "db",
        "webhook": "webhook",
    },
    "scope": {
        "hosts": "hosts",
        "exclude_hosts": "exclude_hosts",
        "paths": "paths",
        "exclude_paths": "exclude_paths",
        "first_party": "first_party",
        "respect_robots": "respect_robots",
        "trap_threshold": "trap_threshold",
    },
    "statement": {"url": "statement_url"},
    "consent": {
        "enabled": "consent",
        "jurisdiction": "consent_jurisdiction",
        "essential": "consent_essential",
        "max_pages": "consent_max_pages",
        "autoconsent_dir": "autoconsent_dir",
    },
    "gate": {
        "fail_on": "fail_on",
        "baseline": "baseline",
        "waivers": "waivers",
        "allow_unread_pages": "allow_unread_pages",
    },
}


def read_toml(path: Path) -> dict[str, Any]:
    """complyscan.toml as ScanConfig fields; relative paths are relative to the file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"--config {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--config {path}: cannot read it ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"--config {path}: not valid TOML ({exc})") from None
    fields: dict[str, Any] = {}
    for section, values in data.items():
        if section in ("disclosed", "vendors"):
            if not isinstance(values, list):
                raise ConfigError(f"--config {path}: [[{section}]] must be an array of tables")
            fields[section] = values
            continue
        mapping = _TOML_SECTIONS.get(section)
        if mapping is None or not isinstance(values, dict):
            raise ConfigError(f"--config {path}: unknown section [{section}]")
        for key, value in values.items():
            if key not in mapping:
                raise ConfigError(f"--config {path}: unknown key {key!r} in [{section}]")
            fields[mapping[key]] = value
    for key in ("ca_bundle", "baseline", "waivers", "db", "autoconsent_dir"):
        if key in fields and not isinstance(fields[key], str):
            raise ConfigError(
                f"--config {path}: {key} must be a path (a string), not {fields[key]!r}"
            )
        value = str(fields.get(key) or "")
        if value and not Path(value).is_absolute() and "://" not in value:  # URLs: not paths
            fields[key] = str(path.parent / fields[key])
    return fields


def build_config(file: Path | None, overrides: dict[str, Any]) -> ScanConfig:
    """The configuration from a file (if any) with command-line values on top."""
    fields = read_toml(file) if file is not None else {}
    for key, value in overrides.items():
        if value is None or (key in ("resolve",) and not value):
            continue
        if key == "resolve":
            fields["resolve"] = [*fields.get("resolve", []), *value]
        else:
            fields[key] = value
    if "url" not in fields:
        raise ConfigError("no URL to scan: give one on the command line or as [scan] url")
    try:
        config = ScanConfig(**fields)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error.get("loc", ())) or "configuration"
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        raise ConfigError(f"{where}: {message}") from None
    config.check_files()
    return config
