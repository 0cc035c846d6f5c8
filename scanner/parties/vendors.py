"""Whose host a request goes to: vendors, their categories and the names statements call them.

The data is rules/vendors/third-party-web.json (the MIT data set `third-party-web`, refreshed by
scripts/refresh_vendors.py) corrected by rules/vendors/overrides.yaml (session-recording vendors,
aliases, names too common to read in a statement). A user's complyscan.toml vendors come last
and win (`VendorDB.with_overrides`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Final, get_args

import yaml

from scanner.model import VendorCategory
from scanner.parties.domains import host_of
from scanner.resources import rules_dir

CATEGORIES: Final = get_args(VendorCategory)
"""Our vendor categories."""

THIRD_PARTY_WEB_CATEGORIES: Final[Mapping[str, str]] = {
    "ad": "advertising",
    "analytics": "analytics",
    "social": "social",
    "tag-manager": "tag-manager",
    "customer-success": "customer-support",
    "cdn": "cdn",
    "consent-provider": "consent",
    "video": "video",
    "hosting": "hosting",
    "utility": "utility",
    # "marketing" mixes ad tech, e-mail tools, pop-ups and chat; overrides.yaml sorts the
    # well-known ones, the rest stay "other" rather than being called advertising unheard.
    "marketing": "other",
    "content": "other",
    "other": "other",
}
"""third-party-web's category -> ours. It has no session recording: overrides.yaml marks those."""

TRACKING_CATEGORIES: Final = frozenset({"analytics", "advertising", "session-recording"})
"""Categories whose endpoints exist to receive information about visits."""

_MIN_NAME_IN_TEXT: Final = 4


@dataclass(frozen=True)
class Vendor:
    """A company's service that a site's pages may call."""

    name: str
    """The entity's name, as reports show it ("Google Analytics")."""
    company: str | None
    """The company behind it ("Google"), when known."""
    category: str
    """One of CATEGORIES."""
    domains: tuple[str, ...]
    """Hosts it serves from; each covers its subdomains."""
    homepage: str | None = None
    aliases: tuple[str, ...] = field(default=())
    """Other names a statement may use ("Meta Pixel" for Facebook)."""


