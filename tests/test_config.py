"""complyscan.toml and flags: values, precedence, and one-line errors."""

from pathlib import Path

import pytest

from scanner.config import ConfigError, build_config
from scanner.demo.pki import TestPKI


def test_file_then_flags(tmp_path: Path, pki: TestPKI) -> None:
    (tmp_path / "ca.pem").write_bytes(pki.ca_pem.read_bytes())
    toml = tmp_path / "complyscan.toml"
    toml.write_text(
        """
[scan]
url = "https://www.example.com/"
max_pages = 10
dwell = 12.5
user_agent = "complyscan-ci/1.0"
resolve = ["www.example.com:127.0.0.1"]
ca_bundle = "ca.pem"

[scope]
first_party = ["examplecdn.net"]

[statement]
url = "https://www.example.com/privacy"

[gate]
fail_on = "medium"

[[disclosed]]
vendor = "Google Analytics"
domains = ["google-analytics.com"]
""",
        encoding="utf-8",
    )
    config = build_config(toml, {"max_pages": 5, "resolve": ["cdn.example.com:127.0.0.2"]})
    assert config.max_pages == 5
    assert (config.dwell, config.user_agent) == (12.5, "complyscan-ci/1.0")
    assert config.resolve == ["www.example.com:127.0.0.1", "cdn.example.com:127.0.0.2"]
    assert config.ca_bundle == tmp_path / "ca.pem"
    assert config.fail_on == "medium"
    assert config.statement_url == "https://www.example.com/privacy"
    assert config.disclosed[0].vendor == "Google Analytics"
    assert config.formats[0] == "json"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"url": "not a url"}, "not an http"),
        ({"url": "ftp://example.com/"}, "not an http"),
        ({"url": "https://example.com:99999/"}, "invalid port"),
        ({"url": "https://example.com/", "ca_bundle": Path("/nonexistent.pem")}, "no such file"),
        ({"url": "https://example.com/", "resolve": ["bad"]}, "--resolve"),
        ({"url": "https://example.com/", "formats": ["pdf"]}, "unknown format"),
        ({"url": "https://example.com/", "max_pages": 0}, "max_pages"),
        ({"url": "https://example.com/", "user_agent": "bot\r\nX-Evil: 1"}, "--user-agent"),
        ({"url": "https://example.com/", "dwell": -1}, "dwell"),
        ({}, "no URL"),
    ],
)
def test_errors_are_one_line(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        build_config(None, overrides)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_unknown_toml_keys_are_refused(tmp_path: Path) -> None:
    toml = tmp_path / "c.toml"
    toml.write_text('[scan]\nurl = "https://a.test/"\nmax_pagse = 3\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown key 'max_pagse'"):
        build_config(toml, {})
    toml.write_text("[scan\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        build_config(toml, {})


def test_a_ca_bundle_whose_certificate_does_not_parse_is_one_clear_error(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n")
    with pytest.raises(ConfigError, match="a bad certificate"):
        build_config(None, {"url": "https://www.example.com/", "ca_bundle": bundle})
