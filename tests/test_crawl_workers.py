"""Workers cannot take the crawl where the page may not go (issue 13, item 3): a WebSocket or a
fetch from a dedicated or shared worker to an address out of scope never connects, and what
the workers send is recorded as the page's own requests."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pytest

from scanner.browser.crawler import Crawler
from scanner.demo.server import Host, Response, SiteServer
from scanner.net import Resolver
from tests.conftest import Canary
from tests.test_crawl import crawl

pytestmark = pytest.mark.browser


class SystemDnsCrawler(Crawler):
    """As in a CI runner, names --resolve does not cover would go to the system's DNS, and
    literal addresses straight to the network. (No name may really leave this machine: every
    name, which ends in a letter, is refused here after the crawler's own rules; IPv4 literals,
    which end in a digit, are left to the crawler's rules.)"""

    def _args(self) -> list[str]:
        args = super()._args()
        no_dns = ", ".join(f"MAP *{c} ~NOTFOUND" for c in string.ascii_lowercase)
        rules = [a for a in args if a.startswith("--host-resolver-rules=")]
        if rules:
            args[args.index(rules[0])] = f"{rules[0]}, {no_dns}"
        else:
            args.append(f"--host-resolver-rules={no_dns}")
        return args


def worker_script(canary: Canary, name: str) -> str:
    ws = canary.url("ws", f"/{name}-ws")
    return f"""
const post = (m) => (self.postMessage ? self.postMessage(m) : null);
try {{ new WebSocket("{ws}"); post("{name}: socket made"); }}
catch (e) {{ post("{name}: socket refused " + e.name); }}
fetch("{canary.url("http", f"/{name}-fetch")}", {{mode: "no-cors"}}).catch(() => {{}});
// A tag in a worker sends once it has loaded (Partytown, batching SDKs).
setTimeout(() => fetch("https://px.tracker.test/{name}.gif", {{mode: "no-cors"}}), 300);
"""


def home() -> str:
    return """<!doctype html><title>Workers</title>
<script>
new Worker("/dedicated.js");
new SharedWorker("/shared.js");
new Worker(URL.createObjectURL(new Blob([document.getElementById ? BLOB : ""])));
</script>"""


@pytest.fixture(scope="module")
def crawled(pki: Any, chromium: Path) -> Any:
    canary = Canary("127.0.0.9")
    blob = worker_script(canary, "blob")
    page = home().replace("BLOB", repr(blob).replace("\n", "\\n"))
    js = "text/javascript"
    hosts = [
        Host(
            "www.shop.test",
            routes={
                "/": Response(page),
                "/dedicated.js": Response(worker_script(canary, "dedicated"), content_type=js),
                "/shared.js": Response(worker_script(canary, "shared"), content_type=js),
            },
        ),
        Host(
            "px.tracker.test",
            routes={
                f"/{n}.gif": Response(b"", status=204) for n in ("dedicated", "shared", "blob")
            },
        ),
    ]
    try:
        with SiteServer(hosts, pki) as server:
            resolver = Resolver.from_strings(server.resolve_rules(), only_resolved=False)
            pages, crawler = crawl(
                server,
                chromium,
                SystemDnsCrawler,
                resolver=resolver,
                workers=1,
                max_pages=1,
                leak_probe=False,
                settle_cap_s=4,
                quiet_s=1.5,
            )
            yield pages[""], crawler, canary.connections
    finally:
        canary.close()


def test_no_worker_reaches_an_address_out_of_scope(crawled: Any) -> None:
    _, _, connections = crawled
    assert connections == 0


def test_the_workers_requests_are_recorded_as_the_page_s(crawled: Any) -> None:
    page, _, _ = crawled
    urls = {r.url for r in page.requests}
    assert "https://px.tracker.test/dedicated.gif" in urls
    assert "https://px.tracker.test/blob.gif" in urls
    # A shared worker is no child of the page's: it is watched from the browser (issue 15).
    assert "https://px.tracker.test/shared.gif" in urls


def test_a_shared_worker_s_fetch_out_of_scope_is_refused_and_listed(crawled: Any) -> None:
    # Its fetch to the canary is paused and failed by the crawler's own guard, as a dedicated
    # worker's is, and listed with the crawl's refused addresses (not only refused by
    # Chromium's resolver, which the crawl would not hear of).
    _, crawler, connections = crawled
    refused = [u for u in crawler.stats.skipped_private if u.endswith("/shared-fetch")]
    assert len(refused) == 1 and refused[0].startswith("http://127.0.0.9:"), refused
    assert connections == 0


EARLY_WORKER_JS = """
const n = location.search;
fetch("/hit/top" + n, {method: "POST", body: "first"}).catch(() => {});
self.onmessage = (m) => fetch("/hit/message" + n + "&u=" + m.data).catch(() => {});
"""


@pytest.fixture(scope="module")
def early(pki: Any, chromium: Path) -> Any:
    page = """<!doctype html><title>Early</title>
<script>for (const n of [1, 2, 3]) new Worker("/early.js?n=" + n).postMessage("hi");</script>"""
    routes = {
        "/": Response(page),
        "/early.js": Response(EARLY_WORKER_JS, content_type="text/javascript"),
        "/hit/top": Response(b"", status=204),
        "/hit/message": Response(b"", status=204),
    }
    with SiteServer([Host("www.shop.test", routes=routes)], pki) as server:
        pages, _ = crawl(
            server, chromium, workers=1, max_pages=1, leak_probe=False, settle_cap_s=4, quiet_s=1
        )
        yield pages[""]


def test_a_dedicated_worker_s_first_requests_are_recorded(early: Any) -> None:
    # The worker sends at once: on start, and on the message posted as it was created (a stats
    # tag, as on the demo site). Playwright lets it run before this crawler's session is set up.
    sent = [r.url.split("://", 1)[1].split("/", 1)[1] for r in early.requests]
    assert len(sent) == len(set(sent)), sent  # none twice: CDP and Playwright saw the page's
    hits = sorted(u for u in sent if u.startswith("hit/"))
    assert hits == [
        f"hit/{kind}?n={n}{u}" for kind, u in [("message", "&u=hi"), ("top", "")] for n in (1, 2, 3)
    ]
    top = next(r for r in early.requests if r.url.endswith("/hit/top?n=1"))
    assert (top.method, top.post_data, top.status) == ("POST", "first", 204)
