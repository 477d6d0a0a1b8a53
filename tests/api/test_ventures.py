"""/api/v1/ventures/: ideas with their team (names and roles only) and legal-form history."""

import pytest

from incubator.models import AuditEvent, LegalFormChange, TeamMember, Venture
from tests import factories as f
from tests.api.helpers import ANONYMOUS, ROLES, client_for, ids, results, under_evaluation

pytestmark = pytest.mark.django_db

URL = "/api/v1/ventures/"


def url(venture, action: str = "") -> str:
    return f"{URL}{venture.pk}/" + (f"{action}/" if action else "")


@pytest.mark.parametrize("role", ROLES)
def test_list_by_role(role, world, other, admin_user):
    under_evaluation(world)
    response = client_for(role, world, admin_user).get(URL)
    if role == "anonymous":
        assert response.status_code in ANONYMOUS
        return
    expected = {
        "coordinator": {world.venture.pk},
        "evaluator": {world.venture.pk},  # the venture of an assigned application
        "participant": {world.venture.pk},
        "tutor": set(),
        "admin": {world.venture.pk, other.venture.pk},
    }[role]
    assert ids(response) == expected


@pytest.mark.parametrize("role", ["coordinator", "evaluator", "tutor", "participant"])
def test_other_programmes_venture_is_not_found(role, world, other):
    under_evaluation(other)
    client = client_for(role, world, None)
    assert client.get(url(other.venture)).status_code == 404
    body = {"legal_form": "association", "effective_on": "2026-06-01"}
    assert client.post(url(other.venture, "legal-form"), body, format="json").status_code == 404
    assert other.venture.legal_forms.count() == 1


def test_unassigned_evaluator_does_not_see_the_venture(world):
    assert client_for("evaluator", world, None).get(url(world.venture)).status_code == 404


def test_evaluator_sees_team_without_personal_data(world):
    under_evaluation(world)
    data = client_for("evaluator", world, None).get(url(world.venture)).json()
    person = world.participant_person
    assert data["team"] == [
        {"name": f"{person.first_name} {person.last_name}", "role": "lead", "joined_on": None, "left_on": None}
    ]
    assert person.tax_code not in str(data) and person.email not in str(data)


def test_representation(world):
    data = client_for("participant", world, None).get(url(world.venture)).json()
    assert data["legal_form"] == "informal_group"
    assert data["legal_forms"] == [
        {
            "id": world.venture.legal_forms.get().pk,
            "legal_form": "informal_group",
            "effective_on": "2025-01-01",
            "registration_number": "",
            "note": "",
        }
    ]
    assert data["themes"] == ["social_cohesion"]


def test_filters(world):
    second = f.VentureFactory(programme=world.programme, themes=["heritage", "new_poverty"], target_area="Scampia")
    client = client_for("coordinator", world, None)
    assert ids(client.get(URL, {"theme": "new_poverty"})) == {second.pk}
    assert ids(client.get(URL, {"target_area": "scampia"})) == {second.pk}
    assert ids(client.get(URL, {"programme": world.programme.pk})) == {world.venture.pk, second.pk}
    assert [r["id"] for r in results(client.get(URL, {"ordering": "-created_at"}))] == [second.pk, world.venture.pk]


