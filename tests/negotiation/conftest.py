"""A negotiation call: the world's call switched to negotiation, with a one-question form,
an application by a municipality found eligible, and the negotiation open."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from incubator.negotiation import services
from incubator.selection import partnerships
from incubator.selection import services as selection_services
from incubator.selection.models import Answer, BudgetItem, FormSection, Question
from tests.organisations.helpers import organisation


@pytest.fixture
def negotiation_world(world):
    call = world.call
    call.procedure = "negotiation"
    call.eligible_organisation_kinds = ["municipality"]
    call.min_population = 20000
    call.save()
    section = FormSection.objects.create(call=call, title_it="Progetto", title_en="Project", order=1)
    question = Question.objects.create(section=section, kind="long_text", label_it="Obiettivi", label_en="Aims")
    Answer.objects.create(application=world.application, question=question, value="Un hub di comunità")
    BudgetItem.objects.create(
        application=world.application, category="personnel", description="Animatori", amount=Decimal("80000.00")
    )
    municipality = organisation(world.programme, name="Comune di Lecce", population=95000)
    partnerships.application_set_organisation(
        actor=world.coordinator, application=world.application, organisation=municipality
    )
    selection_services.application_submit(actor=world.coordinator, application=world.application)
    selection_services.application_check(
        actor=world.coordinator, application=world.application, answers=[], eligible=True
    )
    world.question = question
    world.municipality = municipality
    world.negotiation = services.negotiation_open(actor=world.coordinator, application=world.application)
    return world


def an_hour_ago():
    return timezone.now() - dt.timedelta(hours=1)
