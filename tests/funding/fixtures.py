"""Fixtures shared by tests/funding and tests/api/test_funding_*."""

import pytest

from incubator.funding import eligibility


@pytest.fixture(autouse=True)
def without_attendance_check():
    """Grant rules other than attendance are tested without building cohorts and
    registers: the checks registered by ``cohorts`` are set aside for the test (the
    attendance check has its own tests, which register it explicitly)."""
    saved = dict(eligibility._checks)
    set_aside = {key: saved[key] for key in saved if key.startswith("cohorts.")}
    for key in set_aside:
        del eligibility._checks[key]
    yield set_aside
    eligibility._checks.clear()
    eligibility._checks.update(saved)
