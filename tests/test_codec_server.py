"""The codec server on a real port: Temporal's remote codec protocol, CORS for the UI's origin
only, and nothing decrypted for a caller without the token (or, without a token, for anything
but a local request from the UI)."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import stat
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser

from codec.server import SESSION_COOKIE, LoginLimiter, create_codec_app, running_codec_server
from infra.serving import free_port
from infra.settings import LOCAL_PAYLOAD_KEY, Settings
from tests.api.browser import browser

__all__ = ["browser"]

KEYS = {"k1": base64.b64encode(b"\x01" * 32).decode()}
TOKEN = "codec-token-0123456789"
UI = "http://localhost:8233"
PLAIN = {"metadata": {"encoding": base64.b64encode(b"json/plain").decode()}, "data": ""}


def payload(text: str) -> dict[str, Any]:
    return {**PLAIN, "data": base64.b64encode(text.encode()).decode()}


def settings(**overrides: Any) -> Settings:
    fields: dict[str, Any] = {
        "payload_keys": KEYS,
        "codec_server_port": free_port(),
        "codec_server_token": TOKEN,
    }
    return Settings(**{**fields, **overrides})


@pytest.fixture
async def codec() -> AsyncIterator[httpx.AsyncClient]:
    """The server with a token; the client sends it unless a test overrides Authorization."""
    config = settings()
    async with (
        running_codec_server(config),
        httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{config.codec_server_port}",
            headers={"Authorization": f"Bearer {TOKEN}", "X-Namespace": "default"},
        ) as client,
    ):
        yield client


@pytest.fixture
async def tokenless() -> AsyncIterator[httpx.AsyncClient]:
    """The local dev stack's codec server: no token, loopback only."""
    config = settings(codec_server_token=None)
    async with (
        running_codec_server(config),
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{config.codec_server_port}") as client,
    ):
        yield client


async def encode(client: httpx.AsyncClient, *payloads: dict[str, Any]) -> list[dict[str, Any]]:
    response = await client.post("/encode", json={"payloads": list(payloads)})
    assert response.status_code == 200, response.text
    encoded: list[dict[str, Any]] = response.json()["payloads"]
    return encoded


async def test_encode_answers_encrypted_payloads_in_protobuf_json(
    codec: httpx.AsyncClient,
) -> None:
    [encoded] = await encode(codec, payload('{"phone": "+447700900123"}'))

    assert base64.b64decode(encoded["metadata"]["encoding"]) == b"binary/encrypted"
    assert base64.b64decode(encoded["metadata"]["encryption-key-id"]) == b"k1"
    assert b"+447700900123" not in base64.b64decode(encoded["data"])


async def test_decode_gives_back_the_original_payloads_in_order(codec: httpx.AsyncClient) -> None:
    originals = [payload('"first"'), payload('"second"')]
    encoded = await encode(codec, *originals)

    response = await codec.post("/decode", json={"payloads": encoded})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"payloads": originals}


async def test_endpoints_mounted_under_a_namespace_path_answer_too(
    codec: httpx.AsyncClient,
) -> None:
    """The CLI's `--codec-endpoint 'http://host/{namespace}'` calls /default/decode."""
    encoded = await encode(codec, payload('"x"'))

    response = await codec.post("/default/decode", json={"payloads": encoded})

    assert response.json() == {"payloads": [payload('"x"')]}


async def test_no_credentials_is_a_401_asking_for_a_bearer_token(codec: httpx.AsyncClient) -> None:
    response = await codec.post("/decode", json={"payloads": []}, headers={"Authorization": ""})

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_wrong_token_is_a_403(codec: httpx.AsyncClient) -> None:
    response = await codec.post(
        "/decode", json={"payloads": []}, headers={"Authorization": "Bearer not-the-token"}
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "the bearer token is not valid"}


async def test_another_namespace_is_refused(codec: httpx.AsyncClient) -> None:
    response = await codec.post(
        "/decode", json={"payloads": []}, headers={"X-Namespace": "other-shop"}
    )

    assert response.status_code == 403
    assert "serves namespace 'default', not 'other-shop'" in response.json()["detail"]


