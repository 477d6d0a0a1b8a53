"""The portal's API: the applicant's drafts and actions, integration requests, the
coordinators' submissions; each role allowed and denied; bad input as 400 per field;
query counts that hold for 1 and for 50 rows."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from incubator import access
from incubator.selection import office, services
from tests import factories as f
from tests.api.helpers import client_as, results
from tests.portal.conftest import PDF, complete, start

pytestmark = pytest.mark.django_db


def test_applicant_drafts_answers_uploads_and_submits(form, applicant):
    api = client_as(applicant)
    created = api.post(
        "/api/v1/my-applications/",
        {
            "call": form.call.pk,
            "title": "Orto",
            "applicant_kind": "individual",
            "first_name": "Anna",
            "last_name": "Rossi",
            "tax_code": f.tax_code(),
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    q = form.questions
    too_long = api.patch(
        f"/api/v1/my-applications/{pk}/answers/", {"answers": {f"q{q['summary'].pk}": "x" * 201}}, format="json"
    )
    assert too_long.status_code == 400 and f"q{q['summary'].pk}" in too_long.json()
    ok = api.patch(
        f"/api/v1/my-applications/{pk}/answers/",
        {
            "answers": {
                f"q{q['summary'].pk}": "Orto",
                f"q{q['name'].pk}": "Anna",
                f"q{q['area'].pk}": "m1",
                f"q{q['experience'].pk}": "no",
            }
        },
        format="json",
    )
    assert ok.status_code == 200 and len(ok.json()["answers"]) == 4
    fake = api.post(
        f"/api/v1/my-applications/{pk}/attachments/",
        {"question": q["plan"].pk, "file": SimpleUploadedFile("x.pdf", b"GIF89a")},
        format="multipart",
    )
    assert fake.status_code == 400 and f"q{q['plan'].pk}" in fake.json()
    good = api.post(
        f"/api/v1/my-applications/{pk}/attachments/",
        {"question": q["plan"].pk, "file": SimpleUploadedFile("plan.pdf", PDF)},
        format="multipart",
    )
    assert good.status_code == 200
    missing = api.get(f"/api/v1/my-applications/{pk}/missing/").json()
    assert [row["section"] for row in missing] == ["Budget"]
    assert api.post(f"/api/v1/my-applications/{pk}/submit/").status_code == 400
    negative = api.post(
        f"/api/v1/my-applications/{pk}/budget/", {"category": "travel", "description": "x", "amount": "-1"}
    )
    assert negative.status_code == 400 and "amount" in negative.json()
    api.post(f"/api/v1/my-applications/{pk}/budget/", {"category": "travel", "description": "x", "amount": "26000"})
    submitted = api.post(f"/api/v1/my-applications/{pk}/submit/")
    assert submitted.status_code == 200
    body = submitted.json()
    assert body["state"] == "submitted" and body["protocol_number"] == 1 and len(body["content_sha256"]) == 64
    assert body["score"] is None and body["rank"] is None
    withdrawn = api.post(f"/api/v1/my-applications/{pk}/withdraw/", {"reason": "changed"})
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"


def test_another_applicants_application_is_404(form, applicant, applicant2, world, other):
    application = start(applicant, form.call)
    for user in (applicant2, world.participant, world.tutor, world.evaluator, other.coordinator):
        api = client_as(user)
        assert api.get(f"/api/v1/my-applications/{application.pk}/").status_code == 404
        assert api.post(f"/api/v1/my-applications/{application.pk}/submit/").status_code == 404
        assert (
            api.patch(f"/api/v1/my-applications/{application.pk}/answers/", {"answers": {}}, format="json").status_code
            == 404
        )
        assert application.pk not in {row["id"] for row in results(api.get("/api/v1/my-applications/"))}
    # The coordinator reads applications elsewhere (submissions), not as "mine".
    assert client_as(world.coordinator).get(f"/api/v1/my-applications/{application.pk}/").status_code == 404
    assert client_as(applicant).get(f"/api/v1/my-applications/{application.pk}/").status_code == 200
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/my-applications/").status_code in (401, 403)


def test_integration_requests_both_sides_and_roles(form, applicant, applicant2, world, other):
    application = start(applicant, form.call)
    complete(applicant, application, form)
    services.application_submit(actor=applicant, application=application)
    deadline = (timezone.now() + dt.timedelta(days=10)).isoformat()
    body = {"application": application.pk, "items": "Statuto", "deadline": deadline}
    assert client_as(applicant).post("/api/v1/integration-requests/", body).status_code == 403
    assert client_as(other.coordinator).post("/api/v1/integration-requests/", body).status_code == 400
    past = client_as(world.coordinator).post("/api/v1/integration-requests/", {**body, "deadline": "2020-01-01T00:00"})
    assert past.status_code == 400 and "deadline" in past.json()
    created = client_as(world.coordinator).post("/api/v1/integration-requests/", body)
    assert created.status_code == 201
    pk = created.json()["id"]
    for user in (applicant2, world.evaluator, world.tutor, other.coordinator):
        assert client_as(user).get(f"/api/v1/integration-requests/{pk}/").status_code == 404
    assert (
        client_as(world.coordinator)
        .post(f"/api/v1/integration-requests/{pk}/answer/", {"answer_text": "x"})
        .status_code
        == 403
    )
    answered = client_as(applicant).post(
        f"/api/v1/integration-requests/{pk}/answer/",
        {"answer_text": "Eccolo", "files": [SimpleUploadedFile("s.pdf", PDF)]},
        format="multipart",
    )
    assert answered.status_code == 200 and answered.json()["state"] == "answered"
    assert len(answered.json()["files"]) == 1
    assert client_as(world.coordinator).get(f"/api/v1/integration-requests/{pk}/").json()["answer_text"] == "Eccolo"
    early = client_as(world.coordinator).post(f"/api/v1/integration-requests/{pk}/declare-ineligible/")
    assert early.status_code == 400


def test_submissions_for_coordinators_only(form, applicant, world, other):
    application = start(applicant, form.call)
    complete(applicant, application, form)
    services.application_submit(actor=applicant, application=application)
    rows = results(client_as(world.coordinator).get("/api/v1/submissions/", {"call": form.call.pk}))
    assert [r["protocol_number"] for r in rows] == [1]
    assert rows[0]["snapshot"]["budget"]["total"] == "30000.00"
    for user in (applicant, world.evaluator, world.participant, other.coordinator):
        assert results(client_as(user).get("/api/v1/submissions/")) == []
        assert client_as(user).get(f"/api/v1/submissions/{application.pk}/").status_code == 404


@pytest.mark.parametrize("rows", [1, 50])
def test_my_applications_query_count(form, django_assert_num_queries, rows):
    user = f.UserFactory(username="many")
    for n in range(rows):
        call = f.CallFactory(programme=form.call.programme)
        start(user, call, title=f"Idea {n}")
    access.forget(user)
    api = client_as(user)
    # roles, count, page, answers, budget items, invitations, integration requests (their
    # files are not fetched when there is no request)
    with django_assert_num_queries(7):
        response = api.get("/api/v1/my-applications/", {"page_size": 100})
    assert len(results(response)) == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_integration_requests_and_submissions_query_count(form, world, django_assert_num_queries, rows):
    for n in range(rows):
        user = f.UserFactory(username=f"sub{n}")
        application = start(user, form.call, title=f"Idea {n}")
        complete(user, application, form)
        services.application_submit(actor=user, application=application)
        office.integration_request(
            actor=world.coordinator,
            application=application,
            items="x",
            deadline=timezone.now() + dt.timedelta(days=3),
        )
    api = client_as(world.coordinator)
    access.forget(world.coordinator)
    # roles, count, page, files
    with django_assert_num_queries(4):
        assert len(results(api.get("/api/v1/integration-requests/", {"page_size": 100}))) == rows
    access.forget(world.coordinator)
    # roles, count, page (venture and snapshot joined)
    with django_assert_num_queries(3):
        assert len(results(api.get("/api/v1/submissions/", {"page_size": 100}))) == rows
