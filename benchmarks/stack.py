"""The stack every benchmark runs on: a Temporal dev server, a throwaway PostgreSQL database for
the ledger, and local servers speaking Twilio's and SendGrid's REST formats (in a process of
their own, benchmarks/fakes.py), reached through the real providers (the SDKs over real
sockets), as tests/api/conftest.py wires them. Only the far ends of the providers are fakes,
so what is measured is what production runs."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Mapping
from contextlib import ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from pydantic import SecretStr
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from benchmarks.fakes import FakeProviders
from benchmarks.report import BenchReport, ScaleReport, write_report
from infra.connection import connect
from infra.serving import free_port
from infra.settings import Settings
from ledger.migrations import upgrade_database
from ledger.schema import normalize_url
from starters.devserver import DevServer
from starters.process import leave
from testing.sendgrid_server import DEFAULT_API_KEY
from testing.twilio_server import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN

WAYPOST_QUEUE = "bench-waypost"
BARE_QUEUE = "bench-bare"
GENERIC_SECRET = "bench-generic-carrier-secret"
POSTGRES_ADMIN_URL = os.environ.get(
    "WAYPOST_BENCH_POSTGRES_URL",
    os.environ.get(
        "WAYPOST_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    ),
)


def cancel_on_sigterm() -> None:
    """SIGTERM cancels the running benchmark like Ctrl-C does, so the stack is still taken
    down: the throwaway database dropped, the dev server and the worker stopped."""
    task = asyncio.current_task()
    if task is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)


def echo(line: str) -> None:
    """Progress output: flushed at once, so a long phase is visibly alive."""
    print(line, flush=True)


@contextmanager
def throwaway_database(admin_url: str = POSTGRES_ADMIN_URL) -> Iterator[str]:
    """A fresh PostgreSQL database for one run, dropped (WITH FORCE) however the run ends."""
    admin = create_engine(
        normalize_url(admin_url),
        isolation_level="AUTOCOMMIT",
        poolclass=NullPool,
        connect_args={"connect_timeout": 3},
    )
    name = f"waypost_bench_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except OperationalError as err:
        admin.dispose()
        raise RuntimeError(
            f"PostgreSQL is not answering at {admin.url!r}: {err.orig} "
            "(start it, or set WAYPOST_BENCH_POSTGRES_URL to an admin URL)"
        ) from None
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


class Deliveries:
    """What the fake providers accepted, as it arrives (reported on a reader thread): when each
    SMS arrived, by number, and how many messages of each channel."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sms: dict[str, list[float]] = {}
        self.sms = 0
        self.emails = 0

    def add_sms(self, to: str, received_at: float) -> None:
        with self._lock:
            self._sms.setdefault(to, []).append(received_at)
            self.sms += 1

    def add_email(self, received_at: float) -> None:
        with self._lock:
            self.emails += 1

    def first_sms(self, number: str, after: float = 0.0) -> float | None:
        """When the first SMS to `number` arrived at or after `after` (time.monotonic)."""
        with self._lock:
            return next((t for t in self._sms.get(number, ()) if t >= after), None)


