from django.urls import path

from incubator.documents import signed_views, views

app_name = "documents"

urlpatterns = [
    path("documents/applications/<int:pk>/<str:kind>.pdf", views.application_document, name="application-document"),
    path("documents/calls/<int:pk>/ranking.pdf", views.ranking_act, name="ranking-act"),
    path("documents/grants/<int:pk>/act.pdf", views.grant_act, name="grant-act"),
    path("documents/grants/<int:pk>/signed-act/", signed_views.signed_act, name="signed-act"),
    path("documents/signed-acts/<int:pk>/file/", signed_views.signed_act_file, name="signed-act-file"),
    path("certificates/<str:code>/", views.certificate_verify, name="certificate-verify"),
]
