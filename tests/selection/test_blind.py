"""Blind review: nothing that identifies the applicant reaches an evaluator of a blind
call, through any page, any API endpoint, any file name or export. The same data is
still there for the programme's coordinator (so the sweep would notice a leak)."""

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from rest_framework.test import APIClient

from incubator.models import LegalFormChange
from incubator.selection.models import Answer, Evaluation, FormSection, Question, QuestionKind
from tests import factories as f
from tests.selection.conftest import assign, make_eligible, page_client, submit

pytestmark = pytest.mark.django_db

NAME, SURNAME, EMAIL_DOMAIN, VAT = "Zenobia", "Blindata", "segreto.example", "IT09876543210"


@pytest.fixture
def blind(blind_world):
    world = blind_world
    venture = world.venture
    venture.title = f"Cooperativa {SURNAME}"
    venture.summary = "Un laboratorio di riuso per il quartiere."
    venture.save()
    person = f.PersonFactory(programme=world.programme, first_name=NAME, last_name=SURNAME, email=f"zen@{EMAIL_DOMAIN}")
    f.TeamMemberFactory(venture=venture, person=person, role="member")
    LegalFormChange.objects.create(
        venture=venture, legal_form="social_cooperative", effective_on="2025-06-01", registration_number=VAT
    )
    application = make_eligible(world)
    # The portal's form: an identifying question, a plain one, and files named after the team.
    section = FormSection.objects.create(call=world.call, title_it="Il progetto", title_en="The project", order=1)

    def ask(label, kind, identifying=False, **answer):
        question = Question.objects.create(
            section=section, kind=kind, label_it=label, label_en=label, identifying=identifying, required=False
        )
        if "file" in answer:
            answer = {"file": ContentFile(b"%PDF-1.4 cv", name=answer["file"]), "file_name": answer["file"]}
        Answer.objects.create(application=application, question=question, **answer)
        return question

    ask("Referente", QuestionKind.SHORT_TEXT, identifying=True, value=f"{NAME} {SURNAME}")
    ask("Descrizione", QuestionKind.LONG_TEXT, value="Riparazioni di biciclette e mobili usati.")
    world.plan = ask("Piano", QuestionKind.FILE, file=f"Piano_{SURNAME}.pdf")
    world.cv = ask("CV del referente", QuestionKind.FILE, identifying=True, file=f"CV_{NAME}.pdf")
    e1, e2 = assign(world, application, world.evaluator, world.evaluator2)
    submit(e2, 5, 10, comment="ok")
    identifying = [
        NAME,
        SURNAME,
        EMAIL_DOMAIN,
        VAT,
        person.tax_code,
        world.participant_person.first_name,
        world.participant_person.last_name,
        world.participant_person.tax_code,
        world.participant_person.email,
    ]
    return world, e1, identifying


def leaks(text: str, identifying: list[str]) -> list[str]:
    return [value for value in identifying if value and value.lower() in text.lower()]


def test_no_identifying_field_reaches_a_blind_evaluator_through_pages_and_exports(blind):
    world, evaluation, identifying = blind
    client = page_client(world.evaluator)
    urls = [
        "/",
        reverse("selection-my-evaluations"),
        reverse("selection-evaluation", args=[evaluation.pk]),
        reverse("selection-score", args=[evaluation.pk]),
        reverse("selection-conflict", args=[evaluation.pk]),
    ]
    for url in urls:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert leaks(response.content.decode(), identifying) == [], url
    reading = client.get(urls[2]).content.decode()
    assert "names hidden" in reading and "laboratorio di riuso" in reading
    # The portal's answers section by section: the plain one shown, the identifying one not.
    assert "The project" in reading and "Riparazioni di biciclette" in reading and "Referente" in reading
    # Files: served under a neutral name; the identifying question's file is out of reach.
    plan = client.get(reverse("selection-evaluation-file", args=[evaluation.pk, world.plan.pk]))
    assert plan.status_code == 200
    disposition = plan["Content-Disposition"]
    assert f"application-{evaluation.application_id}-question-{world.plan.pk}.pdf" in disposition
    assert leaks(disposition, identifying) == []
    assert client.get(reverse("selection-evaluation-file", args=[evaluation.pk, world.cv.pk])).status_code == 404
    outsider = page_client(world.evaluator2).get(
        reverse("selection-evaluation-file", args=[evaluation.pk, world.plan.pk])
    )
    assert outsider.status_code == 404  # someone else's evaluation

    export = client.get(reverse("selection-my-export"))
    assert export.status_code == 200
    assert leaks(export["Content-Disposition"], identifying) == []
    assert leaks(export.content.decode(), identifying) == []
    assert f"#{evaluation.application_id}" in export.content.decode()

    # The coordinator does see them: the sweep looks for data that is really there.
    coordinator_view = page_client(world.coordinator).get(reverse("selection-applications", args=[world.call.pk]))
    assert SURNAME in coordinator_view.content.decode()
    office = page_client(world.coordinator).get(
        reverse("selection:office-application", args=[evaluation.application_id])
    )
    assert f"CV_{NAME}" in office.content.decode()


