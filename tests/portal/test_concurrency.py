"""Submissions at the same moment (PostgreSQL: real row locks between connections):
20 applicants to one call get 20 distinct consecutive protocol numbers; two tabs
submitting one application give one submission."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from incubator.selection import services
from incubator.selection.models import Application, ApplicationState, ProtocolCounter, SubmissionSnapshot
from tests import factories as f
from tests.portal.conftest import build_form, complete, start

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")


def _race(calls) -> tuple[list, list]:
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except ValidationError as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_twenty_applicants_at_once_get_twenty_consecutive_numbers(world):
    form = build_form(world.call)
    drafts = []
    for n in range(20):
        user = f.UserFactory(username=f"racer{n}")
        application = start(user, form.call, title=f"Idea {n}")
        complete(user, application, form)
        drafts.append((user, application))

    results, errors = _race([lambda u=u, a=a: services.application_submit(actor=u, application=a) for u, a in drafts])
    assert errors == []
    numbers = sorted(
        Application.objects.filter(call=form.call)
        .exclude(protocol_number=None)
        .values_list("protocol_number", flat=True)
    )
    assert numbers == list(range(1, 21))
    assert ProtocolCounter.objects.get(call=form.call).last_number == 20
    assert SubmissionSnapshot.objects.filter(application__call=form.call).count() == 20


def test_two_tabs_submitting_give_one_submission(world):
    form = build_form(world.call)
    user = f.UserFactory(username="twotabs")
    application = start(user, form.call)
    complete(user, application, form)
    results, errors = _race([lambda: services.application_submit(actor=user, application=application)] * 2)
    assert len(errors) == 1 and errors[0].code == "transition_not_allowed"
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED and application.protocol_number == 1
    assert SubmissionSnapshot.objects.filter(application=application).count() == 1
    assert ProtocolCounter.objects.get(call=form.call).last_number == 1
