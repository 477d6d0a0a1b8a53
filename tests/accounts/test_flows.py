"""Sign-up with e-mail verification, login by e-mail, logout, password reset and e-mail
change, end to end through the pages (allauth), reading the links from Django's outbox."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from incubator.accounts.models import PrivacyAcceptance
from incubator.models import AuditEvent, User
from tests import factories as f
from tests.accounts.conftest import link_in

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-pass-phrase-42"


def sign_up(client, email="maria.rossi@example.org", accept=True, **extra):
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD, **extra}
    if accept:
        data["accept_privacy"] = "on"
    return client.post(reverse("account_signup"), data, REMOTE_ADDR="198.51.100.7")


def log_in(client, login, password=PASSWORD, address="198.51.100.7"):
    return client.post(reverse("account_login"), {"login": login, "password": password}, REMOTE_ADDR=address)


@override_settings(PRIVACY_NOTICE_VERSION="2026-test")
def test_sign_up_verify_then_log_in_by_email(client):
    response = sign_up(client)
    assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="maria.rossi@example.org")
    acceptance = PrivacyAcceptance.objects.get(user=user)
    assert (acceptance.version, acceptance.client_address) == ("2026-test", "198.51.100.7")
    assert AuditEvent.objects.filter(verb="privacy_notice.accepted", target_id=acceptance.pk).exists()
    assert "_auth_user_id" not in client.session

    # Not verified yet: the right password does not open a session, a new link is sent.
    assert len(mail.outbox) == 1
    log_in(client, "maria.rossi@example.org")
    assert "_auth_user_id" not in client.session

    confirm = link_in(mail.outbox[0], "/accounts/confirm-email/")
    assert client.get(confirm).status_code == 200  # the confirmation page asks for a POST
    assert client.post(confirm).status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    response = log_in(client, "MARIA.ROSSI@example.org")
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk

    response = client.post(reverse("logout"))
    assert response.status_code == 302 and "_auth_user_id" not in client.session


def test_sign_up_without_accepting_the_privacy_notice_is_refused_naming_the_field(client):
    response = sign_up(client, accept=False)
    assert response.status_code == 200
    assert "accept_privacy" in response.context["form"].errors
    assert "To sign up, accept the privacy notice." in response.content.decode()
    assert not User.objects.exists() and not PrivacyAcceptance.objects.exists() and not mail.outbox


def test_sign_up_with_a_bad_address_or_weak_password_names_the_field(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "not-an-address", "password1": "123", "password2": "123", "accept_privacy": "on"},
    )
    errors = response.context["form"].errors
    assert response.status_code == 200 and "email" in errors
    assert not User.objects.exists()


def test_sign_up_with_a_known_address_answers_as_for_a_new_one(client):
    f.UserFactory(username="known", email="known@example.org")
    EmailAddress.objects.create(user=User.objects.get(username="known"), email="known@example.org", verified=True)
    known = sign_up(client, email="known@example.org")
    unknown = sign_up(client, email="new@example.org")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert User.objects.filter(email="known@example.org").count() == 1
    # Only the mailbox's owner learns that the account exists.
    assert [m.to for m in mail.outbox] == [["known@example.org"], ["new@example.org"]]
    assert not PrivacyAcceptance.objects.filter(user__username="known").exists()


def test_login_answers_the_same_for_an_unknown_address_and_a_wrong_password(client):
    f.UserFactory(username="anna", email="anna@example.org", password="right-password-1")
    wrong = log_in(client, "anna@example.org", "wrong-password")
    unknown = log_in(client, "nobody@example.org", "wrong-password")
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["form"].errors == unknown.context["form"].errors


def test_office_created_login_keeps_working_by_username_and_by_email(client):
    """Logins made by the office (no allauth address record) are not asked to verify."""
    f.UserFactory(username="coord", email="coord@example.org", password="right-password-1")
    assert log_in(client, "coord", "right-password-1").status_code == 302
    client.logout()
    assert log_in(client, "coord@example.org", "right-password-1").status_code == 302
    assert client.session["_auth_user_id"]


def test_password_reset_end_to_end_and_the_same_answer_for_unknown_addresses(client):
    user = f.UserFactory(username="luca", email="luca@example.org", password="old-password-1")
    EmailAddress.objects.create(user=user, email="luca@example.org", verified=True, primary=True)
    known = client.post(reverse("account_reset_password"), {"email": "luca@example.org"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [m.to for m in mail.outbox] == [["luca@example.org"], ["nobody@example.org"]]
    assert "/accounts/password/reset/key/" not in mail.outbox[1].body  # no account: no link

    reset = link_in(mail.outbox[0], "/accounts/password/reset/key/")
    form_page = client.get(reset, follow=True)
    assert form_page.status_code == 200
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else reset
    response = client.post(action, {"password1": "new-password-2026", "password2": "new-password-2026"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("new-password-2026")
    # The link works once.
    assert "token_fail" in client.get(reset, follow=True).context


def test_email_change_is_verified_before_it_replaces_the_old_one(client):
    user = f.UserFactory(username="sara", email="sara@example.org", password="right-password-1")
    EmailAddress.objects.create(user=user, email="sara@example.org", verified=True, primary=True)
    client.force_login(user)
    assert client.get(reverse("account_email")).status_code == 200
    response = client.post(reverse("account_email"), {"action_add": "", "email": "sara.new@example.org"})
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user, email="sara.new@example.org").verified is False
    user.refresh_from_db()
    assert user.email == "sara@example.org"

    confirm = link_in(mail.outbox[-1], "/accounts/confirm-email/")
    client.post(confirm)
    user.refresh_from_db()
    assert user.email == "sara.new@example.org"
    assert list(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == ["sara.new@example.org"]


def test_email_change_to_an_address_of_another_account_is_refused_without_saying_whose(client):
    other = f.UserFactory(username="other", email="taken@example.org")
    EmailAddress.objects.create(user=other, email="taken@example.org", verified=True, primary=True)
    user = f.UserFactory(username="sara", email="sara@example.org")
    EmailAddress.objects.create(user=user, email="sara@example.org", verified=True, primary=True)
    client.force_login(user)
    taken = client.post(reverse("account_email"), {"action_add": "", "email": "taken@example.org"})
    free = client.post(reverse("account_email"), {"action_add": "", "email": "free@example.org"})
    assert (taken.status_code, taken["Location"]) == (free.status_code, free["Location"])
    user.refresh_from_db()
    assert user.email == "sara@example.org"
    # Nothing of the other account changed, and the request can never be confirmed.
    assert EmailAddress.objects.get(user=other).verified
    assert not EmailAddress.objects.filter(user=user, email="taken@example.org", verified=True).exists()
    (to_owner,) = [m for m in mail.outbox if m.to == ["taken@example.org"]]
    client.post(link_in(to_owner, "/accounts/confirm-email/"))
    assert not EmailAddress.objects.filter(user=user, email="taken@example.org", verified=True).exists()
    user.refresh_from_db()
    assert user.email == "sara@example.org"


def test_account_pages_need_a_login(client):
    for name in ("account_email", "account_change_password"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_old_login_url_sends_to_the_login_page_keeping_next(client):
    response = client.get("/login/?next=/my-path/")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=/my-path/"


def test_privacy_notice_is_public_and_shows_its_version(client, settings):
    settings.PRIVACY_NOTICE_VERSION = "2026-test"
    response = client.get(reverse("privacy"))
    assert response.status_code == 200 and "2026-test" in response.content.decode()
    signup = client.get(reverse("account_signup")).content.decode()
    assert reverse("privacy") in signup and 'name="accept_privacy"' in signup
