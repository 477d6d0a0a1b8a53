from importlib import import_module

from django.apps import AppConfig
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _

# The subject packages of the incubator app (docs/architecture.md). Their models keep
# ``app_label = "incubator"`` and their tables; the app config loads them by name so that
# the core never imports a subject package.
SUBJECTS = (
    "selection",
    "path",
    "calendar",
    "funding",
    "participants",
    "privacy",
    "imports",
    "accounts",
    "notifications",
    "documents",
    "organisations",
    "negotiation",
)
# Modules of each subject that register something when imported: access rules, calendar
# sources, grant checks, the data-subject export's sections, back-office pages, reminder
# sources of the notification scheduler.
REGISTERING = ("access", "calendar", "selectors", "services", "admin", "reminders")


class IncubatorConfig(AppConfig):
    name = "incubator"
    verbose_name = _("Incubator")

    def import_models(self) -> None:
        super().import_models()
        for subject in SUBJECTS:
            package = import_module(f"{self.name}.{subject}")
            if module_has_submodule(package, "models"):
                import_module(f"{self.name}.{subject}.models")

    def ready(self) -> None:
        for subject in SUBJECTS:
            package = import_module(f"{self.name}.{subject}")
            for name in REGISTERING:
                if module_has_submodule(package, name):
                    import_module(f"{package.__name__}.{name}")
