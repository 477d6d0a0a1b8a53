import pytest
from django.utils import translation

from tests.funding.fixtures import without_attendance_check  # noqa: F401


@pytest.fixture(autouse=True)
def italian(italian_default):
    with translation.override("it"):
        yield
