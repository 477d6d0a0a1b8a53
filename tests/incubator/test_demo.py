"""``seed_demo`` and the selection demo step: the figures, the ranking, the personas,
determinism and re-runs; and the tax code generator the demo people are made with."""

import datetime as dt
import io
import random
from collections import Counter
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import TestCase, override_settings
from django.utils import timezone

from incubator.dates import add_months
from incubator.demo_context import DEMO_PASSWORD, PERSONAS, DemoContext
from incubator.management.commands import seed_demo
from incubator.models import (
    AuditEvent,
    LegalFormChange,
    Person,
    Programme,
    Role,
    RoleAssignment,
    TeamMember,
    Theme,
    User,
    Venture,
    validate_tax_code,
)
from incubator.path.models import Enrolment, EnrolmentStatus
from incubator.selection import demo
from incubator.selection.models import Application, Call, ChecklistAnswer, ChecklistItem, Evaluation, Score
from incubator.selection.models import ApplicationState as S
from incubator.taxcode import check_character, make_tax_code

pytestmark = pytest.mark.django_db


def _seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def _ranking() -> list[tuple[str, str, Decimal, int]]:
    return list(
        Application.objects.filter(rank__isnull=False)
        .order_by("rank")
        .values_list("venture__title", "state", "score", "rank")
    )


