from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncubatorConfig(AppConfig):
    name = "incubator"
    verbose_name = _("Incubator")

    def ready(self) -> None:
        from incubator import access_participants  # noqa: F401
        from incubator import access_path, path_calendar  # noqa: F401
        from incubator import access_funding, services_funding  # noqa: F401
