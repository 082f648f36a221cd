"""Headless Debian chromium for the browser tests and the demo benchmark (never a download)."""

from __future__ import annotations

import os
import shutil

import pytest

# Without the background-networking flags chromium keeps dialling Google's hosts, which this
# closed network refuses; a fresh profile keeps runs independent.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def find_chromium() -> str | None:
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None
    )


def chromium_or_skip() -> str:
    """The chromium path; skip with the reason when it can't run, but fail under CI."""
    path = find_chromium()
    reason = None
    if path is None:
        reason = "Debian's chromium is not installed (run `make browser`)"
    else:
        try:
            import playwright.async_api  # noqa: F401
        except ImportError:
            reason = "the playwright package is not installed (run `make install-test`)"
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the browser tests: {reason}")
        pytest.skip(reason)
    assert path is not None
    return path