def venture_body(programme, team, **changes):
    body = {
        "programme": programme.pk,
        "title": "Orti sociali a Scampia",
        "summary": "Urban gardens run by long-term unemployed residents.",
        "social_need": "Social isolation",
        "themes": ["circular_economy", "social_cohesion"],
        "target_area": "Municipalità 8",
        "applicant_kind": "individual",
        "team": team,
        "legal_form": "informal_group",
        "legal_form_since": "2026-01-15",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def test_participant_registers_own_idea(world):
    team = [{"person": world.participant_person.pk, "role": "lead"}]
    response = client_for("participant", world, None).post(URL, venture_body(world.programme, team), format="json")
    assert response.status_code == 201, response.content
    venture = Venture.objects.get(pk=response.json()["id"])
    assert list(venture.team.values_list("person", "role")) == [(world.participant_person.pk, "lead")]
    assert venture.legal_forms.get().effective_on.isoformat() == "2026-01-15"
    assert response.json()["legal_form"] == "informal_group"
    assert AuditEvent.objects.filter(verb="venture.create", target_id=venture.pk).exists()


def test_coordinator_creates_venture_with_team(world):
    people = [f.PersonFactory(programme=world.programme) for _ in range(2)]
    team = [{"person": people[0].pk, "role": "lead"}, {"person": people[1].pk}]
    response = client_for("coordinator", world, None).post(URL, venture_body(world.programme, team), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert [(m["person"], m["role"]) for m in data["team"]] == [(people[0].pk, "lead"), (people[1].pk, "member")]


@pytest.mark.parametrize(
    ("make_body", "field"),
    [
        (lambda w, o: venture_body(w.programme, []), "team"),  # the participant must be in the team
        (lambda w, o: venture_body(w.programme, [{"person": o.participant_person.pk}]), "team"),
        (lambda w, o: venture_body(w.programme, [{"person": 999999}]), "team"),
        (lambda w, o: venture_body(w.programme, [{"person": w.participant_person.pk, "role": "boss"}]), "team"),
        (lambda w, o: venture_body(w.programme, "me"), "team"),
        (lambda w, o: venture_body(o.programme, [{"person": w.participant_person.pk}]), "programme"),
        (lambda w, o: venture_body(w.programme, [{"person": w.participant_person.pk}], title=None), "title"),
        (lambda w, o: venture_body(w.programme, [{"person": w.participant_person.pk}], themes=["x"]), "themes"),
        (
            lambda w, o: venture_body(w.programme, [{"person": w.participant_person.pk}], applicant_kind="corp"),
            "applicant_kind",
        ),
        (
            lambda w, o: venture_body(w.programme, [{"person": w.participant_person.pk}], legal_form_since="ieri"),
            "legal_form_since",
        ),
        (
            lambda w, o: venture_body(
                w.programme, [{"person": w.participant_person.pk}, {"person": w.participant_person.pk}]
            ),
            "team",
        ),
    ],
)
def test_bad_venture_is_refused(make_body, field, world, other):
    before = (Venture.objects.count(), TeamMember.objects.count(), LegalFormChange.objects.count())
    response = client_for("participant", world, None).post(URL, make_body(world, other), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert (Venture.objects.count(), TeamMember.objects.count(), LegalFormChange.objects.count()) == before


@pytest.mark.parametrize(("role", "expected"), [("tutor", 403), ("evaluator", 403), ("anonymous", ANONYMOUS)])
def test_roles_that_cannot_register_ideas(role, expected, world, admin_user):
    # The team is left empty: tutors and evaluators cannot see any person.
    response = client_for(role, world, admin_user).post(URL, venture_body(world.programme, []), format="json")
    assert response.status_code in (expected if isinstance(expected, tuple) else (expected,))
    assert Venture.objects.count() == 1


def test_legal_form_change(world):
    client = client_for("coordinator", world, None)
    body = {"legal_form": "social_cooperative", "effective_on": "2026-05-01", "registration_number": "IT0123"}
    response = client.post(url(world.venture, "legal-form"), body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["legal_form"] == "social_cooperative"
    assert [f["legal_form"] for f in response.json()["legal_forms"]] == ["informal_group", "social_cooperative"]
    response = client.post(
        url(world.venture, "legal-form"), {"legal_form": "company", "effective_on": "2026-04-01"}, format="json"
    )
    assert response.status_code == 400
    assert "effective_on" in response.json()
    for bad, field in (({"legal_form": "llc", "effective_on": "2027-01-01"}, "legal_form"), ({}, "effective_on")):
        response = client.post(url(world.venture, "legal-form"), bad, format="json")
        assert response.status_code == 400
        assert field in response.json()
    assert world.venture.legal_forms.count() == 2


@pytest.mark.parametrize(("role", "expected"), [("participant", 403), ("evaluator", 403), ("tutor", 404)])
def test_only_coordinators_change_legal_form(role, expected, world):
    under_evaluation(world)
    body = {"legal_form": "association", "effective_on": "2026-06-01"}
    assert client_for(role, world, None).post(url(world.venture, "legal-form"), body, format="json").status_code == (
        expected
    )
    assert world.venture.legal_forms.count() == 1
