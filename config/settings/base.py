"""Settings shared by every profile. Values that differ per deployment come from the
environment (see README, "Configuration")."""

from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY", "dev-insecure-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "django_tasks_db",
    "incubator",
    "cohorts",
    "mentoring",
    "api",
    "bench",
    # After ours, so that incubator/templates/account/ and allauth/layouts/ override allauth's.
    "allauth",
    "allauth.account",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

# Django's own Content Security Policy on every response: nothing is loaded from another
# origin (the API docs' assets come from drf-spectacular-sidecar, served locally).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "incubator.navigation.context",
                "incubator.notifications.context_processors.unread",
            ],
        },
    },
]

# SQLite by default; DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/incubator)
# switches to PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# A streaming replica of the primary for reports and feeds (see config/routers.py).
if env_str("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = dj_database_url.parse(
        env_str("DATABASE_REPLICA_URL"), conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["config.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "incubator.User"

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "config.redis_cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# With a shared cache (Redis) sessions are read from it and written through to the
# database (cached_db): an authenticated request makes no session query. Without one the
# cache would be each process's own memory, where a session ended in one process would
# live on in the others, so sessions stay in the database alone.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"

# Login throttling per account and per address, counted in the shared cache (Redis when
# REDIS_URL is set, so every web process sees the same counters). One backend under every
# login path (allauth's pages, the admin, the API token): allauth's own login_failed limit
# is switched off below so that there is one mechanism.
AUTHENTICATION_BACKENDS = ["incubator.auth.ThrottledModelBackend"]
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 5)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 20)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 15 * 60)
# The client's address behind a reverse proxy (docs/security.md, "Behind a proxy"): only
# when REMOTE_ADDR is one of TRUSTED_PROXIES (addresses or networks) is CLIENT_ADDRESS_HEADER
# read, from the right, skipping trusted proxies. Empty: REMOTE_ADDR alone.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
CLIENT_ADDRESS_HEADER = env_str("CLIENT_ADDRESS_HEADER", "X-Forwarded-For")

# Accounts (django-allauth, incubator/accounts/): sign-up by e-mail with a verification
# link, login by e-mail (or the username that the office gave), password reset, e-mail change.
ACCOUNT_ADAPTER = "incubator.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "incubator.accounts.forms.SignupForm"}
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
# Sessions end when the browser closes (SESSION_EXPIRE_AT_BROWSER_CLOSE): no "remember me".
ACCOUNT_SESSION_REMEMBER = False
# A changed password or e-mail address is announced to the account's address.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
# allauth counts e-mails sent per address and per client (its adapter asks incubator.auth
# for the client's address); failed logins are counted by incubator.auth only.
ACCOUNT_RATE_LIMITS = {
    "login_failed": False,
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_email": "1/m/user",
    "manage_email": "10/m/user",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
}
# The version of the privacy notice that sign-up asks to accept; raise it when the notice
# changes (each acceptance is recorded with the version the person saw).
PRIVACY_NOTICE_VERSION = env_str("PRIVACY_NOTICE_VERSION", "2026-12")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Only the dev profile lets seed_demo give the personas their short demo password.
DEMO_PASSWORDS_ALLOWED = False
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploaded files are never served from a public URL: views check access first.
MEDIA_URL = "/media-not-public/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