async def test_a_payload_with_an_unknown_key_id_is_a_400_naming_it(
    codec: httpx.AsyncClient,
) -> None:
    [encoded] = await encode(codec, payload('"x"'))
    encoded["metadata"]["encryption-key-id"] = base64.b64encode(b"retired").decode()

    response = await codec.post("/decode", json={"payloads": [encoded]})

    assert response.status_code == 400
    assert "key id 'retired'" in response.json()["detail"]


async def test_a_body_that_is_not_payloads_is_a_400_saying_so(codec: httpx.AsyncClient) -> None:
    response = await codec.post("/decode", json={"payload": []})

    assert response.status_code == 400
    assert 'not {"payloads": [...]} in protobuf JSON' in response.json()["detail"]


async def test_a_body_that_is_not_json_is_refused(codec: httpx.AsyncClient) -> None:
    response = await codec.post(
        "/decode", content=b"payloads=1", headers={"Content-Type": "text/plain"}
    )

    assert response.status_code == 415


async def test_the_ui_origins_preflight_is_answered_with_credentials_allowed(
    codec: httpx.AsyncClient,
) -> None:
    response = await codec.options(
        "/decode",
        headers={
            "Origin": UI,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-namespace",
            "Authorization": "",
        },
    )

    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == UI
    assert response.headers["access-control-allow-credentials"] == "true"
    allowed = response.headers["access-control-allow-headers"].lower()
    assert {"authorization", "content-type", "x-namespace"} <= {
        h.strip() for h in allowed.split(",")
    }


async def test_another_origins_preflight_is_refused(codec: httpx.AsyncClient) -> None:
    response = await codec.options(
        "/decode",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )

    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers


async def test_a_request_from_another_origin_is_refused_even_with_the_token(
    codec: httpx.AsyncClient,
) -> None:
    response = await codec.post(
        "/decode", json={"payloads": []}, headers={"Origin": "https://evil.example"}
    )

    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers


async def test_the_ui_origin_may_read_the_answer(codec: httpx.AsyncClient) -> None:
    response = await codec.post("/decode", json={"payloads": []}, headers={"Origin": UI})

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == UI


def own_page(client: httpx.AsyncClient) -> dict[str, str]:
    """What a browser sends with the login form of the page this server served."""
    return {"Authorization": "", "Origin": str(client.base_url).rstrip("/")}


async def test_the_login_page_sets_a_session_the_ui_can_send_with_credentials(
    codec: httpx.AsyncClient,
) -> None:
    encoded = await encode(codec, payload('"x"'))
    login = await codec.post("/login", data={"token": TOKEN}, headers=own_page(codec))
    assert login.status_code == 200
    cookie = login.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()

    response = await codec.post(
        "/decode",
        json={"payloads": encoded},
        headers={
            "Authorization": "",
            "Origin": UI,
            "Cookie": f"{SESSION_COOKIE}={login.cookies[SESSION_COOKIE]}",
        },
    )

    assert response.json() == {"payloads": [payload('"x"')]}


async def test_a_wrong_login_sets_no_session(codec: httpx.AsyncClient) -> None:
    login = await codec.post("/login", data={"token": "guess"}, headers=own_page(codec))

    assert login.status_code == 403
    assert "set-cookie" not in login.headers


async def test_a_login_posted_from_another_origin_is_refused_even_with_the_token(
    codec: httpx.AsyncClient,
) -> None:
    login = await codec.post(
        "/login",
        data={"token": TOKEN},
        headers={"Authorization": "", "Origin": "https://evil.example"},
    )

    assert login.status_code == 403
    assert "set-cookie" not in login.headers
    assert "https://evil.example is not accepted" in login.text


async def test_a_login_with_an_opaque_origin_is_refused(codec: httpx.AsyncClient) -> None:
    """`Origin: null`: a sandboxed frame, a data: page, or a page that hides its origin."""
    login = await codec.post(
        "/login", data={"token": TOKEN}, headers={"Authorization": "", "Origin": "null"}
    )

    assert login.status_code == 403


async def test_a_login_with_neither_origin_nor_referer_is_refused(
    codec: httpx.AsyncClient,
) -> None:
    login = await codec.post("/login", data={"token": TOKEN}, headers={"Authorization": ""})

    assert login.status_code == 403
    assert "no Origin or Referer" in login.text


