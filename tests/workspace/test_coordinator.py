"""The coordinator's pages beside the back office: who reaches them, what they show, the
XLSX one click from the coordination page, and query counts that do not grow with rows."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.models import ActionItem
from tests.funding.helpers import many_grants
from tests.path.conftest import build_picture

pytestmark = pytest.mark.django_db

PAGES = ("cohorts:coordinator", "cohorts:coordinator-tutoring", "cohorts:coordinator-grants")


def _status(client, user, url) -> int:
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url).status_code


def test_each_role_on_the_coordinator_pages(client, world, other, admin_user):
    for name in PAGES:
        url = reverse(name)
        assert _status(client, world.coordinator, url) == 200, name
        assert _status(client, world.coordinator, f"{url}?programme={world.programme.pk}") == 200, name
        assert _status(client, admin_user, f"{url}?programme={other.programme.pk}") == 200, name
        # Another programme's, or one that does not exist: not found.
        assert _status(client, world.coordinator, f"{url}?programme={other.programme.pk}") == 404, name
        assert _status(client, world.coordinator, f"{url}?programme=999999") == 404, name
        for user in (world.tutor, world.participant, world.evaluator):
            assert _status(client, user, url) == 404, (name, user.username)
        assert _status(client, None, url) == 302, name


def test_the_coordination_page_links_every_task_and_the_export_is_one_click(client, world):
    picture = build_picture(world)
    client.force_login(world.coordinator)
    response = client.get(reverse("cohorts:coordinator"))
    html = response.content.decode()
    for url in (
        "/dashboard/",
        "/path/",
        "/coordinator/tutoring/",
        "/coordinator/grants/",
        "/sessions/",
        f"/cohorts/{picture.cohort.pk}/",
        f"/cohorts/{picture.cohort.pk}/attendance/",
        "/admin/",
    ):
        assert f'href="{url}' in html, url
    line = response.context["cohorts"][0]
    assert (line.cohort, line.held_sessions, line.participants) == (picture.cohort, 1, 1)
    # The XLSX: the button on this page posts straight to the export, which answers the file.
    assert 'name="kind" value="report_xlsx"' in html
    download = client.post(
        reverse("cohorts:report-exports"), {"programme": world.programme.pk, "kind": "report_xlsx"}, follow=True
    )
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_tutoring_overview_shows_hours_and_overdue_items(client, world):
    picture = build_picture(world)
    ActionItem.objects.update(due_on=timezone.localdate() - dt.timedelta(days=3))
    client.force_login(world.coordinator)
    response = client.get(reverse("cohorts:coordinator-tutoring"))
    tutors = response.context["tutors"]
    assert [t.ventures for t in tutors] == [1] and tutors[0].hours_budget == picture.assignment.hours_budget
    assert tutors[0].hours_used > 0
    assert [item.text for item in response.context["overdue"]] == ["Action 0"]
    assert "Action 0" in response.content.decode()


def test_grants_list_counts_the_same_queries_for_1_and_50(client, world, django_assert_num_queries):
    many_grants(world, 1)
    client.force_login(world.coordinator)
    url = reverse("cohorts:coordinator-grants")
    client.get(url)
    # session, user, roles, programmes, grants (with the paid sum); nothing per row.
    with django_assert_num_queries(5):
        assert len(client.get(url).context["grants"]) == 1
    many_grants(world, 49)
    with django_assert_num_queries(5):
        assert len(client.get(url).context["grants"]) == 50


def test_tutoring_overview_counts_the_same_queries_for_1_and_50(client, world, django_assert_num_queries):
    picture = build_picture(world)
    ActionItem.objects.update(due_on=timezone.localdate() - dt.timedelta(days=3))
    item = ActionItem.objects.get()
    client.force_login(world.coordinator)
    url = reverse("cohorts:coordinator-tutoring")
    client.get(url)
    # session, user, roles, programmes, hours by tutor, overdue items.
    with django_assert_num_queries(6):
        assert len(client.get(url).context["overdue"]) == 1
    ActionItem.objects.bulk_create(
        [ActionItem(session=item.session, text=f"Late {i}", owner=item.owner, due_on=item.due_on) for i in range(49)]
    )
    with django_assert_num_queries(6):
        assert len(client.get(url).context["overdue"]) == 50
    assert picture.assignment
