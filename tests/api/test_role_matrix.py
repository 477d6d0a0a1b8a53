"""Every write of the selection API against every role of the programme: the expected
status, and the audit trail as the witness that a refusal wrote nothing (every service
records an event) while an allowed act did.

404: the role cannot see the record. 403: it can see the record but the act is not
its own. 400: the role cannot name a related record in the body (out of its reach, so
"does not exist"). Another programme's records answer 404 in the per-endpoint tests."""

import datetime as dt

import pytest
from django.utils import timezone

from incubator.models import AuditEvent
from incubator.selection import services
from tests import factories as f
from tests.api.helpers import ANONYMOUS, ROLES, client_for, enrolled, ranked, scores_for, under_evaluation

pytestmark = pytest.mark.django_db


def submitted(world):
    services.application_submit(actor=world.participant, application=world.application)


def eligible(world):
    submitted(world)
    services.application_check(actor=world.coordinator, application=world.application, answers=[], eligible=True)


def rejected(world):
    application = ranked(world)
    services.application_decide(actor=world.coordinator, application=application, decision="reject", reason="Low")


def closed_and_evaluated(world):
    under_evaluation(world)
    (evaluation,) = world.application.evaluations.all()
    services.evaluation_submit_scores(
        actor=world.evaluator,
        evaluation=evaluation,
        scores={int(k): v for k, v in scores_for(world.call, 8, 15).items()},
    )
    world.call.pass_threshold = 20
    world.call.closes_at = timezone.now() - dt.timedelta(minutes=1)
    world.call.save()


def app_url(world, action):
    return f"/api/v1/applications/{world.application.pk}/{action}/"


def evaluation_url(world, action):
    return f"/api/v1/evaluations/{world.application.evaluations.get().pk}/{action}/"


def enrolment_url(world, action):
    return f"/api/v1/enrolments/{world.application.enrolment.pk}/{action}/"