async def wait_until(done: Callable[[], bool], timeout: float, poll: float = 0.01) -> bool:
    """Poll `done` until it holds or `timeout` seconds pass; False on timeout."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(poll)
    return True


def bench_settings(
    *, home: Path, database_url: str, temporal_address: str, twilio_url: str, sendgrid_url: str
) -> Settings:
    """Production settings but for the addresses: real providers pointed at the fakes, a
    public URL (tracking links in messages, Twilio status callbacks) and a generic carrier
    secret for the webhook. Anything else (concurrency, say) still comes from WAYPOST_*."""
    api_port = free_port()
    return Settings(
        home=home,
        temporal_address=temporal_address,
        task_queue=WAYPOST_QUEUE,
        database_url=database_url,
        log_level="WARNING",
        log_format="console",
        api_port=api_port,
        public_url=f"http://127.0.0.1:{api_port}",
        secret_key=SecretStr("bench-site-secret"),
        carrier_secrets={"generic": SecretStr(GENERIC_SECRET)},
        # Unused, but without a key the HTTP service warns that it refuses every shop.
        shop_api_keys={"bench-shop": SecretStr("bench-shop-api-key-0123456789")},
        twilio_account_sid=DEFAULT_ACCOUNT_SID,
        twilio_auth_token=SecretStr(DEFAULT_AUTH_TOKEN),
        twilio_from_number="+15005550006",
        twilio_api_base=twilio_url,
        sendgrid_api_key=SecretStr(DEFAULT_API_KEY),
        sendgrid_from_email="shop@example.com",
        sendgrid_host=sendgrid_url,
    )


def settings_env(settings: Settings) -> dict[str, str]:
    """The settings as WAYPOST_* variables, for a worker started as its own process."""
    env: dict[str, str] = {}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, SecretStr):
            text = value.get_secret_value()
        elif isinstance(value, dict):
            text = json.dumps(
                {
                    k: v.get_secret_value() if isinstance(v, SecretStr) else v
                    for k, v in value.items()
                }
            )
        else:
            text = str(value)
        env[f"WAYPOST_{name.upper()}"] = text
    return env


@dataclass
class Stack:
    settings: Settings
    client: Client
    server: DevServer
    database_url: str
    deliveries: Deliveries
    scratch: Path

    def temporal_disk_bytes(self) -> int:
        """The dev server's SQLite database on disk (with its -wal and -shm files)."""
        if self.server.db_file is None:
            return 0
        files = self.server.db_file.parent.glob(self.server.db_file.name + "*")
        return sum(f.stat().st_size for f in files if f.is_file())


