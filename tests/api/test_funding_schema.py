"""The funding endpoints produce a valid OpenAPI schema, without generator warnings."""

import pytest
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from api.incubator.urls import router


def _funding_patterns():
    funding = [
        route for route in router.urls if getattr(route.callback, "cls", None).__module__.endswith("funding.views")
    ]
    return [path("api/v1/", include((funding, "api")))]


@pytest.mark.django_db
def test_schema_is_valid_and_warning_free():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=_funding_patterns()).get_schema(request=None, public=True)
    validate_schema(schema)
    assert not GENERATOR_STATS, str(GENERATOR_STATS)
    paths = schema["paths"]
    for expected in (
        "/api/v1/grants/",
        "/api/v1/grants/{id}/award/",
        "/api/v1/grants/{id}/budget/",
        "/api/v1/grants/{grant_pk}/tranches/",
        "/api/v1/grants/{grant_pk}/tranches/{id}/pay/",
        "/api/v1/grants/{grant_pk}/expenses/",
        "/api/v1/grants/{grant_pk}/expenses/{id}/document/",
        "/api/v1/grants/{grant_pk}/expense-reports/{id}/submit/",
        "/api/v1/de-minimis/{undertaking}/",
        "/api/v1/campaigns/track/",
        "/api/v1/matching-rules/",
    ):
        assert expected in paths, expected
    assert "multipart/form-data" in paths["/api/v1/grants/{grant_pk}/expenses/"]["post"]["requestBody"]["content"]
