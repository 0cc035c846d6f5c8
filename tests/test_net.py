"""--resolve rules and the Chromium/sslyze/httpx views of them."""

import pytest

from scanner.net import ResolveError, Resolver, ResolveRule, Trust


def test_exact_and_wildcard_rules_match_as_documented() -> None:
    resolver = Resolver.from_strings(["www.example.com:10.0.0.5", "*.shop.test:127.0.0.2"])
    assert resolver.lookup("WWW.Example.com.") == "10.0.0.5"
    assert resolver.lookup("a.b.shop.test") == "127.0.0.2"
    # A wildcard covers subdomains, not the bare domain.
    assert resolver.lookup("shop.test") is None
    assert resolver.lookup("example.com") is None


def test_first_matching_rule_wins() -> None:
    resolver = Resolver.from_strings(["a.x.test:127.0.0.3", "*.x.test:127.0.0.4"])
    assert resolver.lookup("a.x.test") == "127.0.0.3"
    assert resolver.lookup("b.x.test") == "127.0.0.4"


def test_chromium_rules_map_every_rule_and_block_the_rest_when_asked() -> None:
    resolver = Resolver.from_strings(["*.shop.test:127.0.0.2", "v6.test:[::1]"], only_resolved=True)
    assert resolver.chromium_rules() == (
        "MAP *.shop.test 127.0.0.2, MAP v6.test [::1], MAP * ~NOTFOUND"
    )
    assert Resolver().chromium_rules() is None


@pytest.mark.parametrize(
    "text", ["nohost", "www.example.com:", ":127.0.0.1", "www.example.com:not-an-ip", "*:1.2.3.4"]
)
def test_bad_rules_are_refused_with_the_rule_named(text: str) -> None:
    with pytest.raises(ResolveError, match="--resolve"):
        ResolveRule.parse(text)


def test_trust_splits_a_bundle_into_certificates(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from scanner.demo.pki import TestPKI

    pki = TestPKI.create(tmp_path)
    bundle = tmp_path / "bundle.pem"
    pem = pki.ca_pem.read_bytes()
    bundle.write_bytes(pem + pem)
    assert len(Trust(bundle).bundle_pems()) == 2
    assert Trust(bundle).ssl_context.get_ca_certs()  # the bundle is loaded
