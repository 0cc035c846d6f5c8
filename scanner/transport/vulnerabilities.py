"""Known TLS attacks a host is open to, from sslyze's vulnerability scan commands."""

from __future__ import annotations

from typing import Any

from sslyze import RobotScanResultEnum

from scanner.transport.attempts import completed


def read_vulnerabilities(attempts: Any) -> dict[str, bool]:
    """Known TLS attacks -> vulnerable; a check whose scan failed is left out (not False)."""
    found: dict[str, bool] = {}
    if (heartbleed := completed(attempts.heartbleed)) is not None:
        found["heartbleed"] = bool(heartbleed.is_vulnerable_to_heartbleed)
    if (robot := completed(attempts.robot)) is not None:
        found["robot"] = robot.robot_result in (
            RobotScanResultEnum.VULNERABLE_STRONG_ORACLE,
            RobotScanResultEnum.VULNERABLE_WEAK_ORACLE,
        )
    if (ccs := completed(attempts.openssl_ccs_injection)) is not None:
        found["ccs_injection"] = bool(ccs.is_vulnerable_to_ccs_injection)
    if (renegotiation := completed(attempts.session_renegotiation)) is not None:
        found["insecure_renegotiation"] = not renegotiation.supports_secure_renegotiation
        found["client_renegotiation_dos"] = bool(
            renegotiation.is_vulnerable_to_client_renegotiation_dos
        )
    if (compression := completed(attempts.tls_compression)) is not None:
        found["compression"] = bool(compression.supports_compression)
    if (fallback := completed(attempts.tls_fallback_scsv)) is not None:
        # Without TLS_FALLBACK_SCSV a man in the middle can push a client down to an older
        # protocol the server also accepts.
        found["downgrade"] = not fallback.supports_fallback_scsv
    return found
