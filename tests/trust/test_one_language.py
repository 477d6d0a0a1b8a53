"""Error messages in one language (issue 20, item 9): Italian under Italian, English under
English - the tax code refusal, the API's 404, the import's summary - and the attendance
condition of a grant names a figure, or says plainly that no session was held yet."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.utils import translation
from rest_framework.test import APIClient

from cohorts import grant_checks
from incubator.funding import eligibility
from incubator.funding.eligibility import NotEligible
from tests import factories as f
from tests.cohorts.helpers import build_cohort
from tests.funding import helpers as h
from tests.funding.fixtures import without_attendance_check  # noqa: F401
from tests.incubator.test_import_export import PEOPLE_HEADER, confirm, csv_bytes, preview

pytestmark = pytest.mark.django_db
BAD_TAX_CODE = "XXXXXX00X00X000X"


@pytest.mark.parametrize(
    ("language", "tax_code_message", "not_found"),
    [
        ("it", "Inserisci un codice fiscale valido (o una partita IVA di 11 cifre).", "Non trovato."),
        ("en", "Enter a valid tax code (codice fiscale, or an 11-digit VAT number).", "Not found."),
    ],
)
def test_api_refusals_are_in_the_request_s_language(world, language, tax_code_message, not_found):
    client = APIClient()
    client.force_authenticate(world.coordinator)
    body = {"programme": world.programme.pk, "first_name": "A", "last_name": "B", "tax_code": BAD_TAX_CODE}
    refused = client.post("/api/v1/people/", body, format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert refused.status_code == 400 and refused.json()["tax_code"] == [tax_code_message]
    missing = client.get("/api/v1/evaluations/999999/", HTTP_ACCEPT_LANGUAGE=language)
    assert missing.status_code == 404 and missing.json()["detail"] == not_found


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("it", "Importazione completata: 1 nuovi, 0 aggiornati, 0 invariati (persone)."),
        ("en", "Import finished: 1 new, 0 updated, 0 unchanged (people)."),
    ],
)
def test_the_import_summary_is_in_the_page_s_language(client, world, language, expected):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    client.force_login(world.coordinator)
    rows = [PEOPLE_HEADER, [world.programme.code, "Anna", "Esposito", f.tax_code(4321), "", ""]]
    page = preview(client, "person", "people.csv", csv_bytes(rows))
    assert "confirm_form" in page.context, [str(p) for p in page.context["result"].problems]
    done = confirm(client, "person", page)
    assert [str(m) for m in get_messages(done.wsgi_request)] == [expected]


@pytest.fixture
def cohort_without_sessions(world, without_attendance_check):  # noqa: F811
    eligibility.grant_check(grant_checks.attendance_reached)
    cw = build_cohort(world, extra_people=0)
    cw.cohort.grant_threshold = Decimal("80.00")
    cw.cohort.save(update_fields=["grant_threshold"])
    yield cw
    eligibility.unregister(grant_checks.attendance_reached)


@pytest.mark.parametrize(
    ("language", "text"),
    [("it", "nessuna sessione di formazione ancora svolta"), ("en", "no training session held yet")],
)
def test_attendance_refusal_without_any_session_held_says_so(world, cohort_without_sessions, language, text):
    with translation.override(language), pytest.raises(NotEligible) as refused:
        h.proposed(world, "50000.00")
    (problem,) = refused.value.problems
    assert problem.code == "attendance_below_threshold"
    assert text in problem.message and "- %" not in problem.message
