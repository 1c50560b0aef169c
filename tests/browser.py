"""Shared helpers for tests in a real headless browser (Debian's chromium via Playwright).

Tests call :func:`require` first: a missing browser or Playwright fails the test with the
command that installs it (it never skips). `make test` installs Playwright and .ci/run installs
Debian's chromium.
"""

from __future__ import annotations

import os
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("INCLUSIM_CHROMIUM", "/usr/bin/chromium"))
"""The browser binary (Debian's; Playwright must not download one)."""
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Flags for a quiet, offline-friendly headless run as root in a container."""
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
"""Where browser tests save screenshots (git-ignored)."""


def missing() -> str | None:
    """What browser tests lack here (with the command that installs it), or None."""
    if not CHROMIUM.exists():
        return f"no browser at {CHROMIUM}: apt-get install chromium"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed: pip install -e '.[dev]'"
    return None


def require() -> None:
    """Fail the calling test (never skip it) when the browser or Playwright is missing.

    Raises:
        pytest.fail.Exception: what is missing, and how to install it.

    """
    lack = missing()
    if lack is not None:
        pytest.fail(lack, pytrace=False)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_for_http(url: str, timeout: float = 30.0, alive: Any = None) -> None:
    """Wait until ``url`` answers HTTP 200.

    Args:
        url: the address to poll.
        timeout: seconds before giving up.
        alive: optional callable returning False once the server process has died.

    Raises:
        TimeoutError: no answer in time (or the server died).

    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if alive is not None and not alive():
            raise TimeoutError(f"the server for {url} exited before answering")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


@contextmanager
def chromium_page(width: int = 1400, height: int = 1000) -> Iterator[Any]:
    """A Playwright page in headless chromium; closes the browser afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport={"width": width, "height": height})
            yield context.new_page()
        finally:
            browser.close()
