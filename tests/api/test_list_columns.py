"""What list requests fetch: no list reads a password hash, and the attendance list reads
only the columns it answers (not the people's tax codes, e-mail addresses or phones) -
data minimisation checked on the SQL of every list endpoint, for every demo persona."""

import io

from django.core.management import call_command
from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from bench.lists import list_urls
from incubator.models import User

PERSONAS = ("admin", "coordinator", "evaluator", "trainer", "tutor", "participant", "applicant")


class ListColumnsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", seed=2026, stdout=io.StringIO())

    def statements(self, user, urls: list[str]) -> dict[str, list[str]]:
        # Authenticated without a user lookup, so every statement is the list's own.
        client = APIClient()
        client.force_authenticate(user)
        seen = {}
        for url in urls:
            with transaction.atomic(), CaptureQueriesContext(connection) as captured:
                # 404: a timesheet of a tutor whose sessions a participant sees, not the tutor.
                assert client.get(url).status_code in (200, 404), url
                transaction.set_rollback(True)
            seen[url] = [q["sql"] for q in captured.captured_queries]
        return seen

    def test_no_list_reads_a_password_hash(self):
        personas = [u for u in PERSONAS if User.objects.filter(username=u).exists()]
        assert len(personas) >= 6, personas
        checked = 0
        for username in personas:
            user = User.objects.get(username=username)
            for url, statements in self.statements(user, list_urls(user)).items():
                for sql in statements:
                    with self.subTest(user=username, url=url):
                        assert '"password"' not in sql, sql
                    checked += 1
        assert checked > 300, checked

    def test_the_attendance_list_reads_only_the_columns_it_answers(self):
        coordinator = User.objects.get(username="coordinator")
        urls = [url for url in list_urls(coordinator) if "/attendance/" in url]
        rows = [sql for found in self.statements(coordinator, urls).values() for sql in found]
        selects = [sql for sql in rows if 'FROM "cohorts_attendance"' in sql]
        assert selects, rows
        for sql in selects:
            for column in ("tax_code", "email", "phone", "marked_by_id", "online_url"):
                assert f'"{column}"' not in sql.split(" FROM ")[0], (column, sql)
