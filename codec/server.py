"""The codec server: Temporal's remote codec protocol over HTTP, so the Temporal UI (and the
`temporal` CLI) show support staff decrypted payloads while the server only ever stores
ciphertext.

`POST .../encode` and `POST .../decode` take and answer `{"payloads": [...]}` in protobuf JSON
(bytes in base64); only the last path segment counts, so it may be mounted at any depth. The
browser calls it cross-origin from the UI, so CORS answers the configured UI origins and no
other. It decrypts customers' personal data, so who may call it is decided before anything is
read:

- with `WAYPOST_CODEC_SERVER_TOKEN`: `Authorization: Bearer <token>` (the CLI's `--codec-auth`,
  a proxy), or the session cookie its `/login` page sets (the UI sends it with "Include
  cross-origin credentials"); no credentials is a 401, wrong ones a 403;
- without a token (the local dev stack): it listens on loopback only and answers requests whose
  Host is loopback and whose Origin, when there is one, is an allowed UI origin. A web page on
  another origin gets nothing, even through DNS rebinding.

The token is the one secret between the customers' data and a guesser, so `/login` takes posts
from this server's own page (or an allowed UI origin) only, and failed guesses are limited per
client address and in all (`LoginLimiter`); bearer tokens sent to the codec routes count alike.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import ipaddress
import math
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import structlog
from google.protobuf import json_format
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from temporalio.api.common.v1 import Payload, Payloads

from infra.encryption import payload_codec
from infra.limits import BodyLimits, BodyRule, KiB
from infra.serving import serving
from infra.settings import Settings

log = structlog.get_logger("waypost.codec")

ALLOWED_HEADERS = "Authorization, Authorization-Extras, Content-Type, X-Namespace"
"""What the Temporal UI sends to a codec server (Authorization only when it passes its token)."""
SESSION_COOKIE = "waypost_codec_session"
BAD_BEARER = "the bearer token is not valid"
SESSION_SECONDS = 12 * 3600
LOGIN_BODY_LIMIT = 4 * KiB
"""The login form: one token."""


@dataclass(frozen=True)
class Access:
    """Who may call: the token (None: loopback only), the UI origins, the namespace served."""

    token: str | None
    origins: frozenset[str]
    namespace: str

    @classmethod
    def from_settings(cls, settings: Settings) -> Access:
        token = settings.codec_server_token
        return cls(
            token=token.get_secret_value() if token else None,
            origins=frozenset(o.rstrip("/") for o in settings.codec_cors_origins),
            namespace=settings.temporal_namespace,
        )


@dataclass(frozen=True)
class Refusal:
    status: int
    reason: str


class LoginLimiter:
    """Failed token guesses in a sliding window: `per_client` per client address, `overall`
    from everyone together (a guess spread over many addresses is slowed too). Successful
    sign-ins are not counted. In memory and bounded: at most `max_clients` addresses are
    remembered, the least recently failing forgotten first, so a flood of addresses cannot grow
    it (the overall cap still holds them back)."""

    def __init__(
        self,
        *,
        per_client: int = 5,
        overall: int = 50,
        window: float = 60.0,
        max_clients: int = 4096,
    ) -> None:
        self.per_client, self.overall, self.window = per_client, overall, window
        self.max_clients = max_clients
        self._clients: OrderedDict[str, deque[float]] = OrderedDict()
        self._all: deque[float] = deque(maxlen=overall)

    def __len__(self) -> int:
        """How many client addresses are remembered."""
        return len(self._clients)

    def retry_after(self, client: str, now: float, *, overall: bool = True) -> int | None:
        """Whole seconds until `client` may guess again; None when it may now. `overall=False`
        asks about the client's own budget only."""
        waits: list[float] = []
        bucket = self._clients.get(client)
        if bucket is not None and self._full(bucket, self.per_client, now):
            waits.append(bucket[0] + self.window - now)
        if overall and self._full(self._all, self.overall, now):
            waits.append(self._all[0] + self.window - now)
        return max(1, math.ceil(max(waits))) if waits else None

    def failed(self, client: str, now: float) -> None:
        bucket = self._clients.pop(client, None) or deque(maxlen=self.per_client)
        bucket.append(now)
        self._clients[client] = bucket
        while len(self._clients) > self.max_clients:
            self._clients.popitem(last=False)
        self._all.append(now)

    def _full(self, times: deque[float], limit: int, now: float) -> bool:
        while times and times[0] <= now - self.window:
            times.popleft()
        return len(times) >= limit


