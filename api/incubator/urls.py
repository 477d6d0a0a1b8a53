from django.urls import path
from rest_framework.routers import SimpleRouter

from api.incubator import path_views, views

router = SimpleRouter()
router.register("programmes", views.ProgrammeViewSet, basename="programme")
router.register("calls", views.CallViewSet, basename="call")
router.register("applications", views.ApplicationViewSet, basename="application")
router.register("evaluations", views.EvaluationViewSet, basename="evaluation")
router.register("ventures", views.VentureViewSet, basename="venture")
router.register("people", views.PersonViewSet, basename="person")
router.register("enrolments", views.EnrolmentViewSet, basename="enrolment")

# The participant's path (milestones, templates, suspensions; me/path below).
router.register("milestones", path_views.MilestoneViewSet, basename="milestone")
router.register("milestone-templates", path_views.MilestoneTemplateViewSet, basename="milestone-template")
router.register("enrolment-suspensions", path_views.EnrolmentSuspensionViewSet, basename="enrolment-suspension")

urlpatterns = [
    path("auth/token/", views.TokenObtainView.as_view(), name="token-obtain"),
    path("auth/token/revoke/", views.TokenRevokeView.as_view(), name="token-revoke"),
    *router.urls,
]
urlpatterns += [path("me/path/", path_views.MePathView.as_view(), name="me-path")]