REST_FRAMEWORK = {
    # Token first: DRF answers a failed authentication with the first class's challenge;
    # the session class has none, which turned a revoked token's 401 into a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "api.filters.BoundedFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # JSON only: the browsable API's templates need inline styles that the Content
    # Security Policy blocks; people read the API at /api/docs/.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Bodies are JSON (the views that take a file add multipart themselves), so the schema
    # offers one media type per body and a generated client sends what the view reads.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "api.pagination.DefaultPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.AnonRateThrottle",
        "api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "60/minute"),
        "user": env_str("API_THROTTLE_USER", "2000/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Incubator API",
    "DESCRIPTION": "Incubation and tutoring management for EU-funded social-innovation programmes.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.document_error_responses",
    ],
    # Stable component names for choice sets used by several fields or sharing a field
    # name ("state", "role", "kind", "status") with other apps' choices.
    "ENUM_NAME_OVERRIDES": {
        "ApplicantKindEnum": "incubator.models.ApplicantKind",
        "ApplicationStateEnum": "incubator.selection.models.ApplicationState",
        "BudgetCategoryEnum": "incubator.selection.models.BudgetCategory",
        "IntegrationRequestStateEnum": "incubator.selection.models.IntegrationRequest.State",
        "EnrolmentStatusEnum": "incubator.path.models.EnrolmentStatus",
        "TeamRoleEnum": "incubator.models.TeamMember.TeamRole",
        "ChecklistItemKindEnum": "incubator.selection.models.ChecklistItem.Kind",
        "GrantStateEnum": "incubator.funding.models.GrantState",
        "TrancheKindEnum": "incubator.funding.models.TrancheKind",
        "TrancheStateEnum": "incubator.funding.models.TrancheState",
        "ExpenseReportStateEnum": "incubator.funding.models.ExpenseReportState",
        "ExpenseItemStatusEnum": "incubator.funding.models.ExpenseItemStatus",
        "ExpenseCategoryEnum": "incubator.funding.models.ExpenseCategory",
        "CampaignStateEnum": "incubator.funding.models.CampaignState",
        "CampaignModelEnum": "incubator.funding.models.CampaignModel",
        "DeMinimisSourceEnum": "incubator.funding.models.DeMinimisAid.Source",
        "SpecialCategoryAnswerEnum": "incubator.participants.models.SpecialCategoryAnswer",
        "OutcomeSourceEnum": "incubator.participants.models.OutcomeSource",
        "ExportKindEnum": "cohorts.reports.models.ExportKind",
        "ExportStatusEnum": "cohorts.reports.models.ExportStatus",
        "MilestoneStateEnum": "incubator.path.models.MilestoneState",
        "RoleEnum": "incubator.models.Role",
        "AssignmentRoleEnum": "mentoring.models.AssignmentRole",
        "AttendanceStatusEnum": "cohorts.models.AttendanceStatus",
        "TrainingSessionKindEnum": "cohorts.models.TrainingSession.Kind",
        "CalendarFeedKindEnum": "incubator.calendar.models.CalendarFeed.Kind",
        "ModuleModeEnum": "cohorts.models.ModuleMode",
        "SessionModeEnum": "mentoring.models.SessionMode",
        "TutorKindEnum": "mentoring.models.TutorKind",
        "NotificationKindEnum": "incubator.notifications.kinds.Kind",
        "NotificationChannelEnum": "incubator.notifications.kinds.Channel",
        "EmailStateEnum": "incubator.notifications.models.EmailState",
        "OrganisationKindEnum": "incubator.organisations.models.OrganisationKind",
        "CompanySizeEnum": "incubator.organisations.models.CompanySize",
        "PartnerRoleEnum": "incubator.selection.models.PartnerRole",
        "NegotiationStateEnum": "incubator.negotiation.models.NegotiationState",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Digitally signed acts (incubator/documents/signatures.py): the certificates trusted as
# anchors, a directory of PEM/DER files (the AgID/EU trusted list loaded by the office, see
# docs/signed-acts.md). Empty: no signature is trusted, every signed act is refused.
SIGNATURE_TRUST_ROOTS = env_str("SIGNATURE_TRUST_ROOTS", str(BASE_DIR / "trust-roots"))
# Fetch CRLs/OCSP named in the certificates while checking a signature (needs the network).
SIGNATURE_FETCH_REVOCATION = env_bool("SIGNATURE_FETCH_REVOCATION", False)
SIGNED_ACT_MAX_BYTES = env_int("SIGNED_ACT_MAX_BYTES", 20 * 1024 * 1024)

# Exports of scopes with more participants than this are built by a task (cohorts.reports.tasks).
REPORTS_BACKGROUND_THRESHOLD = env_int("REPORTS_BACKGROUND_THRESHOLD", 500)
# Scheme and host for links in emails ("your export is ready"); empty gives relative paths.
SITE_URL = env_str("SITE_URL", "")

# Email: SMTP in production (EMAIL_HOST...), printed to the console in development.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "incubatore@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Notifications (incubator.notifications): the local hour from which the scheduler sends the
# daily digests, and the days an evaluator has from assignment before the evaluation is overdue.
NOTIFICATIONS_DIGEST_HOUR = env_int("NOTIFICATIONS_DIGEST_HOUR", 7)
NOTIFICATIONS_EVALUATION_DAYS = env_int("NOTIFICATIONS_EVALUATION_DAYS", 14)

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
