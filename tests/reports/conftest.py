"""The reports' tests run on 15 September 2026 (``dataset.NOW``): the fixed dataset's
sessions, milestones and results are then in the past or future as worked out by hand."""

import pytest
import time_machine

from tests.reports import dataset


@pytest.fixture(autouse=True)
def on_the_report_day():
    with time_machine.travel(dataset.NOW, tick=True):
        yield
