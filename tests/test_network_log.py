"""The CDP network recorder: redirects, cookies with blocked reasons, settling on quiet."""

import asyncio
import time

from scanner.browser.network import NetworkLog, parse_set_cookie


def test_parse_set_cookie_reads_every_attribute() -> None:
    attrs = parse_set_cookie(
        "fr=abc; Domain=.Facebook.com; Path=/tr; Secure; HttpOnly; SameSite=none; Max-Age=60"
    )
    assert attrs["name"] == "fr" and attrs["value"] == "abc"
    assert attrs["domain"] == ".facebook.com" and attrs["path"] == "/tr"
    assert attrs["secure"] and attrs["http_only"] and attrs["same_site"] == "None"
    assert attrs["expires"] > time.time()


def test_redirect_hops_become_separate_requests() -> None:
    log = NetworkLog()
    log.on_request_will_be_sent(
        {
            "requestId": "1",
            "type": "Document",
            "request": {"url": "http://a.test/", "method": "GET"},
        }
    )
    log.on_request_will_be_sent(
        {
            "requestId": "1",
            "type": "Document",
            "request": {"url": "https://a.test/", "method": "GET"},
            "redirectResponse": {"status": 301},
        }
    )
    log.on_response_received({"requestId": "1", "response": {"status": 200}})
    log.on_loading_done({"requestId": "1"})
    first, second = log.finished_requests()
    assert (first.url, first.status) == ("http://a.test/", 301)
    assert (second.url, second.status, second.redirected_from) == (
        "https://a.test/",
        200,
        "http://a.test/",
    )
    assert not log.inflight


def test_blocked_cookies_are_recorded_as_attempted() -> None:
    log = NetworkLog()
    log.on_request_will_be_sent(
        {"requestId": "7", "type": "Image", "request": {"url": "https://px.test/p.gif"}}
    )
    log.on_response_extra_info(
        {
            "requestId": "7",
            "headers": {"set-cookie": "a=1; Secure\nb=2"},
            "blockedCookies": [{"cookieLine": "b=2", "blockedReasons": ["ThirdPartyPhaseout"]}],
        }
    )
    a, b = log.cookies
    assert a.stored and a.set_by == "https://px.test/p.gif"
    assert not b.stored and b.blocked_reasons == ["ThirdPartyPhaseout"]


def test_wait_for_quiet_returns_after_the_window_and_is_restarted_by_activity() -> None:
    async def scenario() -> tuple[bool, float]:
        log = NetworkLog()
        log.on_request_will_be_sent({"requestId": "1", "request": {"url": "https://a.test/"}})

        async def finish_later() -> None:
            await asyncio.sleep(0.2)
            log.on_loading_done({"requestId": "1"})

        task = asyncio.create_task(finish_later())
        start = time.monotonic()
        quiet = await log.wait_for_quiet(quiet_s=0.1, cap_s=2.0)
        await task
        return quiet, time.monotonic() - start

    quiet, took = asyncio.run(scenario())
    assert quiet
    assert 0.25 <= took < 1.0  # the in-flight request held it, then one quiet window


def test_wait_for_quiet_gives_up_at_the_cap() -> None:
    async def scenario() -> bool:
        log = NetworkLog()
        log.on_request_will_be_sent({"requestId": "1", "request": {"url": "https://a.test/"}})
        return await log.wait_for_quiet(quiet_s=0.05, cap_s=0.2)

    assert asyncio.run(scenario()) is False
