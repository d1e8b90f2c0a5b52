"""Fixtures for the web pages: a real headless Chromium (Playwright, sync API) and the demo data.

Chromium is Debian's (/usr/bin/chromium, installed by ``make test``); Playwright never downloads
a browser here. Without that binary the browser tests are skipped with the reason; everything
else in tests/web runs regardless.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

CHROMIUM = os.environ.get("KCN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Screenshots go beside the other local output, to be looked at after a run.
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
LAPTOP = {"width": 1280, "height": 800}
TABLET = {"width": 768, "height": 1024}


@pytest.fixture(autouse=True)
def _fresh_page_caches():
    """The search index and unit filter are cached for a minute; each test sees its own data."""
    cache.clear()
    yield
    cache.clear()


def backend_label() -> str:
    from django.db import connection

    return "postgis" if connection.vendor == "postgresql" else "spatialite"


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session."""
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"{CHROMIUM} is missing: install Debian's chromium (make test does) "
            "to run browser tests"
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API drives its own event loop in this thread; Django's async-safety guard
    # would then refuse ORM calls made by the test itself (fixtures creating users, counting rows).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class PageErrors(list):
    """JavaScript errors and failed requests of one page, checked at the end of the test."""


@pytest.fixture
def open_page(browser):
    """``open_page(url, viewport=LAPTOP)`` -> a Playwright page in a fresh context (own cookies)."""
    contexts = []
    errors = PageErrors()

    def _open(url: str, *, viewport=LAPTOP, **context_options):
        context = browser.new_context(viewport=viewport, **context_options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.on("pageerror", lambda exc: errors.append(f"JavaScript error: {exc}"))
        # The map cancels tile requests it no longer needs (zooming, leaving the page): not errors.
        page.on(
            "requestfailed",
            lambda req: (
                "ERR_ABORTED" not in (req.failure or "")
                and errors.append(f"request failed: {req.url} {req.failure}")
            ),
        )
        page.on(
            "response", lambda r: r.status >= 500 and errors.append(f"HTTP {r.status}: {r.url}")
        )
        page.errors = errors
        if url:
            page.goto(url)
        return page

    yield _open
    for context in contexts:
        context.close()
    _wait_for_idle_live_server()
    assert not errors, "\n".join(errors)


def _wait_for_idle_live_server(timeout: float = 15.0) -> None:
    """Let the live server finish the requests the closed pages left running.

    A closed page does not stop the server's threads: a tile request still reading the database
    met the test database's flush (TRUNCATE, after this fixture) in a PostgreSQL deadlock and was
    answered 503 (CI, 2026-12-07). Django's live server runs each request in a thread named after
    ``process_request_thread``."""
    import threading
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any("process_request_thread" in t.name for t in threading.enumerate()):
            return
        time.sleep(0.05)


def save_screenshot(page, name: str, **options) -> bytes:
    """Screenshot to var/screenshots/<name>-<backend>.png (for people to look at) and return it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return page.screenshot(path=str(SCREENSHOTS / f"{name}-{backend_label()}.png"), **options)


def image(png: bytes):
    from PIL import Image

    img = Image.open(io.BytesIO(png))
    img.load()
    return img.convert("RGB")
