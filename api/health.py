"""Liveness and readiness: /healthz says the process answers, /readyz that it can do its job
(Temporal and the ledger reachable), so an orchestrator routes traffic only where it works."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response, status
from pydantic import BaseModel
from sqlalchemy import text
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest

from api.services import Services, services

router = APIRouter(tags=["health"])

CHECK_TIMEOUT = timedelta(seconds=3)

Check = Literal["ok", "unreachable"]


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ready", "not ready"]
    temporal: Check
    database: Check


@router.get("/healthz", response_model=Health, summary="The process is up")
async def healthz() -> Health:
    return Health()


async def _temporal_ok(svc: Services) -> bool:
    try:
        await svc.client.workflow_service.get_system_info(
            GetSystemInfoRequest(), timeout=CHECK_TIMEOUT
        )
    except Exception:  # any failure to answer is "unreachable", whatever its type
        return False
    return True


def _database_ok(svc: Services) -> bool:
    try:
        with svc.ledger.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # any failure to answer is "unreachable", whatever its type
        return False
    return True


async def _database_ok_in_time(svc: Services) -> bool:
    try:
        return await asyncio.wait_for(svc.db(_database_ok, svc), CHECK_TIMEOUT.total_seconds())
    except TimeoutError:
        return False


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="Temporal and the ledger database are reachable",
    responses={503: {"model": Readiness, "description": "A dependency is unreachable"}},
)
async def readyz(svc: Annotated[Services, Depends(services)], response: Response) -> Readiness:
    temporal, database = await asyncio.gather(_temporal_ok(svc), _database_ok_in_time(svc))
    ready = temporal and database
    if not ready:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        response.headers["Retry-After"] = "5"
    return Readiness(
        status="ready" if ready else "not ready",
        temporal="ok" if temporal else "unreachable",
        database="ok" if database else "unreachable",
    )