async def test_a_login_whose_referer_is_the_login_page_is_accepted(
    codec: httpx.AsyncClient,
) -> None:
    referer = f"{str(codec.base_url).rstrip('/')}/login"
    login = await codec.post(
        "/login", data={"token": TOKEN}, headers={"Authorization": "", "Referer": referer}
    )

    assert login.status_code == 200


async def test_a_login_from_an_allowed_ui_origin_is_accepted(codec: httpx.AsyncClient) -> None:
    login = await codec.post(
        "/login", data={"token": TOKEN}, headers={"Authorization": "", "Origin": UI}
    )

    assert login.status_code == 200


async def test_after_five_failed_logins_a_minute_the_next_is_a_429_even_with_the_token(
    codec: httpx.AsyncClient,
) -> None:
    for _ in range(5):
        failed = await codec.post("/login", data={"token": "guess"}, headers=own_page(codec))
        assert failed.status_code == 403

    limited = await codec.post("/login", data={"token": TOKEN}, headers=own_page(codec))

    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert "set-cookie" not in limited.headers


async def test_successful_logins_are_not_counted(codec: httpx.AsyncClient) -> None:
    for _ in range(8):
        login = await codec.post("/login", data={"token": TOKEN}, headers=own_page(codec))
        assert login.status_code == 200

    failed = await codec.post("/login", data={"token": "guess"}, headers=own_page(codec))

    assert failed.status_code == 403


async def test_wrong_bearer_tokens_count_as_failed_guesses(codec: httpx.AsyncClient) -> None:
    for _ in range(5):
        wrong = await codec.post(
            "/decode", json={"payloads": []}, headers={"Authorization": "Bearer guess-0123456789"}
        )
        assert wrong.status_code == 403

    limited = await codec.post("/decode", json={"payloads": []})

    assert limited.status_code == 429
    assert "retry-after" in limited.headers


