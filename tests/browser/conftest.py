"""Real Chromium through Playwright against ``live_server``. Debian's ``chromium``
(``/usr/bin/chromium``, installed by ``scripts/system-deps.sh``) is driven through
``executable_path``; without it the browser tests are skipped with the reason.
Screenshots go to ``test-artifacts/`` (git-ignored; CI keeps them as artifacts)."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM_CANDIDATES = (os.environ.get("CHROMIUM", ""), "/usr/bin/chromium", shutil.which("chromium") or "")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def chromium_path() -> str | None:
    return next((p for p in CHROMIUM_CANDIDATES if p and os.access(p, os.X_OK)), None)


@pytest.fixture(scope="session")
def chromium():
    executable = chromium_path()
    if executable is None:
        pytest.skip("No Chromium found (install Debian's chromium, or set CHROMIUM=/path/to/chromium).")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the
    # test body between browser steps are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def open_context(chromium, live_server, viewport: dict, *, phone: bool = False):
    context = chromium.new_context(
        viewport=viewport,
        base_url=live_server.url,
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=2 if phone else 1,
        locale="it-IT",
        permissions=["clipboard-read", "clipboard-write"],
    )
    context.set_default_timeout(15_000)
    return context
