from django.urls import path

from incubator.documents import views

app_name = "documents"

urlpatterns = [
    path("documents/applications/<int:pk>/<str:kind>.pdf", views.application_document, name="application-document"),
    path("documents/calls/<int:pk>/ranking.pdf", views.ranking_act, name="ranking-act"),
    path("documents/grants/<int:pk>/act.pdf", views.grant_act, name="grant-act"),
    path("certificates/<str:code>/", views.certificate_verify, name="certificate-verify"),
]