def _get_paths(schema: dict) -> list[str]:
    return [path for path, operations in schema["paths"].items() if "get" in operations]


def test_no_identifying_field_reaches_a_blind_evaluator_through_the_api(blind):
    world, evaluation, identifying = blind
    # The other evaluator submitted and the call closes: their evaluation becomes visible too.
    from tests.selection.conftest import close_call

    close_call(world.call)
    api = APIClient()
    api.force_authenticate(world.evaluator)
    schema = api.get("/api/schema/", {"format": "json"}).json()
    ids = {
        "applications": evaluation.application_id,
        "evaluations": evaluation.pk,
        "calls": world.call.pk,
        "ventures": world.venture.pk,
        "people": world.participant_person.pk,
        "programmes": world.programme.pk,
        # The applicant portal's endpoints: an evaluator reaches none of these records.
        "my-applications": evaluation.application_id,
        "submissions": evaluation.application_id,
        "integration-requests": evaluation.application_id,
    }
    visited = 0
    for path in _get_paths(schema):
        if "{" in path:
            resource = path.split("/")[3]
            if resource not in ids or path.count("{") > 1:
                continue
            url = re.sub(r"\{[^}]+\}", str(ids[resource]), path)
        else:
            url = path
        response = api.get(url)
        visited += 1
        assert response.status_code in (200, 400, 403, 404), (url, response.status_code)
        body = response.content.decode()
        assert leaks(body, identifying) == [], (url, leaks(body, identifying))
        assert leaks(response.get("Content-Disposition", ""), identifying) == []
    assert visited > 20
    # The paths the sweep above skips: a file of the form (two ids) and each export.
    for question in (world.plan, world.cv):
        response = api.get(f"/api/v1/evaluations/{evaluation.pk}/files/{question.pk}/")
        assert response.status_code in (200, 404)
        assert leaks(response.get("Content-Disposition", ""), identifying) == []
    exports = schema["paths"]["/api/v1/exports/{resource}/"]["get"]["parameters"]
    for resource in next(p for p in exports if p["name"] == "resource")["schema"]["enum"]:
        response = api.get(f"/api/v1/exports/{resource}/")
        assert response.status_code in (200, 403, 404), resource
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert leaks(body.decode(errors="replace") + response.get("Content-Disposition", ""), identifying) == []
    application = api.get(f"/api/v1/applications/{evaluation.application_id}/").json()
    assert application["blind"] is True and application["team"] == [] and application["venture"] is None
    assert api.get(f"/api/v1/ventures/{world.venture.pk}/").status_code == 404
    others = api.get("/api/v1/evaluations/").json()["results"]
    assert {row["venture_title"] for row in others} == {f"#{evaluation.application_id}"}

    coordinator = APIClient()
    coordinator.force_authenticate(world.coordinator)
    assert SURNAME in coordinator.get(f"/api/v1/applications/{evaluation.application_id}/").content.decode()


def test_a_non_blind_call_shows_the_team_to_its_evaluators(world):
    application = make_eligible(world)
    (evaluation,) = assign(world, application, world.evaluator)
    body = page_client(world.evaluator).get(reverse("selection-evaluation", args=[evaluation.pk])).content.decode()
    assert world.participant_person.last_name in body and world.venture.title in body
    api = APIClient()
    api.force_authenticate(world.evaluator)
    data = api.get(f"/api/v1/applications/{application.pk}/").json()
    assert data["blind"] is False and data["team"] and data["venture_title"] == world.venture.title
    assert Evaluation.objects.count() == 1


def test_the_api_reading_of_a_blind_call_hides_what_the_pages_hide(blind):
    world, evaluation, identifying = blind
    api = APIClient()
    api.force_authenticate(world.evaluator)
    response = api.get(f"/api/v1/evaluations/{evaluation.pk}/reading/")
    assert response.status_code == 200
    assert leaks(response.content.decode(), identifying) == []
    data = response.json()
    assert data["blind"] is True and data["label"] == f"#{evaluation.application_id}"
    answers = {a["label"]: a for a in data["sections"][0]["answers"]}
    # The identifying question keeps its label and loses its answer (and its file).
    assert answers["Referente"]["hidden"] is True and answers["Referente"]["value"] is None
    assert answers["CV del referente"]["file_name"] is None and answers["CV del referente"]["file_url"] is None
    assert answers["Descrizione"]["value"] == "Riparazioni di biciclette e mobili usati."
    neutral = f"application-{evaluation.application_id}-question-{world.plan.pk}.pdf"
    assert answers["Piano"]["file_name"] == neutral
    plan = api.get(answers["Piano"]["file_url"])
    assert plan.status_code == 200 and neutral in plan["Content-Disposition"]
    assert api.get(f"/api/v1/evaluations/{evaluation.pk}/files/{world.cv.pk}/").status_code == 404
    # The coordinator's records keep the applicant's own file name (so the check above means something).
    assert Answer.objects.get(question=world.plan).file_name == f"Piano_{SURNAME}.pdf"
