"""The cohort report's JSON has the sections its schema names (``CohortReportSerializer``)."""

import pytest

from api.cohorts.reports.serializers import CohortReportSerializer
from tests.api.helpers import client_as
from tests.trust.worlds import build_full

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_the_report_matches_its_documented_shape(world, media):
    full = build_full(world)
    response = client_as(world.coordinator).get(f"/api/v1/reports/cohorts/{full.cohort.pk}/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == set(CohortReportSerializer().fields)
    shape = CohortReportSerializer(data=body)
    assert shape.is_valid(), shape.errors
    assert body["scope"]["programme"]["id"] == world.programme.pk