# (name, prepare, method, url, body, expected per role: coordinator, evaluator, tutor, participant, admin)
CASES = [
    (
        "application submit",
        lambda w: None,
        "post",
        lambda w: app_url(w, "submit"),
        lambda w: {},
        (200, 404, 404, 200, 200),
    ),
    (
        "application check",
        submitted,
        "post",
        lambda w: app_url(w, "check"),
        lambda w: {"answers": [], "eligible": True},
        (200, 404, 404, 403, 200),
    ),
    (
        "assign evaluator",
        eligible,
        "post",
        lambda w: app_url(w, "assign-evaluator"),
        lambda w: {"evaluator": w.evaluator2.pk},
        (201, 404, 404, 400, 201),
    ),
    (
        "application decide",
        ranked,
        "post",
        lambda w: app_url(w, "decide"),
        lambda w: {"decision": "admit"},
        (200, 403, 404, 403, 200),
    ),
    (
        "application withdraw",
        under_evaluation,
        "post",
        lambda w: app_url(w, "withdraw"),
        lambda w: {"reason": "Changed plans"},
        (200, 403, 404, 200, 200),
    ),
    (
        "refer to crowdfunding",
        rejected,
        "post",
        lambda w: app_url(w, "refer-to-crowdfunding"),
        lambda w: {},
        (200, 403, 404, 403, 200),
    ),
    (
        "evaluation score",
        under_evaluation,
        "post",
        lambda w: evaluation_url(w, "score"),
        lambda w: {"scores": scores_for(w.call, 8, 15)},
        (403, 200, 404, 404, 403),
    ),
    (
        "evaluation declare conflict",
        under_evaluation,
        "post",
        lambda w: evaluation_url(w, "declare-conflict"),
        lambda w: {"note": "Former colleague of the lead"},
        (403, 200, 404, 404, 403),
    ),
    (
        "ranking compute",
        closed_and_evaluated,
        "post",
        lambda w: f"/api/v1/calls/{w.call.pk}/ranking/compute/",
        lambda w: {},
        (200, 403, 403, 403, 200),
    ),
    (
        "ranking decide",
        ranked,
        "post",
        lambda w: f"/api/v1/calls/{w.call.pk}/decide/",
        lambda w: {},
        (200, 403, 403, 403, 200),
    ),
    (
        "venture legal form",
        lambda w: None,
        "post",
        lambda w: f"/api/v1/ventures/{w.venture.pk}/legal-form/",
        lambda w: {"legal_form": "association", "effective_on": "2026-06-01"},
        (200, 404, 404, 403, 200),
    ),
    (
        "person update",
        lambda w: None,
        "patch",
        lambda w: f"/api/v1/people/{w.participant_person.pk}/",
        lambda w: {"phone": "+39 081 1234567"},
        (200, 404, 404, 403, 200),
    ),
    (
        "enrolment dates",
        enrolled,
        "post",
        lambda w: enrolment_url(w, "dates"),
        lambda w: {"ends_on": "2028-12-31"},
        (200, 404, 404, 403, 200),
    ),
    (
        "enrolment status",
        enrolled,
        "post",
        lambda w: enrolment_url(w, "status"),
        lambda w: {"status": "suspended", "reason": "Maternity leave"},
        (200, 404, 404, 403, 200),
    ),
    (
        "programme create",
        lambda w: None,
        "post",
        lambda w: "/api/v1/programmes/",
        lambda w: {
            "name": "WECARE",
            "code": "WECARE-1",
            "fund": "FSE",
            "budget": "100000",
            "starts_on": "2026-01-01",
            "ends_on": "2027-12-31",
        },
        (403, 403, 403, 403, 201),
    ),
    (
        "call create",
        lambda w: None,
        "post",
        lambda w: "/api/v1/calls/",
        lambda w: {
            "programme": w.programme.pk,
            "title": "Second call",
            "opens_at": "2026-06-01T09:00:00+02:00",
            "closes_at": "2026-07-01T12:00:00+02:00",
            "places": 5,
            "pass_threshold": "60",
            "criteria": [{"name": "Impact", "weight": "1", "max_score": "10"}],
        },
        (201, 403, 403, 403, 201),
    ),
    (
        "application create",
        lambda w: setattr(w, "second_call", f.CallFactory(programme=w.programme)),
        "post",
        lambda w: "/api/v1/applications/",
        lambda w: {"call": w.second_call.pk, "venture": w.venture.pk},
        (201, 400, 400, 201, 201),
    ),
    (
        "venture create",
        lambda w: None,
        "post",
        lambda w: "/api/v1/ventures/",
        lambda w: {
            "programme": w.programme.pk,
            "title": "Second idea",
            "team": [{"person": w.participant_person.pk, "role": "lead"}],
        },
        (201, 400, 400, 201, 201),
    ),
    (
        "person create",
        lambda w: None,
        "post",
        lambda w: "/api/v1/people/",
        lambda w: {
            "programme": w.programme.pk,
            "first_name": "Anna",
            "last_name": "Esposito",
            "tax_code": f.tax_code(5151),
        },
        (201, 403, 403, 403, 201),
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("prepare", "method", "make_url", "make_body", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_write_by_role(prepare, method, make_url, make_body, expected, role, world, admin_user):
    prepare(world)
    url, body = make_url(world), make_body(world)
    events = AuditEvent.objects.count()
    response = getattr(client_for(role, world, admin_user), method)(url, body, format="json")
    if role == "anonymous":
        assert response.status_code in ANONYMOUS
        assert AuditEvent.objects.count() == events
        return
    status = dict(zip(("coordinator", "evaluator", "tutor", "participant", "admin"), expected, strict=True))[role]
    assert response.status_code == status, response.content
    if status < 300:
        assert AuditEvent.objects.count() > events
    else:
        assert AuditEvent.objects.count() == events