def origin_of(url: str | None) -> str | None:
    """`scheme://host[:port]` of a URL (a Referer), lower-cased; None when it has none."""
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def login_refusal(
    access: Access, *, origin: str | None, referer: str | None, host: str | None
) -> Refusal | None:
    """Why a POST /login is refused before its token is read: it must come from this server's
    own login page (an origin on the Host it was sent to, either scheme, since TLS usually ends
    at a proxy in front) or an allowed UI origin. Browsers send Origin with every form post
    (the login page's Referrer-Policy keeps it from being `null`); with neither Origin nor
    Referer it is no browser's sign-in (the CLI and proxies send the bearer token instead)."""
    source = origin.lower() if origin is not None else origin_of(referer)
    if source is None:
        return Refusal(403, "a sign-in must be posted from the login page (no Origin or Referer)")
    scheme, _, netloc = source.partition("://")
    own = host is not None and scheme in ("http", "https") and netloc == host.lower()
    if not own and source not in {o.lower() for o in access.origins}:
        return Refusal(403, f"a sign-in from {source} is not accepted")
    return None


def preflight_headers(access: Access, origin: str | None) -> dict[str, str] | None:
    """The answer to a CORS preflight from `origin`; None refuses it."""
    if origin is None or origin not in access.origins:
        return None
    return {
        **cors_headers(access, origin),
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": ALLOWED_HEADERS,
        "Access-Control-Max-Age": "600",
    }


def cors_headers(access: Access, origin: str | None) -> dict[str, str]:
    """Headers letting an allowed UI origin read the answer (with credentials); none for others."""
    if origin is None or origin not in access.origins:
        return {"Vary": "Origin"}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Vary": "Origin",
    }


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def session_value(token: str, expires: int) -> str:
    mac = hmac.new(token.encode(), f"codec-session:{expires}".encode(), hashlib.sha256)
    return f"{expires}.{mac.hexdigest()}"


def session_valid(token: str, cookie: str | None, now: float) -> bool:
    if not cookie:
        return False
    expires, _, _ = cookie.partition(".")
    if not expires.isdigit() or int(expires) < now:
        return False
    return hmac.compare_digest(cookie, session_value(token, int(expires)))


def refusal(
    access: Access,
    *,
    origin: str | None,
    host: str | None,
    authorization: str | None,
    session: str | None,
    namespace: str | None,
    now: float,
) -> Refusal | None:
    """Why a codec request is refused, or None to answer it."""
    if origin is not None and origin not in access.origins:
        return Refusal(403, f"origin {origin} may not use this codec server")
    if access.token is None:
        hostname = urlsplit(f"//{host or ''}").hostname or ""
        if not is_loopback(hostname):
            return Refusal(403, "without a token this codec server answers loopback requests only")
    else:
        scheme, _, given = (authorization or "").partition(" ")
        if authorization and scheme.lower() == "bearer":
            if not hmac.compare_digest(given.strip().encode(), access.token.encode()):
                return Refusal(403, BAD_BEARER)
        elif not session_valid(access.token, session, now):
            if authorization or session:
                return Refusal(403, "the credentials are not valid")
            return Refusal(401, "a bearer token (or a session from /login) is required")
    if namespace and namespace != access.namespace:
        return Refusal(
            403, f"this codec server serves namespace {access.namespace!r}, not {namespace!r}"
        )
    return None


def parse_payloads(body: bytes) -> list[Payload]:
    """`{"payloads": [...]}` in protobuf JSON; ValueError saying what is wrong."""
    try:
        message = json_format.Parse(body.decode("utf-8"), Payloads())
    except (json_format.ParseError, UnicodeDecodeError) as err:
        raise ValueError(f'the body is not {{"payloads": [...]}} in protobuf JSON: {err}') from err
    return list(message.payloads)


