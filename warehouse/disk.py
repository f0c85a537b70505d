"""Making what was written survive a power cut, not just a killed process: a file's bytes,
and the renames within a folder."""

from __future__ import annotations

import os
from pathlib import Path


def flush(path: Path) -> None:
    """Force `path`'s bytes (or, for a folder, its entries) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
