from rest_framework.routers import SimpleRouter

from api.mentoring import views

router = SimpleRouter()
router.register("unit-cost-bands", views.UnitCostBandViewSet, basename="unit-cost-band")
router.register("tutors", views.TutorViewSet, basename="tutor")
router.register("tutor-conflicts", views.TutorConflictViewSet, basename="tutor-conflict")
router.register("venture-needs", views.VentureNeedsViewSet, basename="venture-needs")
router.register("assignments", views.AssignmentViewSet, basename="assignment")
router.register("tutoring-sessions", views.TutoringSessionViewSet, basename="tutoring-session")
router.register("action-items", views.ActionItemViewSet, basename="action-item")
router.register("timesheets", views.TimesheetViewSet, basename="timesheet")

urlpatterns = router.urls
