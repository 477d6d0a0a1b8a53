"""Sensitive data (ESF+ entry data, GDPR art. 9 categories, the violence flag) reaches
only the programme's coordinators and the person, and every read of it is logged.

The tests try to break it: every GET route of the project (API, pages, back office,
feeds, exports), for the evaluator, the tutor and a participant of the same programme,
is scanned for the entry data's field names and for the one value that identifies it (a
teammate's date of birth, in every format a page or file would write it). The
participant has no entry data of their own in this programme, so any of it is a leak.
Logs are scanned too, and pseudonymised exports must carry neither the violence flag nor
the special categories at participant level."""

import logging
import re

import pytest
from django.test import Client

from cohorts.reports import services as services_reports
from incubator.participants.models import SensitiveDataRead
from tests.trust.helpers import admin_export, browser, text_of
from tests.trust.routes import all_routes, id_routes, url_of

pytestmark = pytest.mark.django_db

ENTRY_KEYS = (
    "victim_of_violence",
    "birth_date",
    "labour_status",
    "isced",
    "third_country_national",
    "foreign_background",
    "homeless",
    "disability",
    "minority",
)
WORDS = ("victim of violence", "vittima di violenza", "victims of violence", "date of birth", "data di nascita")
SKIP = {
    # Pages that only a coordinator or an administrator opens (the others get 404 or a
    # login page, scanned anyway), and the schema, whose field names are not data.
    "schema",
    "api-docs",
}
# The privacy notice must name the categories of data processed (GDPR art. 13), the
# violence flag among them, in the same text for every visitor, signed in or not. There,
# and only where an anonymous visitor reads the same words, the words are not data; the
# field names and the teammate's date of birth are still looked for.
PUBLIC_NOTICES = {"privacy"}


def markers(full) -> list[str]:
    birth = full.birth_date
    return [
        *(f'"{key}"' for key in ENTRY_KEYS),
        *WORDS,
        birth.isoformat(),
        birth.strftime("%d/%m/%Y"),
        birth.strftime("%d.%m.%Y"),
        f"{birth.day} {birth.strftime('%B')} {birth.year}".lower(),
    ]


def leaks(text: str, found_markers: list[str]) -> list[str]:
    low = text.lower()
    return [marker for marker in found_markers if marker.lower() in low]


def public_words(route, url) -> set[str]:
    """The WORDS that a public notice shows to an anonymous visitor at ``url``."""
    if route.key not in PUBLIC_NOTICES:
        return set()
    response = Client().get(url)
    return set(leaks(text_of(response), list(WORDS))) if response.status_code == 200 else set()


def readable_urls(full):
    """Every GET-able URL of the project with programme A's own records in its ids."""
    mapping = id_routes()
    for route in all_routes():
        if route.key in SKIP or "get" not in route.methods():
            continue
        if route.has_id:
            if route.key not in mapping:
                continue
            values = mapping[route.key].build(full)
            if values.get("object_id") == 999_999_999:
                continue
        else:
            values = {"app_label": "incubator", "url": "incubator/", "year": 2026, "month": 1, "fmt": "csv"}
            values = {name: values[name] for name in route.params}
        yield route, url_of(route, values)


@pytest.mark.parametrize("role", ["evaluator", "tutor", "participant"])
def test_no_route_shows_entry_data_to_evaluators_tutors_or_other_participants(full_a, role):
    client = browser(getattr(full_a.world, role))
    found_markers = markers(full_a)
    findings, read = [], 0
    for route, url in readable_urls(full_a):
        response = client.get(url)
        if response.status_code != 200:
            continue
        read += 1
        hits = leaks(text_of(response), found_markers)
        if hits:
            hits = [hit for hit in hits if hit not in public_words(route, url)]
        if hits:
            findings.append(f"{route.key} {url}: {hits}")
    # The tutor is assigned to the venture and sees its team; the evaluator evaluates its
    # application; the participant is in the same team: each read many pages of it.
    assert read >= 25, read
    assert not findings, f"Entry data shown to the {role}:\n" + "\n".join(findings)
    assert not SensitiveDataRead.objects.filter(reader=getattr(full_a.world, role)).exists()


