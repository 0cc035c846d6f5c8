"""The CDP network recorder: redirects, cookies with blocked reasons, settling on quiet."""

import asyncio
import time
from base64 import b64decode, b64encode

from scanner.browser.network import BODY_BUDGET, NetworkLog, parse_set_cookie


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


def _post(log: NetworkLog, request_id: str, request: dict[str, object]) -> None:
    log.on_request_will_be_sent(
        {
            "requestId": request_id,
            "type": "Fetch",
            "request": {"url": "https://rec.test/u", "method": "POST", **request},
        }
    )


def test_bodies_are_kept_whole_within_the_page_budget() -> None:
    log = NetworkLog()
    whole = "a" * (BODY_BUDGET - 10)
    _post(log, "1", {"postData": whole})
    _post(log, "2", {"postData": "b" * 100 + "typed@example.test"})
    first, second = log.finished_requests()
    assert first.post_data == whole and not first.post_data_truncated
    assert second.post_data == "b" * 10 and second.post_data_truncated
    assert second.post_data_size == 118
    log.reset()  # a new page: a new budget
    _post(log, "3", {"postData": "c" * 100})
    (third,) = log.finished_requests()
    assert third.post_data == "c" * 100 and not third.post_data_truncated


def test_binary_bodies_are_kept_as_base64() -> None:
    log = NetworkLog()
    raw = bytes([0x1F, 0x8B, 0x08, 0x00, 0xFF, 0xFE])
    _post(log, "1", {"postData": "lossy", "postDataEntries": [{"bytes": b64encode(raw).decode()}]})
    (request,) = log.finished_requests()
    assert request.post_data_base64 and b64decode(request.post_data or "") == raw


def test_a_body_left_out_of_the_event_is_read_whole() -> None:
    big = "x" * 200_000 + "typed@example.test"

    async def read_body(request_id: str) -> dict[str, object]:
        assert request_id == "1"
        return {"postData": b64encode(big.encode()).decode(), "base64Encoded": True}

    async def scenario() -> NetworkLog:
        log = NetworkLog(read_body=read_body)
        _post(log, "1", {"hasPostData": True})
        log.on_loading_done({"requestId": "1"})
        await log.wait_for_quiet(0.01, 2.0)
        return log

    (request,) = asyncio.run(scenario()).finished_requests()
    assert request.post_data == big and request.post_data_size == len(big)


def test_requests_an_unloading_page_sends_are_recorded_from_fetch() -> None:
    log = NetworkLog()
    paused = {
        "requestId": "interception-1",
        "resourceType": "Ping",
        "request": {"url": "https://px.test/b", "method": "POST", "postData": "bye"},
    }
    log.on_request_paused(paused)  # not leaving: the Network domain records requests then
    assert log.finished_requests() == []
    log.leaving = True
    log.on_request_paused(paused)
    (beacon,) = log.finished_requests()
    assert (beacon.url, beacon.resource_type, beacon.post_data) == (
        "https://px.test/b",
        "ping",
        "bye",
    )
