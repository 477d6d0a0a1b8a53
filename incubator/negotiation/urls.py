from django.urls import path

from incubator.negotiation import views

app_name = "negotiation"
urlpatterns = [
    path("negotiations/", views.negotiation_list, name="list"),
    path("negotiations/open/<int:application_pk>/", views.negotiation_open, name="open"),
    path("negotiations/<int:pk>/", views.negotiation_detail, name="detail"),
    path("negotiations/<int:pk>/compare/", views.negotiation_compare, name="compare"),
]