def test_calendar_feeds_carry_no_entry_data(full_a):
    client = Client()
    for feed in (full_a.participant_feed, full_a.tutor_feed, full_a.cohort_feed):
        response = client.get(f"/calendar/{feed.token}.ics")
        assert response.status_code == 200
        assert not leaks(text_of(response), markers(full_a)), feed.kind


def test_exports_carry_no_entry_data(full_a):
    """Registers, timesheets, the back office's exports and the cohort report files."""
    coordinator = browser(full_a.world.coordinator)
    tutor = browser(full_a.world.tutor)
    found = markers(full_a)
    day = full_a.tutoring_session.starts_at
    responses = {
        "timesheet csv": tutor.get(f"/tutor/timesheet/{full_a.profile.pk}/{day.year}/{day.month}/export.csv"),
        "timesheet xlsx": tutor.get(f"/tutor/timesheet/{full_a.profile.pk}/{day.year}/{day.month}/export.xlsx"),
        "registers": coordinator.post(
            "/admin/cohorts/trainingsession/",
            {"action": "export_registers", "_selected_action": [full_a.session.pk], "format": "xlsx", "_apply": "1"},
        ),
    }
    for model in ("incubator/person", "incubator/application", "cohorts/attendance", "mentoring/tutoringsession"):
        for file_format in ("0", "2"):
            responses[f"{model} {file_format}"] = admin_export(coordinator, model, file_format)
    for kind in ("report_csv", "report_xlsx"):
        export = services_reports.report_export_request(
            actor=full_a.world.coordinator, programme=full_a.programme, kind=kind, cohort=full_a.cohort
        )
        responses[kind] = coordinator.get(f"/dashboard/exports/{export.pk}/download/")
    for name, response in responses.items():
        assert response.status_code == 200, (name, response.status_code)
        assert not leaks(text_of(response), found), name


def test_pseudonymised_exports_carry_no_violence_flag_and_no_special_category_per_person(full_a):
    coordinator = browser(full_a.world.coordinator)
    for kind in ("pseudonymised_csv", "pseudonymised_xlsx"):
        export = services_reports.report_export_request(
            actor=full_a.world.coordinator, programme=full_a.programme, kind=kind, cohort=full_a.cohort
        )
        response = coordinator.get(f"/dashboard/exports/{export.pk}/download/")
        assert response.status_code == 200
        text = text_of(response)
        assert full_a.teammate.pseudonym.code in text  # the teammate is in it, by pseudonym
        for word in ("victim", "violence", "violenza", full_a.birth_date.isoformat(), full_a.teammate.tax_code):
            assert word not in text.lower(), (kind, word)
        participant_header = text.splitlines()[0] if kind.endswith("csv") else text
        for column in ("disability", "minority"):
            assert not re.search(rf"\b{column}\b", participant_header.split("\n\n")[0]), (kind, column)


def test_logs_never_carry_entry_data(full_a, caplog):
    """Writes, reads, refusals and exports of entry data, with every logger at DEBUG."""
    caplog.set_level(logging.DEBUG)
    coordinator = browser(full_a.world.coordinator)
    person = full_a.person
    body = {
        "person": person.pk,
        "entered_on": "2026-01-10",
        "gender": "female",
        "birth_date": "1966-07-21",
        "labour_status": "inactive",
        "isced": "isced_0_2",
        "victim_of_violence": True,
    }
    assert coordinator.post("/api/v1/participant-entry-data/", body, content_type="application/json").status_code == 201
    bad = {**body, "person": full_a.teammate.pk, "birth_date": "2031-07-21"}
    assert coordinator.post("/api/v1/participant-entry-data/", bad, content_type="application/json").status_code == 400
    assert coordinator.get("/api/v1/participant-entry-data/").status_code == 200
    assert coordinator.get(f"/api/v1/people/{person.pk}/personal-data/?as=csv").status_code == 200
    assert coordinator.get(f"/admin/incubator/participantentrydata/{full_a.entry_data.pk}/change/").status_code == 200
    assert browser(full_a.world.tutor).get(f"/api/v1/participant-entry-data/{full_a.entry_data.pk}/").status_code == 404
    logged = "\n".join(record.getMessage() + str(record.args) + str(record.exc_text) for record in caplog.records)
    for value in ("1966-07-21", "2031-07-21", full_a.birth_date.isoformat(), "victim_of_violence", "isced_0_2"):
        assert value not in logged, value