class SeededDemoTests(TestCase):
    """One ``seed_demo`` run (the test profile: no demo passwords) checked from every side."""

    @classmethod
    def setUpTestData(cls):
        cls.output = _seed(seed=2026)
        # The selection step's call (the portal step adds two calls open now, opened later;
        # the evaluation step adds a blind call).
        cls.call = (
            Call.objects.filter(programme__code=demo.PROGRAMME_CODE, blind_review=False).order_by("opens_at").first()
        )

    def test_programme_and_call_follow_the_innesco_seed(self):
        programme = self.call.programme
        assert (programme.action, programme.fund, programme.managing_body) == ("3.3.1", "FESR", "Comune di Napoli")
        assert programme.budget == Decimal("2668337.00")
        assert programme.target_areas == ["Municipalità 1", "Municipalità 4", "Municipalità 6"]
        now = timezone.now()
        assert self.call.opens_at < self.call.closes_at < now, "the call was opened and closed in the past"
        assert programme.starts_on <= timezone.localdate() <= programme.ends_on
        assert (self.call.grant_min, self.call.grant_max, self.call.max_months) == (
            Decimal("25000"),
            Decimal("140000"),
            36,
        )
        criteria = list(self.call.criteria.all())
        assert len(criteria) >= 3
        assert sum(c.weight * c.max_score for c in criteria) == Decimal(100)
        questions = " | ".join(self.call.checklist.values_list("question", flat=True)).lower()
        assert "sostenibilità finanziaria" in questions and "esperienza pregressa" in questions
        assert set(self.call.checklist.values_list("kind", flat=True)) == {
            ChecklistItem.Kind.ELIGIBILITY,
            ChecklistItem.Kind.PREFEASIBILITY,
        }

    def test_applications_cover_themes_areas_and_every_outcome(self):
        applications = list(self.call.applications.select_related("venture"))
        assert 35 <= len(applications) <= 45
        assert {a.venture.themes[0] for a in applications} == set(Theme.values)
        assert {a.venture.target_area for a in applications} == set(self.call.programme.target_areas)
        states = Counter(a.state for a in applications)
        assert states[S.ADMITTED] == self.call.places == 12
        assert states[S.WAITLISTED] >= 1 and states[S.REJECTED] >= 1
        assert states[S.INELIGIBLE] >= 2 and states[S.WITHDRAWN] == 1
        assert set(states) == {S.ADMITTED, S.WAITLISTED, S.REJECTED, S.INELIGIBLE, S.WITHDRAWN}
        assert all(a.submitted_at and self.call.opens_at <= a.submitted_at < self.call.closes_at for a in applications)
        # Every application went through the whole checklist; ineligible ones failed an item, with a reason.
        items = self.call.checklist.count()
        answers = dict(
            ChecklistAnswer.objects.filter(application__call=self.call)
            .values("application")
            .annotate(n=Count("pk"))
            .values_list("application", "n")
        )
        assert all(answers[a.pk] == items for a in applications)
        for application in (a for a in applications if a.state == S.INELIGIBLE):
            assert application.checklist_answers.filter(answer=False).exclude(note="").exists()
            assert AuditEvent.objects.filter(verb="application.ineligible", target_id=application.pk).exclude(reason="")

    def test_evaluations_have_one_declared_conflict_and_full_scores(self):
        evaluated = self.call.applications.filter(state__in=[S.ADMITTED, S.WAITLISTED, S.REJECTED])
        criteria = self.call.criteria.count()
        for application in evaluated:
            scored = application.evaluations.filter(submitted_at__isnull=False)
            assert scored.count() == 2
            for evaluation in scored:
                assert evaluation.scores.count() == criteria
                total = sum(s.value * s.criterion.weight for s in evaluation.scores.select_related("criterion"))
                assert evaluation.weighted_total == total
        conflicts = Evaluation.objects.filter(application__call=self.call, conflict_declared=True)
        assert conflicts.count() == 1
        conflict = conflicts.get()
        assert conflict.conflict_note and conflict.submitted_at is None
        assert not Score.objects.filter(evaluation=conflict).exists()
        assert conflict.application.evaluations.exclude(evaluator=conflict.evaluator).count() == 2

    def test_ranking_follows_scores_and_the_tie_break_and_decisions_follow_the_ranking(self):
        ranked = list(self.call.applications.filter(rank__isnull=False).order_by("rank"))
        assert [a.rank for a in ranked] == list(range(1, len(ranked) + 1))
        for application in ranked:
            totals = [e.weighted_total for e in application.evaluations.filter(submitted_at__isnull=False)]
            assert application.score == (sum(totals) / len(totals)).quantize(Decimal("0.001"))
        expected = sorted(ranked, key=lambda a: (-a.score, a.submitted_at, a.pk))
        assert [a.pk for a in ranked] == [a.pk for a in expected]
        ties = [(a, b) for a, b in zip(ranked, ranked[1:], strict=False) if a.score == b.score]
        assert ties, "the demo shows at least one tie settled by the earlier submission"
        assert all(a.submitted_at < b.submitted_at for a, b in ties)
        above = [a for a in ranked if a.score >= self.call.pass_threshold]
        assert [a.state for a in above[: self.call.places]] == [S.ADMITTED] * self.call.places
        assert {a.state for a in above[self.call.places :]} == {S.WAITLISTED}
        assert {a.state for a in ranked if a.score < self.call.pass_threshold} == {S.REJECTED}
        referred = self.call.applications.filter(crowdfunding_referral=True)
        assert referred.exists()
        assert set(referred.values_list("state", flat=True)) <= {S.REJECTED, S.WAITLISTED}

    def test_admitted_ventures_are_enrolled_for_36_months(self):
        enrolments = list(Enrolment.objects.filter(application__call=self.call))
        assert len(enrolments) == 12
        today = timezone.localdate()
        for enrolment in enrolments:
            assert enrolment.application.state == S.ADMITTED
            assert enrolment.status == EnrolmentStatus.ACTIVE
            assert enrolment.starts_on < today and enrolment.starts_on > self.call.closes_at.date()
            assert enrolment.ends_on == add_months(enrolment.starts_on, 36)

    def test_people_have_valid_distinct_tax_codes_and_ventures_have_teams_and_legal_history(self):
        people = list(Person.objects.filter(programme=self.call.programme))
        codes = [p.tax_code for p in people]
        assert len(set(codes)) == len(codes) >= 80
        for code in codes:
            validate_tax_code(code)
        for venture in Venture.objects.filter(applications__call=self.call):  # the portal step's teams are smaller
            roles = list(venture.team.values_list("role", flat=True))
            assert roles.count(TeamMember.TeamRole.LEAD) == 1 and len(roles) >= 2
        changed = (
            LegalFormChange.objects.filter(venture__programme=self.call.programme)
            .values("venture")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
        )
        assert changed.count() >= 3

    def test_personas_and_their_roles(self):
        users = {u.username: u for u in User.objects.filter(username__in=PERSONAS)}
        assert set(users) == set(PERSONAS)
        assert users["admin"].is_superuser and users["coordinator"].is_staff
        assert not any(users[name].is_staff for name in PERSONAS if name not in ("admin", "coordinator"))
        # Later steps may add their own "demo-" users; the personas' roles are fixed.
        roles = set(
            RoleAssignment.objects.filter(programme=self.call.programme, user__username__in=PERSONAS).values_list(
                "user__username", "role"
            )
        )
        assert roles == {
            ("coordinator", Role.COORDINATOR),
            ("evaluator", Role.EVALUATOR),
            ("evaluator2", Role.EVALUATOR),
            ("evaluator3", Role.EVALUATOR),
            ("tutor", Role.TUTOR),
            ("tutor2", Role.TUTOR),
            ("trainer", Role.TUTOR),
            ("participant", Role.PARTICIPANT),
            ("participant2", Role.PARTICIPANT),
        }
        # The test profile does not allow demo passwords.
        assert not any(u.has_usable_password() for u in users.values())

        lead = TeamMember.objects.get(person__user=users["participant"], role=TeamMember.TeamRole.LEAD)
        admitted = lead.venture.applications.get(call=self.call)
        assert admitted.state == S.ADMITTED and admitted.enrolment.status == EnrolmentStatus.ACTIVE
        lead2 = TeamMember.objects.get(person__user=users["participant2"], role=TeamMember.TeamRole.LEAD)
        rejected = lead2.venture.applications.get(call=self.call)
        assert rejected.state == S.REJECTED and rejected.crowdfunding_referral

    def test_every_write_went_through_the_audited_services(self):
        applications = self.call.applications.all()
        submitted = set(AuditEvent.objects.filter(verb="application.submitted").values_list("target_id", flat=True))
        assert set(applications.values_list("pk", flat=True)) <= submitted
        admitted = set(applications.filter(state=S.ADMITTED).values_list("pk", flat=True))
        assert admitted == set(
            AuditEvent.objects.filter(verb="application.admitted", programme_id=self.call.programme_id)
            .filter(target_id__in=list(applications.values_list("pk", flat=True)))
            .values_list("target_id", flat=True)
        )
        assert AuditEvent.objects.filter(verb="call.ranking", target_id=self.call.pk).count() == 1
        assert AuditEvent.objects.filter(verb="evaluation.recuse").count() == 1

    def test_the_command_says_the_personas_have_no_password_here(self):
        assert "unusable passwords" in self.output
        assert all(name in self.output for name in PERSONAS)
        assert "40 applications, 12 enrolments" in self.output