@asynccontextmanager
async def open_stack(*, temporal_db: bool = False) -> AsyncIterator[Stack]:
    """The stack, up and connected; everything is stopped and deleted on the way out.

    `temporal_db` keeps the dev server's state in a file (its size is reported); otherwise it
    runs in memory.
    """
    scratch = Path(tempfile.mkdtemp(prefix="waypost-bench-"))
    try:
        with ExitStack() as resources:
            database_url = resources.enter_context(throwaway_database())
            upgrade_database(database_url)
            deliveries = Deliveries()
            fakes = resources.enter_context(FakeProviders(deliveries))
            server = DevServer(
                port=free_port(),
                ui_port=None,
                db_file=scratch / "temporal.db" if temporal_db else None,
                log_file=scratch / "temporal.log",
            )
            async with server:
                settings = bench_settings(
                    home=scratch,
                    database_url=database_url,
                    temporal_address=server.address,
                    twilio_url=fakes.twilio_url,
                    sendgrid_url=fakes.sendgrid_url,
                )
                client = await connect(settings)
                yield Stack(settings, client, server, database_url, deliveries, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def waypost_command() -> str:
    """The `waypost` console script of this environment."""
    beside = Path(sys.executable).parent / "waypost"
    found = str(beside) if beside.exists() else shutil.which("waypost")
    if found is None:
        raise RuntimeError("the `waypost` command is missing: install the project (make bench)")
    return found


@dataclass(frozen=True)
class Memory:
    rss_mb: float
    peak_mb: float


def read_memory(status_text: str) -> Memory:
    """VmRSS and VmHWM (peak RSS) from a /proc/<pid>/status text, in MB."""
    fields: dict[str, float] = {}
    for line in status_text.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(rest.split()[0]) / 1024  # kB
    return Memory(rss_mb=fields.get("VmRSS", 0.0), peak_mb=fields.get("VmHWM", 0.0))


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def read_cpu_seconds(stat_text: str, ticks: int = CLOCK_TICKS) -> float:
    """utime + stime (user and system CPU) from a /proc/<pid>/stat text, in seconds. The
    command name (field 2) may hold spaces, so the fields are counted after its ")"."""
    fields = stat_text.rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / ticks  # fields 14 and 15 of the line


def cpu_seconds(pid: int) -> float | None:
    """A process's CPU so far; None when it is gone or not visible."""
    try:
        return read_cpu_seconds(Path(f"/proc/{pid}/stat").read_text())
    except (OSError, IndexError, ValueError):
        return None


def child_pid(name: str) -> int | None:
    """This process's child whose command name starts with `name` (the dev server's pid, which
    starters.devserver keeps to itself)."""
    me = os.getpid()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        comm = text[text.find("(") + 1 : text.rfind(")")]
        if comm.startswith(name) and int(text.rpartition(")")[2].split()[1]) == me:
            return int(stat.parent.name)
    return None


def postgres_backends(database_url: str) -> list[int]:
    """The pids of the PostgreSQL backends connected to the benchmark's own database."""
    engine = create_engine(normalize_url(database_url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            ).all()
    finally:
        engine.dispose()
    return [int(pid) for (pid,) in rows]


def worker_command(*args: str) -> list[str]:
    """`waypost worker`, or with arguments another worker module of this environment."""
    return [sys.executable, "-m", *args] if args else [waypost_command(), "worker"]


class WorkerProcess:
    """A worker as a child process (`waypost worker` unless told otherwise), configured through
    the environment as in production, so its memory and CPU (from /proc) are the worker's
    alone, not the benchmark's."""

    def __init__(
        self, env: Mapping[str, str], log_file: Path, command: list[str] | None = None
    ) -> None:
        self._env = {**os.environ, **env}
        self._log_file = log_file
        self._command = command or worker_command()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        if self._process is None:
            raise RuntimeError("the worker is not started")
        return self._process.pid

    def start(self) -> None:
        with self._log_file.open("ab") as log:
            self._process = subprocess.Popen(
                self._command,
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def check(self) -> None:
        """Raise, with the end of its log, when the worker has exited."""
        if self._process is not None and self._process.poll() is not None:
            tail = self._log_file.read_text(errors="replace").splitlines()[-20:]
            raise RuntimeError(
                f"the worker exited with {self._process.returncode}; its log ends:\n"
                + "\n".join(tail)
            )

    def memory(self) -> Memory:
        self.check()
        return read_memory(Path(f"/proc/{self.pid}/status").read_text())

    def cpu_seconds(self) -> float:
        self.check()
        return read_cpu_seconds(Path(f"/proc/{self.pid}/stat").read_text())

    def stop(self, timeout: float = 30) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


async def wait_for_pollers(client: Client, task_queue: str, timeout: float = 60) -> None:
    """Until a worker polls `task_queue` for both workflow and activity tasks."""

    async def polled(kind: TaskQueueType.ValueType) -> bool:
        answer = await client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=client.namespace,
                task_queue=TaskQueue(name=task_queue),
                task_queue_type=kind,
            )
        )
        return bool(answer.pollers)

    deadline = time.monotonic() + timeout
    while not (
        await polled(TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW)
        and await polled(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)
    ):
        if time.monotonic() > deadline:
            raise RuntimeError(f"no worker polled {task_queue} within {timeout:.0f} s")
        await asyncio.sleep(0.2)


def environment(stack: Stack, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """What the figures were measured on, for the report."""
    engine = create_engine(normalize_url(stack.database_url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            server_version = str(conn.exec_driver_sql("SHOW server_version").scalar())
    finally:
        engine.dispose()
    try:
        commit = subprocess.run(
            ["git", "describe", "--always", "--dirty"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "commit": commit,
        "cpus": str(os.cpu_count()),
        "python": sys.version.split()[0],
        "temporalio": version("temporalio"),
        "ledger": f"PostgreSQL {server_version.split()[0]}",
        "providers": "Twilio and SendGrid SDKs against local fakes (own process)",
        "activity slots": str(stack.settings.max_concurrent_activities),
        "workflow task slots": str(stack.settings.max_concurrent_workflow_tasks),
        "workflow sandbox": "on" if stack.settings.workflow_sandbox else "off",
        **(extra or {}),
    }


R = TypeVar("R", BenchReport, ScaleReport)


def run_and_report(
    run: Callable[[], Coroutine[Any, Any, R]],
    out: Path | None,
    prefix: str,
    summary: Callable[[R], str],
) -> NoReturn:
    """Run a benchmark, write its report, print its summary last, and leave through
    starters.process.leave (Temporal's runtime threads can abort a normal interpreter exit)."""
    code = 0
    try:
        report = asyncio.run(run())
        folder = out or Settings().home / "bench"
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        json_path, md_path = write_report(report, folder, stamp, prefix=prefix)
        echo(f"report: {json_path} and {md_path} (also {prefix}latest.json, {prefix}latest.md)")
        echo(summary(report))
    except (KeyboardInterrupt, asyncio.CancelledError):
        echo("interrupted: the stack is down, nothing reported")
        code = 130
    except Exception:
        traceback.print_exc()
        code = 1
    leave(code)