def payloads_json(payloads: Sequence[Payload]) -> str:
    return json_format.MessageToJson(Payloads(payloads=payloads), indent=None)


def create_codec_app(settings: Settings, *, limiter: LoginLimiter | None = None) -> Starlette:
    """The codec server's app; `limiter` (default: 5 failures a minute per client address, 50 in
    all) counts failed sign-ins and wrong bearer tokens."""
    limiter = limiter if limiter is not None else LoginLimiter()
    codec = payload_codec(settings)
    if codec is None:
        raise RuntimeError(
            "payload encryption is off (WAYPOST_PAYLOAD_KEYS is empty): nothing to decode"
        )
    access = Access.from_settings(settings)

    def refuse(refused: Refusal, cors: dict[str, str]) -> JSONResponse:
        headers = dict(cors)
        if refused.status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="waypost-codec"'
        return JSONResponse({"detail": refused.reason}, refused.status, headers=headers)

    def client_of(request: Request) -> str:
        """The caller's address (behind a proxy, what uvicorn's FORWARDED_ALLOW_IPS trusts)."""
        return request.client.host if request.client else "unknown"

    def too_many(wait: int, headers: dict[str, str], html: bool = False) -> Response:
        reason = f"too many failed attempts: try again in {wait} s"
        retry = {**headers, "Retry-After": str(wait)}
        if html:
            return HTMLResponse(_page(reason.capitalize() + "."), 429, headers=retry)
        return JSONResponse({"detail": reason}, 429, headers=retry)

    async def codec_route(request: Request) -> Response:
        action = request.url.path.rstrip("/").rpartition("/")[2]
        if action not in ("encode", "decode"):
            return JSONResponse({"detail": "not found: POST .../encode or .../decode"}, 404)
        origin = request.headers.get("origin")
        if request.method == "OPTIONS":
            allowed = preflight_headers(access, origin)
            if allowed is None:
                log.warning("codec preflight refused", origin=origin)
                return JSONResponse({"detail": f"origin {origin} is not allowed"}, 403)
            return Response(status_code=204, headers=allowed)
        cors = cors_headers(access, origin)
        namespace = request.headers.get("x-namespace")
        client, now = client_of(request), time.time()
        authorization = request.headers.get("authorization")
        bearer = access.token is not None and bool(authorization)
        if bearer:  # a guessable secret: the client's own failures hold it back
            wait = limiter.retry_after(client, now, overall=False)
            if wait is not None:
                log.warning("codec request refused", action=action, status=429)
                return too_many(wait, cors)
        refused = refusal(
            access,
            origin=origin,
            host=request.headers.get("host"),
            authorization=authorization,
            session=request.cookies.get(SESSION_COOKIE),
            namespace=namespace,
            now=now,
        )
        if refused is not None and bearer and refused.reason == BAD_BEARER:
            limiter.failed(client, now)
        if refused is not None:
            log.warning(
                "codec request refused", action=action, status=refused.status, reason=refused.reason
            )
            return refuse(refused, cors)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return JSONResponse(
                {"detail": "send Content-Type: application/json"}, 415, headers=cors
            )
        try:
            payloads = parse_payloads(await request.body())
            if action == "encode":
                result = await codec.encode(payloads)
            else:
                result = await codec.decode(payloads)
        except ValueError as err:  # a malformed body, or a PayloadKeyError naming the key
            log.warning("codec request failed", action=action, error=str(err))
            return JSONResponse({"detail": str(err)}, 400, headers=cors)
        log.info("codec", action=action, namespace=namespace, payloads=len(payloads))
        return Response(payloads_json(result), media_type="application/json", headers=cors)

    async def login_page(request: Request) -> Response:
        if access.token is None:
            return HTMLResponse(_page("No token is configured: nothing to sign in to."), 404)
        return HTMLResponse(_page(LOGIN_FORM), headers=PAGE_HEADERS)

    async def login(request: Request) -> Response:
        if access.token is None:
            return HTMLResponse(_page("No token is configured: nothing to sign in to."), 404)
        refused = login_refusal(
            access,
            origin=request.headers.get("origin"),
            referer=request.headers.get("referer"),
            host=request.headers.get("host"),
        )
        if refused is not None:
            log.warning("codec login refused", reason=refused.reason)
            return HTMLResponse(_page(refused.reason), refused.status, headers=PAGE_HEADERS)
        client, now = client_of(request), time.time()
        wait = limiter.retry_after(client, now)
        if wait is not None:
            log.warning("codec login refused", reason="rate limited", retry_after=wait)
            return too_many(wait, PAGE_HEADERS, html=True)
        form = await request.form()
        given = form.get("token")
        if not isinstance(given, str) or not hmac.compare_digest(
            given.strip().encode(), access.token.encode()
        ):
            limiter.failed(client, now)
            log.warning("codec login refused", reason="wrong token")
            return HTMLResponse(
                _page("That token is not valid.", LOGIN_FORM), 403, headers=PAGE_HEADERS
            )
        expires = int(time.time()) + SESSION_SECONDS
        response = HTMLResponse(_page(SIGNED_IN), headers=PAGE_HEADERS)
        secure = request.url.scheme == "https"
        response.set_cookie(
            SESSION_COOKIE,
            session_value(access.token, expires),
            max_age=SESSION_SECONDS,
            httponly=True,
            secure=secure,
            # A UI on another site (Temporal Cloud) sends it only with SameSite=None, which
            # browsers accept over HTTPS only; on plain http the UI must be on the same site.
            samesite="none" if secure else "lax",
        )
        log.info("codec login")
        return response

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/login", login_page, methods=["GET"]),
            Route("/login", login, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/{path:path}", codec_route, methods=["POST", "OPTIONS"]),
        ],
        middleware=[
            # Bodies are counted as they stream in and refused with 413 past the limit; the
            # codec route decides who may call before it reads a byte.
            Middleware(
                BodyLimits,
                rules=[BodyRule("the login form", "/login", LOGIN_BODY_LIMIT)],
                default=BodyRule("the codec server", "/", settings.codec_server_max_body_bytes),
                refusal_headers=lambda headers: cors_headers(access, headers.get("origin")),
            )
        ],
    )


PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; form-action 'self'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
    # Not no-referrer: under it a browser posts the login form with `Origin: null`, which the
    # origin check must refuse. same-origin sends the page's own origin, and nothing elsewhere.
    "Referrer-Policy": "same-origin",
}
LOGIN_FORM = (
    '<form method="post" action="login"><label>Codec server token '
    '<input type="password" name="token" autocomplete="current-password" required></label> '
    '<button type="submit">Sign in</button></form>'
)
SIGNED_IN = (
    f"Signed in for {SESSION_SECONDS // 3600} hours. In the Temporal UI's codec server settings, "
    'turn on "Include cross-origin credentials" so it sends this session.'
)


def _page(*parts: str) -> str:
    body = "".join(f"<p>{p}</p>" if not p.startswith("<") else p for p in parts)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Waypost codec server</title></head>"
        f"<body><h1>Waypost codec server</h1>{body}</body></html>"
    )


def browser_endpoint(host: str, port: int) -> str:
    """The URL a browser on this machine uses (the UI calls the codec server from the page)."""
    if host in ("0.0.0.0", "::") or is_loopback(host):
        return f"http://localhost:{port}"
    return f"http://{host}:{port}"


@contextlib.asynccontextmanager
async def running_codec_server(settings: Settings) -> AsyncIterator[str]:
    """The codec server, started and answering; yields the URL a local browser uses.

    Refuses to listen beyond loopback without a token: it would hand customers' data to
    anyone who can reach the port."""
    host, port = settings.codec_server_host, settings.codec_server_port
    if settings.codec_server_token is None and not is_loopback(host):
        raise RuntimeError(
            f"the codec server decrypts customers' data: set WAYPOST_CODEC_SERVER_TOKEN before "
            f"listening on {host} (without a token it listens on loopback only)"
        )
    async with serving(
        create_codec_app(settings),
        host=host,
        port=port,
        name="codec server",
        port_setting="WAYPOST_CODEC_SERVER_PORT",
    ):
        yield browser_endpoint(host, port)
