"""The documents demo step (order 96): one of each document issued by the services."""

import io

from django.core.management import call_command
from django.test import TestCase

from incubator.documents.kinds import DocumentKind
from incubator.documents.models import Certificate, GeneratedDocument


class DocumentsDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", seed=2026, stdout=io.StringIO())

    def test_one_of_each_document(self):
        kinds = set(GeneratedDocument.objects.values_list("kind", flat=True))
        assert kinds == set(DocumentKind.values)
        for document in GeneratedDocument.objects.all():
            assert bytes(document.content).startswith(b"%PDF")
        assert Certificate.objects.count() == 1
