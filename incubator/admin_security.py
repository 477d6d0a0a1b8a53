"""Back-office models that belong to no programme (user groups, API tokens, background
task results) are for administrators only. For anyone else every id looks missing:
Django's own history page otherwise answers 403 for an existing id and "does not exist"
for a missing one, which tells a staff user which ids exist. Imported at the end of
``incubator.admin``, after the apps that register these models."""

from django.apps import apps
from django.contrib import admin

from incubator import access

MODELS = (("auth", "Group"), ("authtoken", "TokenProxy"), ("django_tasks_database", "DBTaskResult"))


def administrators_only(admin_class: type[admin.ModelAdmin]) -> type[admin.ModelAdmin]:
    class AdministratorsOnly(admin_class):
        def get_queryset(self, request):
            queryset = super().get_queryset(request)
            return queryset if access.is_admin(request.user) else queryset.none()

    AdministratorsOnly.__name__ = admin_class.__name__
    AdministratorsOnly.__qualname__ = admin_class.__qualname__
    return AdministratorsOnly


for app_label, model_name in MODELS:
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        continue
    if admin.site.is_registered(model):
        current = type(admin.site.get_model_admin(model))
        admin.site.unregister(model)
        admin.site.register(model, administrators_only(current))
