from django.urls import path

from incubator.selection import views_review as views

# The evaluators' workspace and the coordinators' selection board.
urlpatterns = [
    path("selection/evaluations/", views.my_evaluations, name="selection-my-evaluations"),
    path("selection/evaluations/export.csv", views.my_evaluations_export, name="selection-my-export"),
    path("selection/evaluations/<int:pk>/", views.evaluation_detail, name="selection-evaluation"),
    path(
        "selection/evaluations/<int:pk>/files/<int:question_pk>/",
        views.evaluation_file,
        name="selection-evaluation-file",
    ),
    path("selection/evaluations/<int:pk>/score/", views.evaluation_score, name="selection-score"),
    path("selection/evaluations/<int:pk>/conflict/", views.evaluation_conflict, name="selection-conflict"),
    path("selection/evaluations/<int:pk>/reassign/", views.board_reassign, name="selection-reassign"),
    path("selection/calls/", views.calls, name="selection-calls"),
    path("selection/calls/<int:pk>/", views.board, name="selection-board"),
    path("selection/calls/<int:pk>/applications/", views.board_applications, name="selection-applications"),
    path("selection/calls/<int:pk>/assign/", views.board_assign, name="selection-assign"),
    path("selection/calls/<int:pk>/publish/", views.board_publish, name="selection-publish"),
    path("selection/calls/<int:pk>/decide/", views.board_decide, name="selection-decide"),
    path("selection/criteria/<int:pk>/rubric/", views.board_rubric, name="selection-rubric"),
    path("selection/applications/<int:pk>/moderate/", views.board_moderate, name="selection-moderate"),
]
