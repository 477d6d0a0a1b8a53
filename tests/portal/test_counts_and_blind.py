"""Query budgets of the portal's list pages (the same for 1 and 50 rows) and the blind
review rule: evaluators never see the answers flagged as identifying."""

import pytest
from django.urls import reverse

from incubator import access
from incubator.selection import services
from incubator.selection.models import Answer, Evaluation
from tests import factories as f
from tests.portal.conftest import client_for, complete, start

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rows", [1, 50])
def test_public_calls_page_query_count(world, django_assert_num_queries, rows):
    for _ in range(rows - 1):
        f.CallFactory(programme=world.programme)
    browser = client_for()
    # calls with their programme, their documents; then served from the cache
    with django_assert_num_queries(2):
        response = browser.get(reverse("selection:calls"))
    assert response.text.count('class="card mb-3"') == rows
    with django_assert_num_queries(0):
        browser.get(reverse("selection:calls"))


@pytest.mark.parametrize("rows", [1, 50])
def test_office_submissions_page_query_count(form, world, django_assert_num_queries, rows):
    for n in range(rows):
        user = f.UserFactory(username=f"count{n}")
        application = start(user, form.call, title=f"Idea {n}")
        complete(user, application, form)
        services.application_submit(actor=user, application=application)
    browser = client_for(world.coordinator)
    access.forget(world.coordinator)
    # session, user, roles, the call, the applications with their open requests
    with django_assert_num_queries(5):
        response = browser.get(reverse("selection:office-submissions", args=[form.call.pk]))
    assert response.text.count("/office/applications/") == rows


def test_evaluators_do_not_see_identifying_answers(form, world, applicant):
    application = start(applicant, form.call)
    complete(applicant, application, form)
    services.application_submit(actor=applicant, application=application)
    Evaluation.objects.create(application=application, evaluator=world.evaluator)
    seen = set(
        access.visible(world.evaluator, Answer).filter(application=application).values_list("question_id", flat=True)
    )
    assert form.questions["summary"].pk in seen
    assert form.questions["name"].pk not in seen  # identifying
    assert not access.visible(world.tutor, Answer).filter(application=application).exists()
    assert access.visible(world.coordinator, Answer).filter(application=application).count() == 5
