"""Shared fixtures: two programmes, each with a persona for every role, so that every
test can check both "allowed" (own programme) and "404" (the other programme)."""

import os
import shutil
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from incubator import models as m
from incubator.selection import models as selection_models
from tests import factories as f


@dataclass
class World:
    """One programme's people: ``admin`` is shared; everything else is per programme."""

    programme: m.Programme
    call: selection_models.Call
    coordinator: m.User
    evaluator: m.User
    evaluator2: m.User
    tutor: m.User
    participant: m.User
    participant_person: m.Person
    venture: m.Venture
    application: selection_models.Application


def build_world(prefix: str) -> World:
    programme = f.ProgrammeFactory(code=f"{prefix}-3.3.1", name=f"Programme {prefix}")
    call = f.CallFactory(programme=programme, title=f"Call {prefix}")
    f.CriterionFactory(call=call, name="Innovation", weight=2, max_score=10)
    f.CriterionFactory(call=call, name="Feasibility", weight=1, max_score=20)
    users = {}
    for role in ("coordinator", "evaluator", "evaluator2", "tutor", "participant"):
        user = f.UserFactory(username=f"{prefix}-{role}", is_staff=role == "coordinator")
        m.RoleAssignment.objects.create(user=user, programme=programme, role=role.rstrip("2"))
        users[role] = user
    person = f.PersonFactory(programme=programme, user=users["participant"])
    venture = f.VentureFactory(programme=programme)
    f.TeamMemberFactory(venture=venture, person=person)
    m.LegalFormChange.objects.create(venture=venture, legal_form="informal_group", effective_on="2025-01-01")
    application = f.ApplicationFactory(call=call, venture=venture)
    return World(
        programme=programme,
        call=call,
        participant_person=person,
        venture=venture,
        application=application,
        **users,
    )


@pytest.fixture
def world(db) -> World:
    return build_world("A")


@pytest.fixture
def other(db) -> World:
    """A second programme: its records must answer 404 to the first one's people."""
    return build_world("B")


@pytest.fixture
def admin_user(db) -> m.User:
    return f.UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def api():
    """An API client; ``api.as_(user)`` authenticates it."""

    client = APIClient()

    def as_(user):
        client.force_authenticate(user)
        return client

    client.as_ = as_
    return client


@pytest.fixture
def italian_default(settings):
    """The product's default language (the test profile reads assertions in English)."""
    from config.settings import base

    settings.LANGUAGE_CODE = base.LANGUAGE_CODE
    assert settings.LANGUAGE_CODE == "it"


# --- real Chromium (Playwright) -------------------------------------------------------------
# One browser per test process: Playwright's sync API runs an event loop in this thread,
# and a second sync_playwright() beside it is refused, so every browser test shares it.
CHROMIUM_CANDIDATES = (os.environ.get("CHROMIUM", ""), "/usr/bin/chromium", shutil.which("chromium") or "")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


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