def from_address(app: Any, address: str) -> httpx.AsyncClient:
    """A client of `app` calling from `address` (as a TCP peer would be seen)."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://codec.test")


async def test_failures_spread_over_many_addresses_meet_the_overall_cap() -> None:
    app = create_codec_app(settings(), limiter=LoginLimiter(per_client=5, overall=8))
    for n in range(8):
        async with from_address(app, f"10.0.0.{n}") as guesser:
            failed = await guesser.post(
                "/login", data={"token": "guess"}, headers={"Origin": "http://codec.test"}
            )
            assert failed.status_code == 403

    async with from_address(app, "10.0.1.1") as newcomer:
        limited = await newcomer.post(
            "/login", data={"token": TOKEN}, headers={"Origin": "http://codec.test"}
        )

    assert limited.status_code == 429


async def test_one_addresss_failures_do_not_limit_another() -> None:
    app = create_codec_app(settings(), limiter=LoginLimiter(per_client=5, overall=50))
    async with from_address(app, "10.0.0.1") as guesser:
        for _ in range(6):
            await guesser.post(
                "/login", data={"token": "guess"}, headers={"Origin": "http://codec.test"}
            )
    async with from_address(app, "10.0.0.2") as colleague:
        login = await colleague.post(
            "/login", data={"token": TOKEN}, headers={"Origin": "http://codec.test"}
        )

    assert login.status_code == 200


def test_the_limiter_remembers_a_bounded_number_of_addresses() -> None:
    limiter = LoginLimiter(per_client=2, overall=10_000, max_clients=100)

    for n in range(1_000):
        limiter.failed(f"10.0.{n // 256}.{n % 256}", now=0.0)

    assert len(limiter) == 100


def test_the_limiter_forgets_the_least_recently_failing_address_first() -> None:
    limiter = LoginLimiter(per_client=2, overall=10_000, max_clients=2)
    limiter.failed("a", now=0.0)
    limiter.failed("a", now=0.0)
    limiter.failed("b", now=1.0)
    limiter.failed("a", now=2.0)  # a failed most recently: b is the one to go

    limiter.failed("c", now=3.0)

    assert limiter.retry_after("a", now=3.0) is not None
    assert limiter.retry_after("b", now=3.0) is None


def test_a_limited_address_may_try_again_once_the_window_has_passed() -> None:
    limiter = LoginLimiter(per_client=2, overall=100, window=60.0)
    limiter.failed("a", now=0.0)
    limiter.failed("a", now=10.0)

    assert limiter.retry_after("a", now=30.0) == 30
    assert limiter.retry_after("a", now=60.5) is None


async def test_a_browser_signs_in_through_the_login_form(browser: Browser) -> None:
    """A real form post: the page's Referrer-Policy must leave the browser's Origin intact."""
    config = settings()
    async with running_codec_server(config):
        page = await browser.new_page()
        try:
            await page.goto(f"http://127.0.0.1:{config.codec_server_port}/login")
            await page.fill("input[name=token]", TOKEN)
            await page.click("button[type=submit]")
            await page.wait_for_load_state()
            text = await page.inner_text("body")
            cookies = await page.context.cookies()
        finally:
            await page.close()

    assert "Signed in" in text
    assert any(c["name"] == SESSION_COOKIE for c in cookies)


async def test_a_forged_session_is_refused(codec: httpx.AsyncClient) -> None:
    response = await codec.post(
        "/decode",
        json={"payloads": []},
        headers={"Authorization": "", "Cookie": f"{SESSION_COOKIE}=99999999999.0123abcd"},
    )

    assert response.status_code == 403


async def test_without_a_token_the_local_ui_is_answered(tokenless: httpx.AsyncClient) -> None:
    response = await tokenless.post("/decode", json={"payloads": []}, headers={"Origin": UI})

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == UI


async def test_without_a_token_another_origin_is_refused(tokenless: httpx.AsyncClient) -> None:
    response = await tokenless.post(
        "/decode", json={"payloads": []}, headers={"Origin": "http://evil.example"}
    )

    assert response.status_code == 403


async def test_without_a_token_a_request_for_another_host_is_refused(
    tokenless: httpx.AsyncClient,
) -> None:
    """A page on another site that rebinds its DNS name to 127.0.0.1 sends its own Host."""
    response = await tokenless.post(
        "/decode", json={"payloads": []}, headers={"Host": "rebound.evil.example:8081"}
    )

    assert response.status_code == 403
    assert "loopback requests only" in response.json()["detail"]


async def test_without_a_token_it_refuses_to_listen_beyond_loopback() -> None:
    with pytest.raises(RuntimeError, match="set WAYPOST_CODEC_SERVER_TOKEN before listening"):
        async with running_codec_server(
            settings(codec_server_token=None, codec_server_host="0.0.0.0")
        ):
            pass


def test_a_short_token_is_refused() -> None:
    with pytest.raises(ValueError, match="WAYPOST_CODEC_SERVER_TOKEN must be at least 16"):
        settings(codec_server_token="short")


async def test_without_keys_there_is_nothing_to_serve() -> None:
    with pytest.raises(RuntimeError, match="payload encryption is off"):
        async with running_codec_server(settings(payload_keys={})):
            pass


def dev_env(home: Path, **extra: str) -> tuple[dict[str, str], dict[str, int]]:
    """`waypost dev`'s environment on free ports, with its home at `home`; and the ports."""
    ports = {name: free_port() for name in ("TEMPORAL", "UI", "API", "CODEC")}
    env = {
        **os.environ,
        "WAYPOST_HOME": str(home),
        "WAYPOST_TEMPORAL_ADDRESS": f"127.0.0.1:{ports['TEMPORAL']}",
        "WAYPOST_UI_PORT": str(ports["UI"]),
        "WAYPOST_API_PORT": str(ports["API"]),
        "WAYPOST_CODEC_SERVER_PORT": str(ports["CODEC"]),
        **extra,
    }
    for name in ("DATABASE_URL", "WAYPOST_DATABASE_URL", "WAYPOST_PAYLOAD_KEYS"):
        if name not in extra:
            env.pop(name, None)
    return env, ports


