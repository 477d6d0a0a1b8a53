app_name = "cohorts"

urlpatterns: list = []
