"""Demo: a login made by sign-up (verified e-mail, privacy notice accepted), beside the
personas that the office created. It logs in by e-mail with the demo password in the dev
profile only."""

from allauth.account.models import EmailAddress
from django.conf import settings

from incubator.accounts import services
from incubator.demo_context import DEMO_PASSWORD, DemoContext
from incubator.models import User

SIGNED_UP_USERNAME = "demo-iscritta"  # the "demo-" prefix lets seed_demo --reset find it
SIGNED_UP_EMAIL = "giulia.iscritta@example.org"


def seed_signed_up_account(ctx: DemoContext) -> None:
    user = User.objects.create_user(username=SIGNED_UP_USERNAME, email=SIGNED_UP_EMAIL, first_name="Giulia")
    if getattr(settings, "DEMO_PASSWORDS_ALLOWED", False):
        user.set_password(DEMO_PASSWORD)
    else:
        user.set_unusable_password()
    user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=SIGNED_UP_EMAIL, verified=True, primary=True)
    services.privacy_notice_accept(actor=user, client_address="127.0.0.1")
    ctx.users[SIGNED_UP_USERNAME] = user


DEMO_STEPS = [(15, seed_signed_up_account)]
