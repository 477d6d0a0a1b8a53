"""The demo step of outcomes and reports, after the other apps' steps, through the real
``seed_demo``: every participant of the demo enrolments has entry data agreeing with
their tax code, the ventures have outcomes, two early leavers have results, and the
cohort report of the demo cohort is complete."""

import io

import pytest
from django.core.management import call_command

from cohorts.models import Cohort
from cohorts.reports.figures import cohort_report, report_scope
from incubator.models import Person, TeamMember
from incubator.participants.demo import DEMO_STEPS, from_tax_code, seed_outcomes
from incubator.participants.models import ParticipantEntryData, ParticipantResult, TrainingUnitCost, VentureOutcome
from incubator.path.models import Enrolment
from incubator.selection.demo import PROGRAMME_CODE

pytestmark = pytest.mark.django_db


def test_step_order():
    assert [(60, seed_outcomes)] == DEMO_STEPS


def test_seed_demo_builds_outcomes_and_a_full_report():
    call_command("seed_demo", seed=2026, stdout=io.StringIO())
    # The INNESCO enrolments: the seed programmes (demo steps 800+) admit their own
    # applicants, and WECARE's company-welfare grant has no incubation behind it.
    enrolments = Enrolment.objects.filter(application__call__programme__code=PROGRAMME_CODE)
    assert enrolments.exists()
    members = TeamMember.objects.filter(venture__applications__enrolment__in=enrolments)
    people = Person.objects.filter(pk__in=members.values("person_id"))
    assert ParticipantEntryData.objects.filter(person__in=people).count() == people.count()
    for entry in ParticipantEntryData.objects.select_related("person"):
        decoded = from_tax_code(entry.person.tax_code, entry.entered_on)
        assert decoded is not None
        assert (entry.gender, entry.birth_date) == decoded[:2]
        assert not entry.victim_of_violence or entry.gender == "female"
    assert VentureOutcome.objects.count() == enrolments.count()
    assert ParticipantResult.objects.filter(timing="exit").count() == 2
    assert TrainingUnitCost.objects.get().course_hour_rate > 0
    cohort = Cohort.objects.get()
    report = cohort_report(report_scope(programme=cohort.programme, cohort=cohort))
    assert report.participants == people.count()
    assert report.participants_without_entry_data == 0
    assert report.training.hours_delivered > 0 and report.unit_costs.total > 0
    assert report.funnel.enrolled == enrolments.count()
