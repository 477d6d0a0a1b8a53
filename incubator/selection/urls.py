from django.urls import path

from incubator.selection import views, views_office

# The applicant portal (public calls, drafts, submission) and the office's pages of it.
app_name = "selection"
urlpatterns = [
    path("calls/", views.calls, name="calls"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("calls/<int:pk>/documents/<int:document_pk>/", views.call_document, name="call-document"),
    path("calls/<int:pk>/ranking/", views.call_ranking, name="call-ranking"),
    path("calls/<int:pk>/apply/", views.apply, name="apply"),
    path("my-applications/", views.my_applications, name="my-applications"),
    path("my-applications/<int:pk>/", views.application, name="application"),
    path("my-applications/<int:pk>/save/", views.application_save, name="save"),
    path("my-applications/<int:pk>/files/<int:question_pk>/", views.answer_file, name="answer-file"),
    path("my-applications/<int:pk>/budget/", views.budget_add, name="budget-add"),
    path("my-applications/<int:pk>/budget/<int:item_pk>/remove/", views.budget_remove, name="budget-remove"),
    path("my-applications/<int:pk>/invite/", views.invite, name="invite"),
    path("my-applications/<int:pk>/organisation/", views.organisation_set, name="organisation"),
    path("my-applications/<int:pk>/partners/", views.partners_set, name="partners"),
    path("my-applications/<int:pk>/check/", views.check, name="check"),
    path("my-applications/<int:pk>/submit/", views.submit, name="submit"),
    path("my-applications/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("my-applications/<int:pk>/receipt.txt", views.receipt_download, name="receipt-download"),
    path("my-applications/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path(
        "my-applications/<int:pk>/integration/<int:request_pk>/answer/",
        views.integration_answer,
        name="integration-answer",
    ),
    path("my-applications/<int:pk>/integration-files/<int:file_pk>/", views.integration_file, name="integration-file"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("office/calls/<int:pk>/applications/", views_office.call_submissions, name="office-submissions"),
    path("office/applications/<int:pk>/", views_office.application_detail, name="office-application"),
    path("office/applications/<int:pk>/integration/", views_office.integration_request, name="office-integration"),
    path(
        "office/applications/<int:pk>/integration/<int:request_pk>/ineligible/",
        views_office.declare_ineligible,
        name="office-ineligible",
    ),
]
