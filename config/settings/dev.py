from config.env import env_bool

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
# Only the dev profile accepts the demo personas' short demo passwords.
AUTH_PASSWORD_VALIDATORS: list = []
DEMO_PASSWORDS_ALLOWED = True
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
