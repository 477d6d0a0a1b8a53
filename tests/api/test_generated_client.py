"""A client generated from the schema by an independent generator (openapi-python-client)
must import and work: every generated module imports, the selection flow runs through it
against a live server (call, applications, scores, ranking, decision), and a participant's
``me/path`` and lists parse into the generated models. A schema that lies (a field marked
required that a role does not receive, a null where it promises a value, a page where a
list is served) makes the generated parsers raise here."""

import datetime as dt
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from incubator.selection.models import Application, ApplicationState
from tests import factories as f

PACKAGE = "incubator_api_client"
ROME = ZoneInfo("Europe/Rome")
OPENS = dt.datetime(2026, 2, 1, 9, 0, tzinfo=ROME)
CLOSES = dt.datetime(2026, 3, 31, 12, 0, tzinfo=ROME)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> str:
    """The client generated from ``/api/schema/`` into a temporary folder, importable as
    ``incubator_api_client``."""
    folder = tmp_path_factory.mktemp("client")
    schema = folder / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(schema))
    generator = Path(sys.executable).parent / "openapi-python-client"
    run = subprocess.run(
        [str(generator), "generate", "--path", str(schema), "--output-path", str(folder / PACKAGE), "--meta", "none"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    sys.path.insert(0, str(folder))
    yield PACKAGE
    sys.path.remove(str(folder))
    for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]


def test_every_generated_module_imports(generated):
    package = importlib.import_module(generated)
    failures, count = {}, 0
    for module in pkgutil.walk_packages(package.__path__, f"{generated}."):
        count += 1
        try:
            importlib.import_module(module.name)
        except Exception as error:  # noqa: BLE001 - every failure is reported at once
            failures[module.name] = repr(error)
    assert failures == {}
    # One module per operation and per model: a generator that dropped most of the
    # schema would pass the loop above trivially.
    assert count > 300


# --- against a live server ------------------------------------------------------------------


def op(name: str):
    return importlib.import_module(f"{PACKAGE}.api.v1.{name}")


def model(name: str, data: dict):
    return getattr(importlib.import_module(f"{PACKAGE}.models"), name).from_dict(data)


def ok(response, status: int = 200):
    assert response.status_code == status, response.content
    assert response.parsed is not None
    return response.parsed


def client_for(live_server, user):
    client_module = importlib.import_module(f"{PACKAGE}.client")
    token = Token.objects.get_or_create(user=user)[0].key
    return client_module.AuthenticatedClient(base_url=live_server.url, token=token, prefix="Token", timeout=60)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.django_db(transaction=True)
def test_selection_flow_through_the_generated_client(generated, live_server, world):
    coordinator = client_for(live_server, world.coordinator)
    evaluator = client_for(live_server, world.evaluator)

    with time_machine.travel(OPENS - dt.timedelta(days=10)):
        call = ok(
            op("v1_calls_create").sync_detailed(
                client=coordinator,
                body=model(
                    "CallRequest",
                    {
                        "programme": world.programme.pk,
                        "title": "INNESCO - idee di innovazione sociale",
                        "opens_at": OPENS.isoformat(),
                        "closes_at": CLOSES.isoformat(),
                        "places": 1,
                        "pass_threshold": "20",
                        "criteria": [
                            {"name": "Social impact", "weight": "2", "max_score": "10"},
                            {"name": "Feasibility", "weight": "1", "max_score": "20"},
                        ],
                    },
                ),
            ),
            201,
        )
        criteria = [criterion.id for criterion in call.criteria]
        applications = {}
        for n, title in enumerate(("Orti sociali", "Ciclofficina")):
            # The world's participant leads the first idea: their path is read below.
            lead = (
                world.participant_person.pk
                if n == 0
                else ok(
                    op("v1_people_create").sync_detailed(
                        client=coordinator,
                        body=model(
                            "PersonRequest",
                            {
                                "programme": world.programme.pk,
                                "first_name": "Lead",
                                "last_name": title,
                                "tax_code": f.tax_code(7100 + n),
                            },
                        ),
                    ),
                    201,
                ).id
            )
            venture = ok(
                op("v1_ventures_create").sync_detailed(
                    client=coordinator,
                    body=model(
                        "VentureCreateRequest",
                        {"programme": world.programme.pk, "title": title, "team": [{"person": lead, "role": "lead"}]},
                    ),
                ),
                201,
            )
            applications[title] = ok(
                op("v1_applications_create").sync_detailed(
                    client=coordinator,
                    body=model("ApplicationCreateRequest", {"call": call.id, "venture": venture.id}),
                ),
                201,
            ).id

    with time_machine.travel(OPENS + dt.timedelta(days=1)):
        for pk in applications.values():
            assert ok(op("v1_applications_submit_create").sync_detailed(pk, client=coordinator)).state == "submitted"

    with time_machine.travel(OPENS + dt.timedelta(days=5)):
        for pk in applications.values():
            checked = op("v1_applications_check_create").sync_detailed(
                pk, client=coordinator, body=model("ApplicationCheckRequest", {"answers": [], "eligible": True})
            )
            assert ok(checked).state == "eligible"
            ok(
                op("v1_applications_assign_evaluator_create").sync_detailed(
                    pk, client=coordinator, body=model("AssignEvaluatorRequest", {"evaluator": world.evaluator.pk})
                ),
                201,
            )
        own = ok(op("v1_evaluations_list").sync_detailed(client=evaluator, call=call.id)).results
        assert {evaluation.application for evaluation in own} == set(applications.values())
        scores = {applications["Orti sociali"]: (8, 15), applications["Ciclofficina"]: (5, 5)}
        for evaluation in own:
            impact, feasibility = scores[evaluation.application]
            scored = op("v1_evaluations_score_create").sync_detailed(
                evaluation.id,
                client=evaluator,
                body=model(
                    "ScoreInputRequest",
                    {"scores": {str(criteria[0]): impact, str(criteria[1]): feasibility}, "comment": "ok"},
                ),
            )
            assert ok(scored).weighted_total == f"{2 * impact + feasibility:.3f}"

    with time_machine.travel(CLOSES + dt.timedelta(days=1)):
        ranking = ok(op("v1_calls_ranking_compute_create").sync_detailed(call.id, client=coordinator))
        assert [(row.venture_title, row.rank) for row in ranking] == [("Orti sociali", 1), ("Ciclofficina", 2)]
        listed = ok(op("v1_calls_ranking_list").sync_detailed(call.id, client=coordinator))
        assert [row.rank for row in listed] == [1, 2]
        outcome = op("v1_calls_decide_create").sync_detailed(
            call.id, client=coordinator, body=model("CallDecideRequest", {"starts_on": "2026-05-04"})
        )
        assert ok(outcome).to_dict() == {"admitted": 1, "waitlisted": 0, "rejected": 1}

        participant = client_for(live_server, world.participant)
        path = ok(op("v1_me_path_retrieve").sync_detailed(client=participant))
        (admitted,) = [v for v in path.ventures if v.venture.title == "Orti sociali"]
        assert admitted.window.starts_on == dt.date(2026, 5, 4)
        assert len(admitted.milestones) >= 0
        # The participant's own lists parse too (no team member's person id, no notes).
        ventures = ok(op("v1_ventures_list").sync_detailed(client=participant)).results
        assert "Orti sociali" in {venture.title for venture in ventures}
        own_applications = ok(op("v1_applications_list").sync_detailed(client=participant)).results
        assert applications["Orti sociali"] in {application.id for application in own_applications}

    states = dict(Application.objects.filter(call_id=call.id).values_list("venture__title", "state"))
    assert states == {"Orti sociali": ApplicationState.ADMITTED, "Ciclofficina": ApplicationState.REJECTED}