@override_settings(DEMO_PASSWORDS_ALLOWED=True)
def test_demo_passwords_only_where_the_profile_allows_them(db):
    ctx = DemoContext(rng=random.Random(1), today=timezone.localdate())
    demo.create_personas(ctx)
    assert ctx.extra["demo_passwords"] is True
    for user in User.objects.filter(username__in=PERSONAS):
        assert user.check_password(DEMO_PASSWORD)


def test_twice_is_a_no_op_and_reset_rebuilds_the_same_data(db, monkeypatch):
    """Determinism (same seed, same ranking), idempotence, and a reset that leaves other
    programmes alone; the context the steps share is checked on the way."""
    other = Programme.objects.create(
        name="Other", code="OTHER-1", fund="FSE", budget=1, starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2026, 1, 1)
    )
    contexts: list[DemoContext] = []
    steps = seed_demo.collect_steps()
    monkeypatch.setattr(seed_demo, "collect_steps", lambda: [*steps, (999, "test", contexts.append)])

    _seed(seed=7)
    ctx = contexts[-1]
    assert ctx.programme.code == demo.PROGRAMME_CODE and ctx.call.programme == ctx.programme
    assert len(ctx.enrolments) == 12 and {e.application.state for e in ctx.enrolments} == {S.ADMITTED}
    assert set(ctx.users) >= set(PERSONAS)
    first = _ranking()
    counts = (Application.objects.count(), Person.objects.count(), User.objects.count(), AuditEvent.objects.count())

    output = _seed(seed=7)
    assert "already present" in output and len(contexts) == 1
    assert counts == (
        Application.objects.count(),
        Person.objects.count(),
        User.objects.count(),
        AuditEvent.objects.count(),
    )

    output = _seed(seed=7, reset=True)
    assert "Removed the previous demo data" in output
    assert _ranking() == first
    assert not Programme.objects.filter(pk=ctx.programme.pk).exists()
    assert Programme.objects.filter(code=demo.PROGRAMME_CODE).count() == 1
    assert Programme.objects.filter(pk=other.pk).exists()
    assert User.objects.count() == counts[2]


