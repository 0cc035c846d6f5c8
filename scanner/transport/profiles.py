"""Mozilla's server-side TLS profiles (modern, intermediate, old), as the sslyze we run ships them.

sslyze carries one version of Mozilla's guidelines (a JSON file inside its package). We report
that version beside every verdict, so a reader knows which edition of the recommendations a host
was held to, and a verdict can change when sslyze updates the file.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from sslyze.mozilla_tls_profile.tls_config_checker import (
    MozillaTlsConfiguration,
    ServerNotCompliantWithTlsConfiguration,
    ServerScanResultIncomplete,
    TlsConfigurationEnum,
    check_server_against_tls_configuration,
)

PROFILES: dict[str, TlsConfigurationEnum] = {
    "modern": TlsConfigurationEnum.MOZILLA_MODERN,
    "intermediate": TlsConfigurationEnum.MOZILLA_INTERMEDIATE,
    "old": TlsConfigurationEnum.MOZILLA_OLD,
}
"""The profile names a user may choose (complyscan.toml `tls_profile`, default intermediate)."""


class UnknownProfile(ValueError):
    """A profile name that is not one of PROFILES."""


def profile_enum(name: str) -> TlsConfigurationEnum:
    """The sslyze enum member for a profile name; raises UnknownProfile with the choices."""
    try:
        return PROFILES[name.lower()]
    except KeyError:
        choices = ", ".join(PROFILES)
        raise UnknownProfile(f"unknown TLS profile {name!r}: choose one of {choices}") from None


@cache
def profile_version() -> str | None:
    """The version of Mozilla's guidelines sslyze ships (e.g. "5.7"), or None if unreadable."""
    json_path = Path(getattr(MozillaTlsConfiguration, "_JSON_PROFILE_PATH", ""))
    try:
        version = json.loads(json_path.read_text())["version"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return str(version)


def check_profile(server_scan_result: Any, profile: str) -> tuple[bool | None, list[str]]:
    """Hold a sslyze ServerScanResult to a Mozilla profile.

    Returns (compliant, issues): compliant is None when the scan lacks a result the check needs
    (a scan command failed), and issues then says which. Each issue reads
    "<check>: <sslyze's explanation>", with set members sorted so that reruns compare equal.
    """
    config = MozillaTlsConfiguration.get(profile_enum(profile))
    try:
        check_server_against_tls_configuration(server_scan_result, config)
    except ServerNotCompliantWithTlsConfiguration as exc:
        return False, [f"{key}: {_stable(message)}" for key, message in sorted(exc.issues.items())]
    except ServerScanResultIncomplete as exc:
        return None, [f"not checked: {exc}"]
    return True, []


_SET_LITERAL = re.compile(r"\{([^{}]*)\}")


def _stable(message: str) -> str:
    """sslyze prints Python sets, whose order changes between runs: sort their members."""

    def sort_members(match: re.Match[str]) -> str:
        members = sorted(m.strip() for m in match.group(1).split(",") if m.strip())
        return "{" + ", ".join(members) + "}"

    return _SET_LITERAL.sub(sort_members, message)
