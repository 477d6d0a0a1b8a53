"""The cohorts endpoints produce a valid OpenAPI schema, without generator warnings."""

import pytest
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from api.cohorts import views
from api.cohorts.urls import router


def _cohort_patterns():
    ours = [route for route in router.urls if getattr(route.callback, "cls", None).__module__ == views.__name__]
    return [path("api/v1/", include((ours, "api")))]


@pytest.mark.django_db
def test_schema_is_valid_and_warning_free():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=_cohort_patterns()).get_schema(request=None, public=True)
    validate_schema(schema)
    assert not GENERATOR_STATS, str(GENERATOR_STATS)
    paths = schema["paths"]
    for expected in (
        "/api/v1/cohorts/",
        "/api/v1/cohorts/{id}/attendance/",
        "/api/v1/cohorts/{id}/attendance/{person_pk}/",
        "/api/v1/cohorts/{id}/add-enrolment/",
        "/api/v1/cohorts/{id}/calendar-feed/",
        "/api/v1/cohorts/{id}/calendar-feed/rotate/",
        "/api/v1/cohort-modules/{id}/",
        "/api/v1/training-sessions/",
        "/api/v1/training-sessions/{id}/cancel/",
        "/api/v1/training-sessions/{id}/attendance/",
        "/api/v1/attendance/",
    ):
        assert expected in paths, expected
    register = paths["/api/v1/training-sessions/{id}/attendance/"]
    assert register["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/BulkMarkRequest")
    assert register["get"]["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
    filters = {p["name"] for p in paths["/api/v1/training-sessions/"]["get"]["parameters"]}
    assert {"cohort", "module", "trainer", "date_from", "date_to", "kind", "cancelled"} <= filters