def test_steps_are_collected_from_every_app_in_order():
    steps = seed_demo.collect_steps()
    assert (10, "incubator.selection.demo", demo.build_selection) in steps
    assert [order for order, _label, _fn in steps] == sorted(order for order, _label, _fn in steps)


def test_an_apps_feature_demo_modules_are_collected_too(tmp_path, monkeypatch):
    package = tmp_path / "fakeapp"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "demo.py").write_text("def a(ctx): pass\nDEMO_STEPS = [(30, a)]\n")
    (package / "demo_feature.py").write_text("def b(ctx): pass\nDEMO_STEPS = [(15, b)]\n")
    (package / "demo_helpers.py").write_text("X = 1\n")
    (package / "models.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    config = SimpleNamespace(name="fakeapp", path=str(package))
    monkeypatch.setattr(seed_demo.apps, "get_app_configs", lambda: [config])
    steps = seed_demo.collect_steps()
    assert [(order, module, fn.__name__) for order, module, fn in steps] == [
        (15, "fakeapp.demo_feature", "b"),
        (30, "fakeapp.demo", "a"),
    ]


def test_seed_scale_and_today_reach_the_context(db, monkeypatch):
    seen = {}

    def record(ctx: DemoContext) -> None:
        seen.update(scale=ctx.scale, draw=ctx.rng.random(), today=ctx.today)

    monkeypatch.setattr(seed_demo, "collect_steps", lambda: [(99, "test", record)])
    _seed(seed=5, scale=3)
    assert seen == {"scale": 3, "draw": random.Random(5).random(), "today": timezone.localdate()}
    with pytest.raises(CommandError):
        _seed(scale=-1)


# --- tax codes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("surname", "name", "born", "sex", "place", "code"),
    [
        ("Rossi", "Mario", dt.date(1980, 1, 1), "M", "H501", "RSSMRA80A01H501U"),
        # Four or more consonants in the name: 1st, 3rd and 4th.
        ("Esposito", "Gianfranco", dt.date(1975, 12, 5), "M", "F839", "SPSGFR75T05F839Q"),
        # Women: day + 40; spaces and apostrophes dropped.
        ("De Luca", "Maria Francesca", dt.date(1992, 7, 23), "F", "F839", "DLCMFR92L63F839X"),
    ],
)
def test_make_tax_code_known_examples(surname, name, born, sex, place, code):
    assert make_tax_code(surname, name, born, sex, place) == code
    validate_tax_code(code)


def test_make_tax_code_pads_short_names_and_drops_accents():
    code = make_tax_code("Fo", "Niccolò", dt.date(2001, 2, 3), "M", "Z330")
    assert code.startswith("FOXNCL01B03Z330")
    assert code[15] == check_character(code[:15])
    validate_tax_code(code)


def test_make_tax_code_rejects_bad_input():
    with pytest.raises(ValueError, match="sex"):
        make_tax_code("Rossi", "Mario", dt.date(1980, 1, 1), "X", "H501")
    with pytest.raises(ValueError, match="cadastral"):
        make_tax_code("Rossi", "Mario", dt.date(1980, 1, 1), "M", "H50")
    with pytest.raises(ValueError):
        check_character("SHORT")


def test_a_wrong_check_character_is_refused_by_the_model_validator():
    code = make_tax_code("Rossi", "Mario", dt.date(1980, 1, 1), "M", "H501")
    wrong = code[:15] + ("A" if code[15] != "A" else "B")
    with pytest.raises(ValidationError):
        validate_tax_code(wrong)


def test_generated_vat_numbers_are_valid():
    import random

    from incubator.models import validate_tax_code
    from incubator.taxcode import make_vat_number

    rng = random.Random(7)
    for _ in range(100):
        validate_tax_code(make_vat_number(rng))  # raises ValidationError on a bad check digit
