from django.urls import path
from rest_framework.routers import SimpleRouter

from api.incubator import me_calendar, staffing, views
from api.incubator.documents import views as documents_views
from api.incubator.funding import measures as funding_measures
from api.incubator.funding import views as funding_views
from api.incubator.path import views as path_views
from api.incubator.selection import portal_views
from api.incubator.selection import views as selection_views

router = SimpleRouter()
router.register("programmes", views.ProgrammeViewSet, basename="programme")
router.register("calls", selection_views.CallViewSet, basename="call")
router.register("applications", selection_views.ApplicationViewSet, basename="application")
router.register("evaluations", selection_views.EvaluationViewSet, basename="evaluation")
# The applicant portal (my applications and drafts, integration requests, submissions).
router.register("my-applications", portal_views.MyApplicationViewSet, basename="my-application")
router.register("integration-requests", portal_views.IntegrationRequestViewSet, basename="integration-request")
router.register("submissions", portal_views.SubmissionViewSet, basename="submission")
router.register("ventures", views.VentureViewSet, basename="venture")
router.register("people", views.PersonViewSet, basename="person")
router.register("users", staffing.UserViewSet, basename="user")
router.register("role-assignments", staffing.RoleAssignmentViewSet, basename="role-assignment")
router.register("enrolments", path_views.EnrolmentViewSet, basename="enrolment")

# Funding (grants, tranches, expenses, de minimis, crowdfunding).
router.register("grants", funding_views.GrantViewSet, basename="grant")
router.register(r"grants/(?P<grant_pk>\d+)/tranches", funding_views.TrancheViewSet, basename="grant-tranches")
router.register(
    r"grants/(?P<grant_pk>\d+)/expense-reports", funding_views.ExpenseReportViewSet, basename="grant-expense-reports"
)
router.register(r"grants/(?P<grant_pk>\d+)/expenses", funding_views.ExpenseItemViewSet, basename="grant-expenses")
router.register(r"grants/(?P<grant_pk>\d+)/signed-acts", documents_views.SignedActViewSet, basename="grant-signed-acts")
router.register("de-minimis", funding_views.DeMinimisViewSet, basename="de-minimis")
router.register("campaigns", funding_views.CampaignViewSet, basename="campaign")
router.register("matching-rules", funding_views.MatchingRuleViewSet, basename="matching-rule")
router.register("measures", funding_measures.MeasureViewSet, basename="measure")
router.register("programme-budgets", funding_measures.ProgrammeBudgetViewSet, basename="programme-budget")

# The participant's path (milestones, templates, suspensions; me/path below).
router.register("milestones", path_views.MilestoneViewSet, basename="milestone")
router.register("milestone-templates", path_views.MilestoneTemplateViewSet, basename="milestone-template")
router.register("enrolment-suspensions", path_views.EnrolmentSuspensionViewSet, basename="enrolment-suspension")

urlpatterns = [
    path("auth/token/", views.TokenObtainView.as_view(), name="token-obtain"),
    path("auth/token/revoke/", views.TokenRevokeView.as_view(), name="token-revoke"),
    *router.urls,
]
urlpatterns += [
    path("me/path/", path_views.MePathView.as_view(), name="me-path"),
    path("me/calendar/", me_calendar.MeCalendarView.as_view(), name="me-calendar"),
    path("me/calendar/rotate/", me_calendar.MeCalendarRotateView.as_view(), name="me-calendar-rotate"),
]

# Participants' ESF+ entry data and results, venture outcomes, unit costs, read log.
from api.incubator.participants import views as participants_views  # noqa: E402

participants_router = SimpleRouter()
participants_router.register(
    "participant-entry-data", participants_views.EntryDataViewSet, basename="participant-entry-data"
)
participants_router.register("participant-results", participants_views.ResultViewSet, basename="participant-result")
participants_router.register("venture-outcomes", participants_views.VentureOutcomeViewSet, basename="venture-outcome")
participants_router.register(
    "training-unit-costs", participants_views.TrainingUnitCostViewSet, basename="training-unit-cost"
)
participants_router.register(
    "sensitive-data-reads", participants_views.SensitiveDataReadViewSet, basename="sensitive-data-read"
)
urlpatterns += participants_router.urls

# Data-subject rights: access export, erasure, consent records, erasure log.
from api.incubator.privacy import views as gdpr_views  # noqa: E402

gdpr_router = SimpleRouter()
gdpr_router.register("consents", gdpr_views.ConsentRecordViewSet, basename="consent")
gdpr_router.register("erasure-requests", gdpr_views.ErasureRequestViewSet, basename="erasure-request")
urlpatterns += [
    path("people/<int:pk>/personal-data/", gdpr_views.PersonalDataView.as_view(), name="person-personal-data"),
    path("people/<int:pk>/erasure/", gdpr_views.PersonErasureView.as_view(), name="person-erasure"),
    *gdpr_router.urls,
]

# Imports and back-office exports (the back office's resources and formats).
from api.incubator import data_io  # noqa: E402

data_io_router = SimpleRouter()
data_io_router.register("import-jobs", data_io.ImportJobViewSet, basename="import-job")
urlpatterns += [
    path("imports/<str:resource>/", data_io.ImportView.as_view(), name="import"),
    path("exports/<str:resource>/", data_io.ExportView.as_view(), name="export"),
    *data_io_router.urls,
]

# The notification centre: the person's own notifications and preferences; deliveries
# (e-mail state, failures) for administrators.
from api.incubator.notifications import views as notification_views  # noqa: E402

notifications_router = SimpleRouter()
notifications_router.register("notifications", notification_views.NotificationViewSet, basename="notification")
notifications_router.register(
    "notification-deliveries", notification_views.DeliveryViewSet, basename="notification-delivery"
)
urlpatterns += [
    path(
        "me/notification-preferences/",
        notification_views.MeNotificationPreferencesView.as_view(),
        name="me-notification-preferences",
    ),
    *notifications_router.urls,
]

# Organisations, partnerships and the negotiation procedure.
from api.incubator.negotiation import views as negotiation_views  # noqa: E402

negotiation_router = SimpleRouter()
negotiation_router.register("organisations", negotiation_views.OrganisationViewSet, basename="organisation")
negotiation_router.register("applicants", negotiation_views.ApplicantsViewSet, basename="applicants")
negotiation_router.register("negotiations", negotiation_views.NegotiationViewSet, basename="negotiation")
urlpatterns += negotiation_router.urls
