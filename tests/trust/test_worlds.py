"""The full programme builds (the other trust tests rely on it)."""

import pytest

pytestmark = pytest.mark.django_db


def test_full_programmes_build(full_a, full_b):
    assert full_a.grant.venture.programme == full_a.programme
    assert full_b.expense_item.document.name
    assert full_b.report_export.status == "done"
    assert full_a.entry_data.victim_of_violence
