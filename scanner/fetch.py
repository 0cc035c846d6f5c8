"""Fetching a URL the way every part of a scan does (robots.txt and sitemaps for the crawl, the
statement's documents, the transport's HTTP checks): one client, capped, under the network policy.

Every request, and each hop of its redirects, asks the scan's network policy first
(scanner/netpolicy.py): the host is resolved once (its --resolve address, or DNS), checked, and
the request connects to that checked address with the real name in the Host header and in SNI,
verified against `Trust.ssl_context` for that name. So a staging build is judged under its
production names, and a site cannot point a fetch at the runner's own network. Redirects are
followed here, hop by hop, so that each hop is checked again and the chain is on record.

Every fetch is capped (docs/security.md): at most MAX_BODY bytes of body are kept (the rest is
not read, and `truncated` says so), and the whole fetch (every hop, headers and body) must end
within its deadline, however slowly the server drips. Network failures and refusals never raise:
they are written into the result's `error` (`refused` for a policy refusal).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin

import httpx

from scanner.net import Resolver, Trust
from scanner.netpolicy import NetPolicy, PolicyRefused
from scanner.scope import Scope

MAX_BODY = 5 * 1024 * 1024
"""Bytes of a body kept; the rest is not read (statement pages are far smaller)."""

MAX_REDIRECTS = 10

FETCH_DEADLINE = 30.0
"""Seconds one whole fetch (every redirect hop, headers and body) may take at most."""

USER_AGENT = "Mozilla/5.0 (compatible; complyscan)"

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class Hop:
    """One response on the way to the final one."""

    url: str
    """The URL asked for, by host name (never the --resolve address)."""
    status: int
    headers: httpx.Headers
    """The response headers (case-insensitive; `get_list` for repeated ones)."""


@dataclass(frozen=True)
class FetchResult:
    """What fetching a URL gave, redirects followed."""

    url: str
    """The URL asked for."""
    final_url: str
    """The URL of the last response (or of the request that failed)."""
    status: int | None = None
    """The last response's status; None when no response came."""
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    """The last response's headers."""
    body: bytes = b""
    """The last response's body, at most MAX_BODY bytes."""
    truncated: bool = False
    """True when the body was longer than MAX_BODY."""
    redirect_chain: list[str] = field(default_factory=list)
    """Every URL asked for, in order: the first, each redirect target, the last."""
    hops: list[Hop] = field(default_factory=list)
    """Each response received, in order (the last one is the final response)."""
    error: str | None = None
    """Why the fetch stopped short (no listener, TLS failure, timeout, too many redirects,
    refused by the network policy)."""
    refused: bool = False
    """True when the network policy refused the URL or one of its redirects."""

    @property
    def ok(self) -> bool:
        """True when a final response arrived and nothing went wrong."""
        return self.error is None and self.status is not None

    @property
    def content_type(self) -> str:
        """The final response's media type, lower-case, without parameters."""
        content_type: str = self.headers.get("content-type", "")
        return content_type.split(";", 1)[0].strip().lower()

    def text(self) -> str:
        """The body decoded with the charset the response declares (UTF-8 otherwise)."""
        charset = "utf-8"
        for part in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = part.strip().partition("=")
            if name.lower() == "charset" and value:
                charset = value.strip("\"' ")
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


async def fetch(
    url: str,
    resolver: Resolver,
    trust: Trust,
    *,
    method: str = "GET",
    follow: int = MAX_REDIRECTS,
    timeout: float = 10.0,
    verify: bool = True,
    headers: dict[str, str] | None = None,
    policy: NetPolicy | None = None,
    purpose: str = "fetch",
    deadline: float = FETCH_DEADLINE,
) -> FetchResult:
    """Fetch `url`, following up to `follow` redirects, each hop admitted by `policy`.

    `policy` is the scan's network policy; without one, the URL's own site (its registrable
    domain) and the --resolve rules are the scope. `purpose` names the fetch in the policy's
    record of refusals. `timeout` bounds each wait for the network, `deadline` the whole fetch.
    `verify=False` still reads the response of a host whose certificate is bad, or whose TLS is
    too old for a verifying client (used to read such a host's headers anyway). Never raises on
    network errors: they are in `FetchResult.error`.
    """
    context = trust.ssl_context if verify else unverified_context()
    policy = policy or default_policy(url, resolver)
    return await within_deadline(
        url,
        deadline,
        fetch_hops(url, policy, purpose, context, method, follow, timeout, headers or {}),
    )


def default_policy(url: str, resolver: Resolver) -> NetPolicy:
    """The policy of a lone fetch: the URL's site and the --resolve rules are in scope."""
    return NetPolicy.for_scan(resolver, Scope.for_start_url(url), url)


async def within_deadline(
    url: str, seconds: float, fetching: Awaitable[FetchResult]
) -> FetchResult:
    """The fetch, or a failed result when it does not end within `seconds`."""
    try:
        async with asyncio.timeout(seconds):
            return await fetching
    except TimeoutError:
        return FetchResult(url, url, error=f"{url}: no complete answer within {seconds:g} s")


