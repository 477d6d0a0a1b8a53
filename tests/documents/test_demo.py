"""The documents demo steps (orders 96 and 97): one of each document issued by the services
and one signed grant act verified."""

import io

from django.core.management import call_command
from django.test import TestCase

from incubator.documents.kinds import DocumentKind
from incubator.documents.models import Certificate, GeneratedDocument
from incubator.models import Programme
from incubator.selection.demo import PROGRAMME_CODE
from tests.documents.helpers import images


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

    def test_innesco_has_a_logo_on_its_documents(self):
        programme = Programme.objects.get(code=PROGRAMME_CODE)
        assert programme.logo.name.startswith("programmes/logos/") and programme.logo.name.endswith("-innesco.png")
        issued = GeneratedDocument.objects.filter(programme=programme)
        assert set(issued.values_list("kind", flat=True)) == set(DocumentKind.values)
        for document in issued:
            assert len(images(bytes(document.content))) == 1, document.kind

    def test_one_signed_act_verified(self):
        from incubator.documents.models import SignedAct

        act = SignedAct.objects.select_related("grant__venture", "uploaded_by", "document").get()
        assert act.document.kind == DocumentKind.GRANT_ACT and act.same_bytes
        assert "CA dimostrativa" in act.issuer and act.signed_at is not None
        assert bytes(act.content).startswith(bytes(act.document.content))
        # Uploaded by the beneficiary: a member of the grant's venture team.
        assert act.grant.venture.team.filter(person__user=act.uploaded_by).exists()
