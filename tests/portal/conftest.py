"""A call with an online form (every kind of question), and applicants."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client

from incubator.models import ApplicantKind
from incubator.selection import applying
from incubator.selection.models import Application, Call, FormSection, Question, QuestionKind
from tests import factories as f

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@dataclass
class Form:
    call: Call
    about: FormSection
    docs: FormSection
    questions: dict[str, Question]


def build_form(call: Call) -> Form:
    about = FormSection.objects.create(call=call, title_it="L'idea", title_en="The idea", order=1)
    docs = FormSection.objects.create(call=call, title_it="Documenti", title_en="Documents", order=2)
    q = {}

    def add(name, section, kind, **extra):
        q[name] = Question.objects.create(
            section=section, kind=kind, label_it=f"{name} it", label_en=f"{name} en", order=len(q), **extra
        )

    add("summary", about, QuestionKind.LONG_TEXT, max_chars=200)
    add("name", about, QuestionKind.SHORT_TEXT, identifying=True)
    add("people", about, QuestionKind.NUMBER, required=False)
    add("cost", about, QuestionKind.MONEY, required=False)
    add("start", about, QuestionKind.DATE, required=False)
    add(
        "area", about, QuestionKind.CHOICE, choices="m1 | Municipalità 1 | District 1\nm4 | Municipalità 4 | District 4"
    )
    add("themes", about, QuestionKind.MULTIPLE, required=False, choices="a | A | A\nb | B | B")
    add("experience", about, QuestionKind.YES_NO)
    add("plan", docs, QuestionKind.FILE, file_types=["pdf"], max_file_mb=1)
    return Form(call=call, about=about, docs=docs, questions=q)


@pytest.fixture
def form(world) -> Form:
    world.call.eligible_applicant_kinds = [ApplicantKind.INDIVIDUAL, ApplicantKind.ASSOCIATION]
    world.call.save()
    return build_form(world.call)


@pytest.fixture
def applicant(db):
    return f.UserFactory(username="applicant")


@pytest.fixture
def applicant2(db):
    return f.UserFactory(username="applicant2")


def client_for(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def start(user, call, title="Orto sociale") -> Application:
    return applying.draft_start(
        actor=user,
        call=call,
        title=title,
        applicant_kind=ApplicantKind.INDIVIDUAL,
        first_name="Anna",
        last_name="Rossi",
        tax_code=f.tax_code(),
    )


def complete(user, application: Application, form: Form) -> None:
    """Every required answer, a PDF and a budget within the grant range."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    q = form.questions
    applying.answers_save(
        actor=user,
        application=application,
        values={
            f"q{q['summary'].pk}": "Un orto condiviso",
            f"q{q['name'].pk}": "Anna Rossi",
            f"q{q['area'].pk}": "m4",
            f"q{q['experience'].pk}": "yes",
        },
    )
    applying.answer_file_upload(
        actor=user,
        application=application,
        question=q["plan"],
        file=SimpleUploadedFile("piano.pdf", PDF, content_type="application/pdf"),
    )
    applying.budget_item_add(
        actor=user, application=application, category="equipment", description="Serra", amount=Decimal("30000")
    )