def test_every_read_of_entry_data_is_logged(full_a, admin_user):
    coordinator = full_a.world.coordinator
    client = browser(coordinator)
    teammate, entry = full_a.teammate, full_a.entry_data

    def reads(channel):
        return SensitiveDataRead.objects.filter(reader=coordinator, person=teammate, channel=channel).count()

    before = {channel: reads(channel) for channel in ("api", "admin", "export")}
    assert client.get("/api/v1/participant-entry-data/").status_code == 200
    assert client.get(f"/api/v1/participant-entry-data/{entry.pk}/").status_code == 200
    assert reads("api") == before["api"] + 2
    assert client.get("/admin/incubator/participantentrydata/").status_code == 200
    assert client.get(f"/admin/incubator/participantentrydata/{entry.pk}/change/").status_code == 200
    assert reads("admin") == before["admin"] + 2
    assert client.get(f"/people/{teammate.pk}/data.json").status_code == 200
    services_reports.report_export_request(
        actor=coordinator, programme=full_a.programme, kind="pseudonymised_csv", cohort=full_a.cohort
    )
    assert reads("export") == before["export"] + 2
    # An administrator who is not the programme's coordinator does not see it at all.
    admin = browser(admin_user)
    assert admin.get(f"/api/v1/participant-entry-data/{entry.pk}/").status_code == 404
    assert admin.get(f"/admin/incubator/participantentrydata/{entry.pk}/change/").status_code == 404
    assert not SensitiveDataRead.objects.filter(reader=admin_user).exists()


def test_the_scan_finds_entry_data_where_it_may_be_shown(full_a):
    """The scan above can fail: for the programme's coordinator it finds the markers on
    the routes that show entry data, and the reads are logged."""
    client = browser(full_a.world.coordinator)
    found_markers = markers(full_a)
    showing = set()
    for route, url in readable_urls(full_a):
        response = client.get(url)
        if response.status_code == 200 and leaks(text_of(response), found_markers):
            showing.add(route.key)
    assert {
        "api:participant-entry-data-list",
        "api:participant-entry-data-detail",
        "admin:incubator_participantentrydata_change",
    } <= showing, showing
    assert SensitiveDataRead.objects.filter(reader=full_a.world.coordinator, person=full_a.teammate).count() >= 5


def test_an_administrator_who_is_not_programme_staff_never_gets_the_values(full_a, admin_user):
    """A superuser sees every other record (and the entry-data form's empty labels, and the
    aggregate indicators' names), never a person's entry data: the date of birth, in any
    format, appears on no page or API answer, and reading logs nothing."""
    client = browser(admin_user)
    values = markers(full_a)[len(ENTRY_KEYS) + len(WORDS) :]
    findings, read = [], 0
    for route, url in readable_urls(full_a):
        response = client.get(url)
        if response.status_code != 200:
            continue
        read += 1
        hits = leaks(text_of(response), values)
        if hits:
            findings.append(f"{route.key} {url}: {hits}")
    assert read >= 100, read
    assert not findings, "\n".join(findings)
    assert not SensitiveDataRead.objects.filter(reader=admin_user).exists()
