import pytest
from django.utils import translation

from tests.funding.fixtures import without_attendance_check  # noqa: F401


@pytest.fixture(autouse=True)
def italian():
    """Messages carry figures as the reader's language writes them (100.000,00 in
    Italian, the default): the assertions read the Italian form, whatever language an
    earlier test's request left active."""
    with translation.override("it"):
        yield
