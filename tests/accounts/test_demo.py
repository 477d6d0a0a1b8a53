import random

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from incubator.accounts import demo
from incubator.accounts.models import PrivacyAcceptance
from incubator.demo_context import DEMO_PASSWORD, DemoContext
from incubator.management.commands.seed_demo import collect_steps

pytestmark = pytest.mark.django_db


def test_seed_demo_runs_the_accounts_step():
    assert any(step is demo.seed_signed_up_account for _order, _module, step in collect_steps())


@override_settings(DEMO_PASSWORDS_ALLOWED=True)
def test_the_signed_up_demo_account_logs_in_by_email(client):
    ctx = DemoContext(rng=random.Random(1), today=timezone.localdate())
    demo.seed_signed_up_account(ctx)
    user = ctx.users[demo.SIGNED_UP_USERNAME]
    assert PrivacyAcceptance.objects.get(user=user).version
    client.post(reverse("account_login"), {"login": demo.SIGNED_UP_EMAIL, "password": DEMO_PASSWORD})
    assert int(client.session["_auth_user_id"]) == user.pk


def test_without_demo_passwords_it_cannot_log_in():
    ctx = DemoContext(rng=random.Random(1), today=timezone.localdate())
    demo.seed_signed_up_account(ctx)
    assert not ctx.users[demo.SIGNED_UP_USERNAME].has_usable_password()