@asynccontextmanager
async def waypost_dev(env: dict[str, str], *args: str) -> AsyncIterator[list[str]]:
    """`waypost dev` running until its stack is up; yields what it printed by then, and stops
    it with SIGTERM on leaving (it must exit 0)."""
    proc = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "waypost"),
        "dev",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        while not any(line.startswith("HTTP service:") for line in lines):
            line = await asyncio.wait_for(proc.stdout.readline(), 60)
            assert line, f"waypost dev exited before its stack was up: {lines}"
            lines.append(line.decode().strip())
        yield lines
    finally:
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 30) == 0


async def assert_ui_decodes_through(ports: dict[str, int]) -> None:
    """The local UI's codec endpoint is the codec server, which answers the UI's origin."""
    codec_url = f"http://localhost:{ports['CODEC']}"
    async with httpx.AsyncClient() as http:
        ui = (await http.get(f"http://127.0.0.1:{ports['UI']}/api/v1/settings")).json()
        encoded = await http.post(
            f"http://127.0.0.1:{ports['CODEC']}/encode",
            json={"payloads": [payload('"x"')]},
            headers={"Origin": f"http://localhost:{ports['UI']}"},
        )
    assert ui["Codec"]["Endpoint"] == codec_url
    assert encoded.status_code == 200
    assert encoded.headers["access-control-allow-origin"] == f"http://localhost:{ports['UI']}"


async def test_waypost_dev_with_keys_starts_the_codec_server_and_points_the_ui_at_it(
    tmp_path: Path,
) -> None:
    env, ports = dev_env(tmp_path / "home", WAYPOST_PAYLOAD_KEYS=json.dumps(KEYS))

    async with waypost_dev(env) as lines:
        assert f"Payloads are encrypted; codec server: http://localhost:{ports['CODEC']}" in lines
        await assert_ui_decodes_through(ports)
    assert not (tmp_path / "home" / LOCAL_PAYLOAD_KEY).exists()


async def test_waypost_dev_without_keys_generates_a_private_key_and_encrypts(
    tmp_path: Path,
) -> None:
    env, ports = dev_env(tmp_path / "home")

    async with waypost_dev(env) as lines:
        assert any(line.startswith("Generated a payload key in") for line in lines)
        assert f"Payloads are encrypted; codec server: http://localhost:{ports['CODEC']}" in lines
        await assert_ui_decodes_through(ports)
    key_file = tmp_path / "home" / LOCAL_PAYLOAD_KEY
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert not any(json.loads(key_file.read_text())["key"] in line for line in lines)


async def test_waypost_dev_keeps_its_key_from_one_run_to_the_next(tmp_path: Path) -> None:
    env, _ = dev_env(tmp_path / "home")
    async with waypost_dev(env):
        pass
    first = (tmp_path / "home" / LOCAL_PAYLOAD_KEY).read_text()

    async with waypost_dev(env) as lines:
        assert not any(line.startswith("Generated a payload key") for line in lines)
    assert (tmp_path / "home" / LOCAL_PAYLOAD_KEY).read_text() == first


async def test_waypost_dev_no_encryption_generates_nothing_and_serves_no_codec(
    tmp_path: Path,
) -> None:
    env, _ = dev_env(tmp_path / "home")

    async with waypost_dev(env, "--no-encryption") as lines:
        assert any(line.startswith("Note: payloads are not encrypted") for line in lines)
        assert not any("codec server" in line for line in lines)
    assert not (tmp_path / "home" / LOCAL_PAYLOAD_KEY).exists()


async def test_a_body_over_the_codec_limit_is_a_413_the_ui_can_read(
    codec: httpx.AsyncClient,
) -> None:
    limit = Settings().codec_server_max_body_bytes
    response = await codec.post(
        "/decode",
        content=b"x" * (limit + 1),
        headers={"content-type": "application/json", "Origin": UI},
    )

    assert response.status_code == 413
    assert response.json() == {
        "detail": f"request body larger than {limit} bytes (the limit for the codec server)"
    }
    assert response.headers["access-control-allow-origin"] == UI


async def test_a_streamed_body_over_the_codec_limit_is_a_413(codec: httpx.AsyncClient) -> None:
    limit = Settings().codec_server_max_body_bytes

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(limit // 65536 + 16):
            yield b"x" * 65536

    response = await codec.post(
        "/decode", content=chunks(), headers={"content-type": "application/json"}
    )

    assert response.status_code == 413
