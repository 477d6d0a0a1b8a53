import pytest
from django.urls import reverse

from tests.documents.helpers import images, pdf_text
from tests.documents.logos import give_logo
from tests.mentoring.fixtures import *  # noqa: F403
from tests.mentoring.fixtures import aware, log


def _url(m):
    return reverse("mentoring:timesheet-pdf", kwargs={"tutor_pk": m.profile.pk, "year": 2026, "month": 3})


def test_timesheet_pdf_has_the_selectors_figures(client, mentoring):
    log(mentoring, aware(2026, 3, 2, 9), 90, private_notes="SEGRETO-PRIVATO")
    log(mentoring, aware(2026, 3, 9, 9), 45)
    for user in (mentoring.world.tutor, mentoring.world.coordinator):
        client.force_login(user)
        response = client.get(_url(mentoring))
        assert response.status_code == 200
        text = " ".join(pdf_text(response.content).split())
        # 90' + 45' at 50 EUR/h: 2.25 h, 112.50 EUR (Italian number format)
        assert "Totale ore: 2,25" in text and "112,50 EUR" in text
        assert "02/03/2026 09:00" in text and "SEGRETO-PRIVATO" not in text
        assert "Firma del tutor" in text


@pytest.mark.parametrize("who", ["participant", "evaluator", "other tutor", "other coordinator"])
def test_timesheet_pdf_404_out_of_reach(client, mentoring, other_mentoring, who):
    user = {
        "participant": mentoring.world.participant,
        "evaluator": mentoring.world.evaluator,
        "other tutor": other_mentoring.world.tutor,
        "other coordinator": other_mentoring.world.coordinator,
    }[who]
    client.force_login(user)
    assert client.get(_url(mentoring)).status_code == 404


def test_timesheet_pdf_has_the_programme_logo_when_there_is_one(client, mentoring, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    log(mentoring, aware(2026, 3, 2, 9), 90)
    client.force_login(mentoring.world.coordinator)
    assert images(client.get(_url(mentoring)).content) == []
    give_logo(mentoring.world)
    assert len(images(client.get(_url(mentoring)).content)) == 1
