"""allauth's adapter: the client's address from the one place that knows the proxy set-up
(``incubator.auth.client_address``), and e-mail verification for self-service accounts."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.account.stages import EmailVerificationStage

from incubator.auth import client_address


class SelfServiceEmailVerificationStage(EmailVerificationStage):
    """Sign-up and e-mail change record an address (allauth's ``EmailAddress``) that must be
    verified before logging in. Logins that the office created for staff and participants
    have no such record: the office vouched for them, and they log in as before."""

    def handle(self):
        user = self.login.user  # None when sign-up met a known address (no enumeration)
        if user is not None and not EmailAddress.objects.filter(user_id=user.pk).exists():
            return None, True
        return super().handle()


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        return client_address(request)

    def get_login_stages(self) -> list[str]:
        stages = super().get_login_stages()
        default = "allauth.account.stages.EmailVerificationStage"
        mine = f"{SelfServiceEmailVerificationStage.__module__}.{SelfServiceEmailVerificationStage.__qualname__}"
        return [mine if stage == default else stage for stage in stages]
