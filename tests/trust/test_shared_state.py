"""Nothing of one request may stay in the process for the next one (issue 20, item 10):
a form field's ``initial`` set on the class's field objects leaked one programme's
private tutoring note into another programme's "add tutoring session" form."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from mentoring.admin import TutoringSessionForm
from tests.mentoring.fixtures import *  # noqa: F403
from tests.mentoring.fixtures import aware, log

pytestmark = pytest.mark.django_db
SECRET_B = "PRIVATE-NOTE-OF-B-71c2"
ROOT = Path(__file__).resolve().parents[2]


def test_a_viewed_private_note_does_not_prefill_the_next_add_form(client, mentoring, other_mentoring):
    theirs = log(other_mentoring, aware(2026, 3, 10, 10), 60, private_notes=SECRET_B)
    # Programme B's coordinator opens B's session: the note is on B's form, as it should be.
    client.force_login(other_mentoring.world.coordinator)
    change = client.get(reverse("admin:mentoring_tutoringsession_change", args=[theirs.pk]))
    assert SECRET_B in change.content.decode()
    # Then, in the same process, programme A's coordinator opens "add tutoring session".
    client.force_login(mentoring.world.coordinator)
    add = client.get(reverse("admin:mentoring_tutoringsession_add"))
    assert add.status_code == 200
    assert SECRET_B not in add.content.decode()
    assert not add.context["adminform"].form["private_notes"].value()
    # And the class the back office builds its forms from is untouched.
    assert TutoringSessionForm.base_fields["private_notes"].initial is None


def test_the_note_is_still_shown_on_its_own_session(client, mentoring, other_mentoring):
    mine = log(mentoring, aware(2026, 3, 11, 10), 60, private_notes="mine-1")
    other = log(mentoring, aware(2026, 3, 12, 10), 60, private_notes="mine-2")
    client.force_login(mentoring.world.coordinator)
    for session, text in ((mine, "mine-1"), (other, "mine-2")):
        page = client.get(reverse("admin:mentoring_tutoringsession_change", args=[session.pk]))
        assert page.context["adminform"].form["private_notes"].value() == text


# Writing to a form class's fields (``base_fields``/``declared_fields``), or to a field
# reached from the class rather than from ``self.fields``, changes every later form.
SHARED_FIELD_WRITE = re.compile(r"(base_fields|declared_fields)\[[^\]]+\]\.\w+\s*=")


def test_no_code_writes_to_a_form_class_s_shared_fields():
    offenders = []
    for folder in ("incubator", "cohorts", "mentoring", "api", "config"):
        for path in (ROOT / folder).rglob("*.py"):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if SHARED_FIELD_WRITE.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
