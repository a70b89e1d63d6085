"""Private files Waypost keeps under its home (the site secret, the local payload key)."""

from __future__ import annotations

import os
from pathlib import Path


def create_private(path: Path, text: str) -> bool:
    """Write `text` to a new file at `path`, readable by its owner only, unless the file exists;
    True when this call created it. Two processes starting at once keep the first one's."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(text)
    return True