TLS_FAILED = "TLS failed"


async def fetch_hops(
    url: str,
    policy: NetPolicy,
    purpose: str,
    context: ssl.SSLContext,
    method: str,
    follow: int,
    timeout: float,
    headers: dict[str, str],
    *,
    stop: Callable[[str], bool] | None = None,
) -> FetchResult:
    """Fetch with redirects followed by hand; `stop(next_url)` ends the walk before a hop
    (the plain-HTTP probe stops at the first https URL: that is the verdict)."""
    chain: list[str] = []
    hops: list[Hop] = []
    current = url
    for _ in range(follow + 1):
        chain.append(current)
        try:
            hop, body, truncated, body_error = await _request(
                current, policy, purpose, context, method, timeout, headers
            )
        except PolicyRefused as exc:
            return FetchResult(
                url, current, redirect_chain=chain, hops=hops, error=str(exc), refused=True
            )
        except _FetchError as exc:
            return FetchResult(url, current, redirect_chain=chain, hops=hops, error=str(exc))
        hops.append(hop)
        location = hop.headers.get("location")
        if hop.status not in _REDIRECT_STATUSES or not location:
            return FetchResult(
                url, current, hop.status, hop.headers, body, truncated, chain, hops, body_error
            )
        current = urljoin(current, location.strip())
        if hop.status == 303 or (hop.status in (301, 302) and method == "POST"):
            method = "GET"
        if stop is not None and stop(current):
            chain.append(current)
            return FetchResult(url, current, hop.status, hop.headers, b"", False, chain, hops)
    last = hops[-1]
    return FetchResult(
        url,
        chain[-1],
        last.status,
        last.headers,
        redirect_chain=chain,
        hops=hops,
        error=f"{url}: more than {follow} redirects",
    )


class _FetchError(Exception):
    """One request that got no response; the message is the result's error."""


async def _request(
    url: str,
    policy: NetPolicy,
    purpose: str,
    context: ssl.SSLContext,
    method: str,
    timeout: float,
    extra_headers: dict[str, str],
) -> tuple[Hop, bytes, bool, str | None]:
    """One request, no redirect followed: (response, body, truncated, error reading the body)."""
    try:
        target = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise _FetchError(f"{url}: not a valid URL ({exc})") from None
    if target.scheme not in ("http", "https") or not target.host:
        raise _FetchError(f"{url}: only http:// and https:// URLs can be fetched")
    headers = {"User-Agent": USER_AGENT, **extra_headers}
    extensions: dict[str, str] = {}
    try:
        admission = await policy.admit(str(target), purpose)
    except ConnectionError as exc:
        raise _FetchError(str(exc)) from None
    # Connect to the checked address; speak to the name (Host header, SNI, certificate check).
    headers["Host"] = target.netloc.decode("ascii")
    if target.scheme == "https" and admission.host != admission.address:
        extensions["sni_hostname"] = admission.host
    target = target.copy_with(host=admission.address)

    # A client per request, without keep-alive: connections to one address must never be
    # shared between host names (SNI and the certificate check belong to the connection).
    async with httpx.AsyncClient(
        verify=context,
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
        limits=httpx.Limits(max_keepalive_connections=0),
    ) as client:
        request = client.build_request(method, target, headers=headers, extensions=extensions)
        try:
            response = await client.send(request, stream=True)
        except httpx.TimeoutException:
            raise _FetchError(f"{url}: no answer within {timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise _FetchError(_describe(url, exc)) from None
        body_error: str | None = None
        try:
            body, truncated = await _read_capped(response, method)
        except httpx.HTTPError as exc:
            body, truncated, body_error = b"", False, _describe(url, exc)
        finally:
            await response.aclose()
    return Hop(url, response.status_code, response.headers), body, truncated, body_error


async def _read_capped(response: httpx.Response, method: str) -> tuple[bytes, bool]:
    if method == "HEAD" or response.status_code in _REDIRECT_STATUSES:
        return b"", False
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BODY:
            return b"".join(chunks)[:MAX_BODY], True
    return b"".join(chunks), False


def _describe(url: str, exc: BaseException) -> str:
    """One line for a failed request; TLS failures start with TLS_FAILED."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            reason = cause.verify_message or cause.reason or str(cause)
            return f"{TLS_FAILED}: {url}: certificate not accepted: {reason}"
        if isinstance(cause, ssl.SSLError):
            return f"{TLS_FAILED}: {url}: {cause.reason or cause}"
        cause = cause.__cause__ or cause.__context__
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        return f"{url}: cannot connect ({text})"
    return f"{url}: {text}"


def unverified_context() -> ssl.SSLContext:
    """A client context that accepts any certificate and any protocol OpenSSL still speaks:
    only for reading what a broken host sends, never for trusting it."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context
