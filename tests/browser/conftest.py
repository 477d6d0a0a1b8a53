"""Real Chromium through Playwright against ``live_server`` (the session-wide ``chromium``
fixture is in ``tests/conftest.py``, shared with the dashboard test). Debian's ``chromium``
(``/usr/bin/chromium``, installed by ``scripts/system-deps.sh``) is driven through
``executable_path``; without it the browser tests are skipped with the reason.
Screenshots go to ``test-artifacts/`` (git-ignored; CI keeps them as artifacts)."""

from pathlib import Path

import pytest
from django.conf import settings

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


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
