from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncubatorConfig(AppConfig):
    name = "incubator"
    verbose_name = _("Incubator")

    def ready(self) -> None:
        # Access rules, calendar sources and the data-subject export's sections.
        from incubator import (  # noqa: F401
            access_funding,
            access_gdpr,
            access_imports,
            access_participants,
            access_path,
            path_calendar,
            selectors_gdpr,
            services_funding,
        )
