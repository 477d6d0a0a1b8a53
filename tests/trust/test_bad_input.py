"""Bad input answers 400 (naming the field), never 500, and writes nothing: NUL bytes,
huge integers, wrong types, over-long strings, malformed dates and numbers, on a
representative set of endpoints (people, training sessions and bulk attendance,
enrolment dates, tranches, entry data, consents) and on filters, paging and paths."""

import json

import pytest

from incubator.models import AuditEvent
from tests import factories as f
from tests.trust.helpers import browser

pytestmark = pytest.mark.django_db

HUGE = 10**30
BIG = 2**63  # one past the largest 64-bit integer


def _people(o):
    return "/api/v1/people/", {
        "programme": o.programme.pk,
        "first_name": "Maria",
        "last_name": "Esposito",
        "tax_code": f.tax_code(4242),
    }


def _sessions(o):
    return "/api/v1/training-sessions/", {
        "cohort": o.cohort.pk,
        "module": o.module.pk,
        "topic": "Business plan",
        "starts_at": "2026-03-02T09:00:00+01:00",
        "ends_at": "2026-03-02T11:00:00+01:00",
        "place": "Napoli",
    }


def _marks(o):
    return f"/api/v1/training-sessions/{o.session.pk}/attendance/", {
        "marks": [{"person": o.person.pk, "status": "partial", "minutes_attended": 30}]
    }


def _dates(o):
    return f"/api/v1/enrolments/{o.enrolment.pk}/dates/", {"ends_on": o.enrolment.ends_on.isoformat()}


def _tranche(o):
    return f"/api/v1/grants/{o.grant.pk}/tranches/", {
        "kind": "advance",
        "amount": "100.00",
        "guarantee_reference": "G-9",
    }


def _entry(o):
    return "/api/v1/participant-entry-data/", {
        "person": o.person.pk,
        "entered_on": "2026-01-10",
        "gender": "female",
        "birth_date": "1990-06-15",
        "labour_status": "unemployed",
        "isced": "isced_3_4",
    }


def _consent(o):
    return "/api/v1/consents/", {"person": o.person.pk, "purpose": "images", "given": True}


ENDPOINTS = {
    "people": _people,
    "sessions": _sessions,
    "marks": _marks,
    "dates": _dates,
    "tranche": _tranche,
    "entry": _entry,
    "consent": _consent,
}


def _mark(field, value):
    def change(body):
        body["marks"][0][field] = value
        return body

    return change


CASES = [
    # (endpoint, the field the error names, change to the valid body)
    ("people", "first_name", {"first_name": "Ma\x00ria"}),
    ("people", "last_name", {"last_name": "x" * 10_000}),
    ("people", "first_name", {"first_name": ["Maria"]}),
    ("people", "first_name", {"first_name": {"it": "Maria"}}),
    ("people", "tax_code", {"tax_code": "RSS\x00MRA80A01F839X"}),
    ("people", "programme", {"programme": HUGE}),
    ("people", "programme", {"programme": BIG}),
    ("people", "programme", {"programme": -1}),
    ("people", "programme", {"programme": "1; DROP TABLE"}),
    ("people", "email", {"email": "maria@" + "x" * 300 + ".it"}),
    ("sessions", "topic", {"topic": "\x00"}),
    ("sessions", "starts_at", {"starts_at": "2026-02-30T09:00:00"}),
    ("sessions", "starts_at", {"starts_at": "domani alle 9"}),
    ("sessions", "ends_at", {"ends_at": "99999-01-01T00:00:00"}),
    ("sessions", "ends_at", {"ends_at": 1767225600}),
    ("sessions", "cohort", {"cohort": HUGE}),
    ("sessions", "online_url", {"online_url": "javascript:alert(1)"}),
    ("marks", "marks", {"marks": {"person": 1}}),
    ("marks", "marks", {"marks": []}),
    ("marks", "marks", _mark("minutes_attended", HUGE)),
    ("marks", "marks", _mark("minutes_attended", BIG)),
    ("marks", "marks", _mark("minutes_attended", "thirty")),
    ("marks", "marks", _mark("person", HUGE)),
    ("marks", "marks", _mark("person", BIG)),
    ("marks", "marks", _mark("status", "pres\x00ent")),
    ("marks", "marks", _mark("note", "x" * 5000)),
    ("dates", "ends_on", {"ends_on": "2026-13-01"}),
    ("dates", "ends_on", {"ends_on": "31/02/2027"}),
    ("dates", "ends_on", {"ends_on": "0000-00-00"}),
    ("dates", "ends_on", {"ends_on": None}),
    ("tranche", "amount", {"amount": "1e400"}),
    ("tranche", "amount", {"amount": "NaN"}),
    ("tranche", "amount", {"amount": "Infinity"}),
    ("tranche", "amount", {"amount": str(HUGE)}),
    ("tranche", "amount", {"amount": "12,34,56"}),
    ("tranche", "kind", {"kind": True}),
    ("entry", "birth_date", {"birth_date": "1990-02-30"}),
    ("entry", "entered_on", {"entered_on": "2026-01-10T25:00:00"}),
    ("entry", "gender", {"gender": ["female"]}),
    ("entry", "person", {"person": BIG}),
    ("entry", "victim_of_violence", {"victim_of_violence": "maybe"}),
    ("consent", "decided_at", {"decided_at": "2026-02-29T10:00:00"}),
    ("consent", "given", {"given": None}),
    ("consent", "purpose", {"purpose": "\x00"}),
    ("consent", "note", {"note": "\x00"}),
]


