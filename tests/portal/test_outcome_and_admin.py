"""After the decisions: what the applicant's page shows. The form builder in the back
office: coordinators add sections and questions; the form freezes at the first submission."""

import pytest
from django.urls import reverse
from django.utils import timezone

from incubator.selection import services
from incubator.selection.models import Application, ApplicationState, FormSection, Question
from tests.portal.conftest import client_for, complete, start

pytestmark = pytest.mark.django_db


def _submitted(form, applicant) -> Application:
    application = start(applicant, form.call)
    complete(applicant, application, form)
    return services.application_submit(actor=applicant, application=application)


def test_status_page_shows_states_outcome_and_rank_once_published(form, applicant):
    application = _submitted(form, applicant)
    Application.objects.filter(pk=application.pk).update(
        state=ApplicationState.REJECTED,
        rank=7,
        score="55.500",
        decision_reason="Sotto la soglia",
        crowdfunding_referral=True,
    )
    url = reverse("selection:application", args=[application.pk])
    page = client_for(applicant).get(url).text
    assert "Submitted" in page and "Sotto la soglia" in page and "civic crowdfunding" in page
    assert "55.5" not in page  # no score before the ranking is published
    type(form.call).objects.filter(pk=form.call.pk).update(ranking_published_at=timezone.now())
    page = client_for(applicant).get(url).text
    assert "55.5" in page and "Rank: 7" in page
    assert "/my-path/" not in page
    Application.objects.filter(pk=application.pk).update(state=ApplicationState.ADMITTED)
    assert "/my-path/" in client_for(applicant).get(url).text


def _question_post(section, **extra) -> dict:
    return {
        "section": section.pk,
        "order": 5,
        "kind": "short_text",
        "label_it": "Sito web",
        "label_en": "Website",
        "help_it": "",
        "help_en": "",
        "required": "",
        "max_chars": "",
        "choices": "",
        "file_types": "[]",
        "max_file_mb": 5,
        **extra,
    }


def test_coordinator_builds_the_form_in_the_back_office(form, world, applicant, other):
    coordinator = client_for(world.coordinator)
    added = coordinator.post(reverse("admin:incubator_question_add"), _question_post(form.about))
    assert added.status_code == 302, added.content
    assert Question.objects.filter(section=form.about, label_it="Sito web").exists()
    refused = coordinator.post(
        reverse("admin:incubator_question_add"), _question_post(form.about, kind="choice", label_it="Senza opzioni")
    )
    assert refused.status_code == 200 and not Question.objects.filter(label_it="Senza opzioni").exists()
    # Another programme's coordinator cannot reach this call's questions.
    other_coordinator = client_for(other.coordinator)
    question = form.questions["summary"]
    assert other_coordinator.get(reverse("admin:incubator_question_change", args=[question.pk])).status_code == 404
    # Frozen at the first submission: read-only page, and a post changes nothing.
    _submitted(form, applicant)
    change = reverse("admin:incubator_question_change", args=[question.pk])
    coordinator.post(change, _question_post(form.about, label_it="Cambiata"))
    question.refresh_from_db()
    assert question.label_it == "summary it"
    section_change = reverse("admin:incubator_formsection_change", args=[form.about.pk])
    coordinator.post(section_change, {"call": form.call.pk, "title_it": "Nuovo", "title_en": "", "order": 1})
    assert FormSection.objects.get(pk=form.about.pk).title_it == "L'idea"
