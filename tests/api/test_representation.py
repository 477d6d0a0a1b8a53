"""``api.representation``: the API's serializers answer exactly what DRF's own
``to_representation`` answers, on every list endpoint and every detail page it links to,
for every demo persona - the fast path is an optimisation, never a second definition."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase
from rest_framework import serializers

from api import representation
from bench.common import client_for
from bench.lists import list_urls
from incubator.models import RoleAssignment, User

PERSONAS = ("coordinator", "evaluator", "trainer", "tutor", "participant", "applicant")


def drf_to_representation(self, instance):
    return serializers.Serializer.to_representation(self, instance)


class SameAnswersAsDRFTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", seed=2026, stdout=io.StringIO())

    def answers(self, client, urls: list[str]) -> dict[str, object]:
        # Each request rolled back: some lists record that they were read (the sensitive
        # data's read log), and both answers must see the same rows.
        answers = {}
        for url in urls:
            with transaction.atomic():
                answers[url] = client.get(url).json()
                transaction.set_rollback(True)
        return answers

    def test_every_list_answers_as_drf_would_for_every_persona(self):
        personas = [u for u in PERSONAS if User.objects.filter(username=u).exists()]
        assert len(personas) >= 5, personas
        compared_rows = 0
        for username in personas:
            user = User.objects.get(username=username)
            client = client_for(user)
            urls = list_urls(user)
            fast = self.answers(client, urls)
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(representation.FastRepresentation, "to_representation", drf_to_representation)
                reference = self.answers(client, urls)
            for url in urls:
                with self.subTest(user=username, url=url):
                    assert fast[url] == reference[url]
                results = fast[url].get("results") if isinstance(fast[url], dict) else None
                compared_rows += len(results or [])
        # The comparison saw real rows, datetimes and nested lists, not empty pages.
        assert compared_rows > 300, compared_rows
        assert RoleAssignment.objects.exists()

    def test_the_fast_path_is_taken_for_plain_columns_and_not_for_the_rest(self):
        from api.cohorts.serializers import TrainingSessionSerializer

        serializer = TrainingSessionSerializer()
        plan, model = serializer._representation_plan
        read = {name: (attribute, is_answer) for name, _field, attribute, is_answer in plan}
        assert model.__name__ == "TrainingSession"
        assert read["topic"] == ("topic", False) and read["starts_at"] == ("starts_at", False)
        # A related id is its foreign key's column, already the answer.
        assert read["cohort"] == ("cohort_id", True) and read["module"] == ("module_id", True)
        # A dotted source and a nested list go through DRF's get_attribute.
        assert read["module_title"] == (None, False) and read["trainers"] == (None, False)


def test_a_model_serializers_fields_are_built_once_per_class_and_copied_per_instance():
    from unittest import mock

    from api.incubator.serializers import ProgrammeSerializer

    class Probe(ProgrammeSerializer):
        pass

    with mock.patch.object(
        serializers.ModelSerializer, "get_fields", autospec=True, side_effect=serializers.ModelSerializer.get_fields
    ) as built:
        first, second = Probe().fields, Probe().fields
    assert built.call_count == 1
    assert list(first) == list(second) == list(ProgrammeSerializer().fields)
    assert first["name"] is not second["name"] and first["name"].parent is not second["name"].parent
