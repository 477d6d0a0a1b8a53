from rest_framework.routers import SimpleRouter

from api.cohorts import views

router = SimpleRouter()
router.register("cohorts", views.CohortViewSet, basename="cohort")
router.register("cohort-modules", views.CohortModuleViewSet, basename="cohort-module")
router.register("training-sessions", views.TrainingSessionViewSet, basename="training-session")
router.register("attendance", views.AttendanceViewSet, basename="attendance")

urlpatterns = router.urls