class VendorDB:
    """Vendors by domain, by name and by mention in text."""

    def __init__(
        self,
        vendors: Iterable[Vendor],
        version: str,
        not_in_text: Iterable[str] = (),
        cookie_names: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        """`vendors` in priority order: when two claim a domain or a name, the first wins.

        `cookie_names` maps a vendor's name to the first-party cookie names its SDK writes
        (`*` matches any run of characters).
        """
        self.vendors: tuple[Vendor, ...] = tuple(vendors)
        self.version = version
        """Where the data comes from, e.g. "third-party-web 0.30.0"."""
        self._not_in_text = frozenset(name.casefold() for name in not_in_text)
        self._by_domain: dict[str, Vendor] = {}
        self._by_name: dict[str, Vendor] = {}
        for vendor in self.vendors:
            for domain in vendor.domains:
                self._by_domain.setdefault(_bare_domain(domain), vendor)
            for name in (vendor.name, *vendor.aliases):
                self._by_name.setdefault(name.casefold(), vendor)
        self._lookups: dict[str, Vendor | None] = {}
        self.cookie_names: dict[str, tuple[str, ...]] = {
            name: tuple(patterns) for name, patterns in (cookie_names or {}).items()
        }
        self._cookie_patterns: list[tuple[re.Pattern[str], Vendor]] = []
        for name, patterns in self.cookie_names.items():
            owner = self.by_name(name)
            if owner is None:
                raise ValueError(f"cookie names for {name!r}: no vendor of that name")
            for pattern in patterns:
                glob = ".*".join(re.escape(part) for part in pattern.split("*"))
                self._cookie_patterns.append((re.compile(glob), owner))

    def __len__(self) -> int:
        return len(self.vendors)

    def lookup(self, host_or_url: str) -> Vendor | None:
        """The vendor of a host or URL: the most specific of its domains that the data names."""
        try:
            return self._lookups[host_or_url]
        except KeyError:
            pass
        labels = host_of(host_or_url).split(".")
        found = None
        for i in range(len(labels)):
            found = self._by_domain.get(".".join(labels[i:]))
            if found is not None:
                break
        if len(self._lookups) < 65536:
            self._lookups[host_or_url] = found
        return found

    def by_name(self, name: str) -> Vendor | None:
        """A vendor by its name or an alias, case-insensitive."""
        return self._by_name.get(" ".join(name.split()).casefold())

    def by_cookie_name(self, cookie_name: str) -> Vendor | None:
        """The vendor whose SDK writes a first-party cookie of this name (`_ga`, `ajs_user_id`)."""
        for pattern, vendor in self._cookie_patterns:
            if pattern.fullmatch(cookie_name):
                return vendor
        return None

    def find_in_text(self, text: str) -> list[tuple[Vendor, int, int]]:
        """Vendors a text names, with the offsets of each mention, in text order.

        Whole words only, longest name first ("Google Analytics" rather than a shorter name at
        the same place). A data-set name is read only if it is 4 characters or more, not in
        overrides.yaml's not_in_text, and written with a capital where the name has one (so
        "segment" is a word, "Segment" or "SEGMENT" the vendor). Curated aliases always count.
        """
        found: list[tuple[Vendor, int, int]] = []
        position = 0
        for token in _ASCII_WORD.finditer(text):
            if token.start() < position:
                continue
            match = self._match_at(text, token.start())
            if match is not None:
                found.append(match)
                position = match[2]
        if self._non_ascii_names is not None:
            for hit in self._non_ascii_names.finditer(text):
                if not any(s < hit.end() and hit.start() < e for _, s, e in found):
                    vendor = self._by_name[hit[0].casefold()]
                    found.append((vendor, hit.start(), hit.end()))
            found.sort(key=lambda item: item[1])
        return found

    def with_overrides(self, extra: Iterable[Vendor]) -> VendorDB:
        """A copy in which `extra` (a user's configured vendors) win over the data set.

        An extra vendor replaces a data-set vendor of the same name; its domains take precedence.
        """
        extra = tuple(extra)
        names = {v.name.casefold() for v in extra}
        kept = [v for v in self.vendors if v.name.casefold() not in names]
        version = f"{self.version} + {len(extra)} configured" if extra else self.version
        return VendorDB([*extra, *kept], version, self._not_in_text, self.cookie_names)

    # -- text matching ----------------------------------------------------------------------

    @cached_property
    def _names_by_first_word(self) -> dict[str, list[tuple[str, Vendor]]]:
        """First word (casefolded) -> (name or alias, vendor), longest name first."""
        table: dict[str, list[tuple[str, Vendor]]] = {}
        for vendor in self.vendors:
            for name, curated in ((vendor.name, False), *((a, True) for a in vendor.aliases)):
                if not curated and not self._readable_in_text(name):
                    continue
                first = _ASCII_WORD.match(name)
                if first is None:
                    continue  # starts with a non-ASCII letter: _non_ascii_names
                table.setdefault(first[0].casefold(), []).append((name, vendor))
        for candidates in table.values():
            candidates.sort(key=lambda c: -len(c[0]))
        return table

    @cached_property
    def _non_ascii_names(self) -> re.Pattern[str] | None:
        names = sorted(
            {a for v in self.vendors for a in v.aliases if not _ASCII_WORD.match(a)},
            key=len,
            reverse=True,
        )
        if not names:
            return None
        return re.compile("|".join(re.escape(n) for n in names), re.IGNORECASE)

    def _readable_in_text(self, name: str) -> bool:
        return (
            len(name) >= _MIN_NAME_IN_TEXT
            and name.casefold() not in self._not_in_text
            and not name.endswith("-VOID")
        )

    def _match_at(self, text: str, start: int) -> tuple[Vendor, int, int] | None:
        word = _ASCII_WORD.match(text, start)
        assert word is not None
        for name, vendor in self._names_by_first_word.get(word[0].casefold(), ()):
            end = start + len(name)
            written = text[start:end]
            if written.casefold() != name.casefold():
                continue
            if end < len(text) and _is_ascii_alnum(text[end]) and _is_ascii_alnum(name[-1]):
                continue  # "Hotjars" is not "Hotjar"
            if written != name and written == written.lower() and name != name.lower():
                continue  # "segment" is a word; "Segment" the vendor
            return vendor, start, end
        return None


_ASCII_WORD: Final = re.compile(r"[A-Za-z0-9]+")


def _is_ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _bare_domain(domain: str) -> str:
    return domain.strip().lower().removeprefix("*.").rstrip(".")


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


@cache
def load_vendors() -> VendorDB:
    """The bundled vendor data with overrides.yaml applied (read once per process)."""
    return load_vendor_dir(rules_dir() / "vendors")


def load_vendor_dir(directory: Path) -> VendorDB:
    """Read third-party-web.json and overrides.yaml from `directory`."""
    data = json.loads((directory / "third-party-web.json").read_text(encoding="utf-8"))
    vendors = [_from_third_party_web(row) for row in data["entities"]]
    overrides_path = directory / "overrides.yaml"
    overrides: dict[str, Any] = {}
    if overrides_path.is_file():
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: a faster start
        overrides = yaml.load(overrides_path.read_text(encoding="utf-8"), Loader=loader) or {}
    vendors = _apply_overrides(vendors, overrides.get("vendors") or [])
    version = f"{data.get('source', 'third-party-web')} {data.get('version', '?')}"
    return VendorDB(
        vendors, version, overrides.get("not_in_text") or [], overrides.get("cookies") or {}
    )


def vendor_from_config(entry: Mapping[str, Any]) -> Vendor:
    """A Vendor from a config table: name, domains, and optionally category, company, aliases."""
    category = str(entry.get("category") or "other")
    if category not in CATEGORIES:
        raise ValueError(
            f"vendor {entry.get('name')!r}: unknown category {category!r}; "
            f"expected one of {', '.join(CATEGORIES)}"
        )
    return Vendor(
        name=str(entry["name"]),
        company=entry.get("company"),
        category=category,
        domains=tuple(_bare_domain(d) for d in entry.get("domains") or ()),
        homepage=entry.get("homepage"),
        aliases=tuple(entry.get("aliases") or ()),
    )


def _from_third_party_web(row: Mapping[str, Any]) -> Vendor:
    return Vendor(
        name=row["name"],
        company=row.get("company") or row["name"],
        category=THIRD_PARTY_WEB_CATEGORIES.get(row["category"], "other"),
        domains=tuple(_bare_domain(d) for d in row["domains"]),
        homepage=row.get("homepage") or None,
    )


def _apply_overrides(vendors: list[Vendor], entries: list[dict[str, Any]]) -> list[Vendor]:
    index = {v.name.casefold(): i for i, v in enumerate(vendors)}
    added: list[Vendor] = []
    for entry in entries:
        name = str(entry["name"])
        i = index.get(name.casefold())
        if i is None:
            added.append(vendor_from_config(entry))
            continue
        old = vendors[i]
        category = entry.get("category", old.category)
        if category not in CATEGORIES:
            raise ValueError(f"overrides.yaml: {name}: unknown category {category!r}")
        vendors[i] = replace(
            old,
            category=category,
            company=entry.get("company", old.company),
            homepage=entry.get("homepage", old.homepage),
            domains=old.domains + tuple(_bare_domain(d) for d in entry.get("domains") or ()),
            aliases=old.aliases + tuple(entry.get("aliases") or ()),
        )
    # Vendors the data set lacks come first: nobody else claims their domains.
    return [*added, *vendors]
