"""Leaving a process that ran Temporal's runtime.

Temporal's Rust runtime keeps native threads that may call back into Python while the
interpreter finalizes, which aborts the process ("Fatal Python error: PyGILState_Release")
after the work succeeded. Commands flush their output and leave with `os._exit`, keeping the
exit code; nothing is lost.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn


def leave(code: int) -> NoReturn:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
