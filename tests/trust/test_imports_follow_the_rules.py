"""Imports go through the same services and rules as every other write (issue 20, items
7 and 8): no submitted application joins a call whose applications are ranked; a value
the rules decide (a session's hourly rate comes from the tutor's band) is refused when
the file says another, naming row and column, never dropped silently."""

import datetime as dt

import pytest
from django.utils import timezone

from incubator.selection import models as selection_models
from tests import factories as f
from tests.incubator.test_import_export import APPLICATION_HEADER, csv_bytes, preview, problems
from tests.mentoring.fixtures import *  # noqa: F403
from tests.mentoring.test_admin import HEADER as SESSION_HEADER
from tests.mentoring.test_admin import _import as session_import

pytestmark = pytest.mark.django_db


def _application_row(world, title: str, lead, submitted: dt.datetime) -> list[str]:
    return [
        world.programme.code,
        world.call.title,
        title,
        "",
        "",
        "",
        "",
        "",
        lead.tax_code,
        "",
        "",
        submitted.strftime("%d/%m/%Y %H:%M"),
        "",
    ]


def test_an_import_cannot_submit_into_a_ranked_call(client, world):
    call = world.call
    submitted = call.opens_at + dt.timedelta(hours=2)
    call.closes_at = timezone.now() - dt.timedelta(days=1)
    call.save(update_fields=["closes_at"])
    ranked = world.application
    ranked.state, ranked.submitted_at, ranked.rank = selection_models.ApplicationState.ADMITTED, submitted, 1
    ranked.save(update_fields=["state", "submitted_at", "rank"])
    before = call.applications.count()
    lead = f.PersonFactory(programme=world.programme)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(world.coordinator)
    rows = [APPLICATION_HEADER, _application_row(world, "Late idea", lead, submitted)]
    page = preview(client, "application", "late.csv", csv_bytes(rows, delimiter=";"))
    found = problems(page)
    assert any(p.startswith("Row 2, call") and "ranked" in p for p in found), found
    assert "confirm_form" not in page.context
    assert call.applications.count() == before


def test_an_import_still_submits_into_an_open_call(client, world):
    lead = f.PersonFactory(programme=world.programme)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(world.coordinator)
    rows = [APPLICATION_HEADER, _application_row(world, "On time", lead, timezone.localtime() - dt.timedelta(hours=1))]
    page = preview(client, "application", "ok.csv", csv_bytes(rows, delimiter=";"))
    assert "confirm_form" in page.context, problems(page)


def test_an_hourly_rate_the_band_decides_is_refused_naming_row_and_column(client, mentoring):
    a = mentoring.assignment.pk
    header = f"{SESSION_HEADER};hourly_rate"
    body = (
        f"{header}\n{a};02/03/2026 09:00;60;in_person;tutoring;;;50,00\n"  # as the band says: fine
        f"{a};03/03/2026 09:00;60;in_person;tutoring;;;\n"  # empty: fine
        f"{a};04/03/2026 09:00;60;in_person;tutoring;;;999,00\n"
    )
    client.force_login(mentoring.world.coordinator)
    page = session_import(client, body.encode(), "sessions.csv", confirm=False)
    found = [str(p) for p in page.context["result"].problems]
    assert len(found) == 1 and found[0].startswith("Row 4, hourly_rate"), found
    assert "999,00" in found[0] and "50.00" in found[0]
    assert not mentoring.assignment.sessions.exists()


def test_a_score_in_an_application_file_is_refused_naming_row_and_column(client, world):
    lead = f.PersonFactory(programme=world.programme)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(world.coordinator)
    row = _application_row(world, "Scored", lead, timezone.localtime() - dt.timedelta(hours=1))
    row[-1] = "26,5"
    page = preview(client, "application", "scored.csv", csv_bytes([APPLICATION_HEADER, row], delimiter=";"))
    found = problems(page)
    assert len(found) == 1 and found[0].startswith("Row 2, score") and "26,5" in found[0], found
