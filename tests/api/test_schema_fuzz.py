"""Schemathesis against the service's own OpenAPI schema: whatever it generates, valid by the
schema or not, authenticated or not, the service never answers with a server error."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.openapi import from_dict

from infra.settings import Settings
from tests.api.conftest import shop_auth

EXAMPLES_PER_OPERATION = 20
READINESS = "GET /readyz"


def check_operation(
    operation: Any, mode: GenerationMode, base_url: str, headers: dict[str, str] | None
) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def no_server_error(case: Case[Any]) -> None:
        response = case.call(base_url=base_url, headers=headers, timeout=30)
        if operation.label == READINESS and response.status_code == 503:
            # Its documented answer while a dependency is slow to answer (a loaded machine):
            # the readiness report, not a server error.
            assert response.json()["status"] == "not ready"
            return
        case.validate_response(response, checks=[not_a_server_error])

    try:
        no_server_error()
    except Unsatisfiable:
        if mode is not GenerationMode.NEGATIVE:
            raise  # only "nothing here can be made invalid" (no parameters, no body) is fine


def fuzz(raw_schema: dict[str, Any], base_url: str) -> list[str]:
    """Every operation, with valid and invalid generated requests, with and without a shop's
    key; returns the labels it ran."""
    ran: list[str] = []
    for result in from_dict(raw_schema).get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an Err would fail loudly here
        for mode in GenerationMode:
            for headers in (shop_auth(), None):
                check_operation(operation, mode, base_url, headers)
        ran.append(operation.label)
    return ran


async def test_no_generated_request_gets_a_server_error(site: Settings) -> None:
    base_url = site.public_base
    assert base_url is not None
    async with httpx.AsyncClient() as http:
        raw = (await http.get(f"{base_url}/openapi.json")).json()

    ran = await asyncio.to_thread(fuzz, raw, base_url)

    assert "POST /v1/shipments" in ran and "POST /v1/carriers/{carrier}/events" in ran