@pytest.mark.parametrize("endpoint, field, change", CASES, ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)])
def test_bad_values_answer_400_naming_the_field_and_write_nothing(full_a, endpoint, field, change):
    url, body = ENDPOINTS[endpoint](full_a)
    body = change(body) if callable(change) else {**body, **change}
    events = AuditEvent.objects.count()
    response = browser(full_a.world.coordinator).post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert field in response.json(), response.json()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_the_valid_bodies_are_accepted(full_a, endpoint):
    """The bodies above are right but for the one value changed (so each 400 is that value's)."""
    url, body = ENDPOINTS[endpoint](full_a)
    if endpoint == "entry":
        body["person"] = f.PersonFactory(programme=full_a.programme).pk
    if endpoint == "tranche":
        full_a.grant.tranches.all().delete()  # the advance comes first: make room for it
    response = browser(full_a.world.coordinator).post(url, json.dumps(body), content_type="application/json")
    assert response.status_code in (200, 201), (endpoint, response.content[:300])


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2, 3]", b'"a string"', b"\x00\x01\x02", b'{"first_name": "\\u0000"}', b"null"],
    ids=["malformed", "list", "string", "binary", "escaped-nul", "null"],
)
def test_bodies_that_are_not_an_object_answer_400(full_a, body):
    response = browser(full_a.world.coordinator).post("/api/v1/people/", body, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/people/?programme={HUGE}",
        f"/api/v1/people/?programme={BIG}",
        "/api/v1/people/?programme=abc",
        "/api/v1/people/?ordering=%00",
        "/api/v1/people/?ordering=password",
        f"/api/v1/people/?page={HUGE}",
        "/api/v1/people/?page=-1",
        "/api/v1/people/?page_size=abc",
        "/api/v1/calls/?open=perhaps",
        "/api/v1/applications/?state=%00",
        "/api/v1/applications/?theme=" + "x" * 5000,
        "/api/v1/applications/?target_area=%00",
        "/api/v1/enrolments/?starts_after=2026-13-45",
        "/api/v1/training-sessions/?starts_after=yesterday",
        f"/api/v1/people/{HUGE}/",
        f"/api/v1/people/{BIG}/",
        "/api/v1/people/%00/",
        "/api/v1/people/-1/",
        f"/api/v1/grants/{HUGE}/tranches/",
        f"/api/v1/reports/cohorts/{BIG}/",
        "/api/v1/de-minimis/" + "9" * 16 + "/",
        f"/people/{BIG}/data.json",
        f"/cohorts/{BIG}/",
        f"/path/enrolments/{BIG}/",
        f"/tutor/timesheet/{BIG}/2026/1/",
        "/tutor/timesheet/1/99999/1/",
        "/tutor/timesheet/1/2026/13/",
        f"/admin/incubator/person/{BIG}/change/",
        "/admin/incubator/person/%00/change/",
        "/admin/incubator/person/?programme__id__exact=%00",
        f"/admin/incubator/person/?programme__id__exact={BIG}",
        "/admin/incubator/person/?o=99",
        "/admin/incubator/person/?q=%00",
    ],
)
def test_bad_filters_paths_and_pages_are_refused_not_crashed(full_a, url):
    response = browser(full_a.world.coordinator).get(url)
    assert response.status_code in (200, 302, 400, 404), (url, response.status_code)


def test_pages_refuse_bad_form_input_without_crashing(full_a):
    tutor = browser(full_a.world.tutor)
    response = tutor.post(
        "/tutor/sessions/new/",
        {"assignment": full_a.assignment.pk, "starts_at": "2026-02-30 10:00", "minutes": str(BIG), "topics": "\x00"},
    )
    assert response.status_code == 200
    participant = browser(full_a.world.participant)
    response = participant.post(
        f"/path/milestones/{full_a.milestone.pk}/state/", {"state": "achieved", "achieved_on": "2026-02-30"}
    )
    assert response.status_code == 302
    response = participant.post(f"/path/milestones/{full_a.milestone.pk}/state/", {"state": "\x00"})
    assert response.status_code == 302
