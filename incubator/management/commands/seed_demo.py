"""``manage.py seed_demo``: the demo data, built by every installed app's ``demo`` module
through the real services (see ``incubator/demo_context.py`` for the step orders)."""

import pkgutil
import random
from collections import defaultdict
from collections.abc import Callable
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.utils import timezone

from incubator.demo_context import DEMO_PASSWORD, PERSONAS, DemoContext
from incubator.models import Programme, User
from incubator.selection.demo import PERSONA_DETAILS, PROGRAMME_CODE

Step = Callable[[DemoContext], None]
# Users that other apps' steps create beside the personas carry this prefix, so that
# ``--reset`` finds them.
DEMO_USERNAME_PREFIX = "demo-"


def _demo_modules(config) -> list[str]:
    """The app's ``demo`` modules: ``demo`` or ``demo_<feature>`` at its root and in its
    subject packages (``incubator.funding.demo``, ``cohorts.reports.figures``...). Not the
    installed libraries' apps: walking their packages imports them (allauth's optional ones
    refuse to be imported when not in INSTALLED_APPS)."""
    if {"site-packages", "dist-packages"} & set(Path(config.path).resolve().parts):
        return []
    names = []
    for info in pkgutil.walk_packages([config.path], prefix=f"{config.name}."):
        leaf = info.name.rsplit(".", 1)[1]
        if leaf == "demo" or leaf.startswith("demo_"):
            names.append(info.name)
    return sorted(names)


def collect_steps() -> list[tuple[int, str, Step]]:
    """``(order, module, function)`` from the ``DEMO_STEPS`` of each installed app's demo
    modules, by order, then in INSTALLED_APPS and module-name order for equal orders."""
    steps = []
    for position, config in enumerate(apps.get_app_configs()):
        for module_name in _demo_modules(config):
            module = import_module(module_name)
            for order, function in getattr(module, "DEMO_STEPS", []):
                steps.append((order, position, module_name, function))
    steps.sort(key=lambda step: (step[0], step[1], step[2]))
    return [(order, module_name, function) for order, _position, module_name, function in steps]


def collect_reset_hooks() -> list[Callable[[], None]]:
    """``DEMO_RESET`` functions of the demo modules: run first by ``--reset`` to remove
    what a module built in bulk faster than the generic purge below can."""
    hooks = []
    for config in apps.get_app_configs():
        for module_name in _demo_modules(config):
            hooks.extend(getattr(import_module(module_name), "DEMO_RESET", []))
    return hooks


def demo_present() -> bool:
    return Programme.objects.filter(code=PROGRAMME_CODE).exists() or User.objects.filter(username__in=PERSONAS).exists()


def _purge(queryset: models.QuerySet, depth: int = 0) -> None:
    """Deletes ``queryset``, first deleting whatever protects its rows (PROTECT and
    RESTRICT foreign keys of any app), so the reset needs no list of other apps' models."""
    if depth > 25:
        raise CommandError(f"Cannot reset the demo data: {queryset.model._meta.label} rows stay protected.")
    while True:
        try:
            with transaction.atomic():
                queryset.delete()
            return
        except (ProtectedError, RestrictedError) as exc:
            blockers = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", set())
            by_model: dict[type[models.Model], set] = defaultdict(set)
            for obj in blockers:
                by_model[type(obj)].add(obj.pk)
            for model, pks in by_model.items():
                _purge(model._base_manager.filter(pk__in=pks), depth + 1)


def demo_reset() -> None:
    """Removes the demo: the programmes a persona holds a role in (or with the demo code),
    everything that depends on them, and the demo users."""
    for hook in collect_reset_hooks():
        hook()
    programmes = Programme.objects.filter(Q(code=PROGRAMME_CODE) | Q(roles__user__username__in=PERSONAS)).distinct()
    _purge(Programme.objects.filter(pk__in=list(programmes.values_list("pk", flat=True))))
    _purge(User.objects.filter(Q(username__in=PERSONAS) | Q(username__startswith=DEMO_USERNAME_PREFIX)))


class Command(BaseCommand):
    help = (
        "Builds the demo data (an INNESCO-like programme, its call, ranking, cohorts, tutoring and funding) by "
        "calling the services. Does nothing when the demo data is already there, unless --reset is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026): same seed, same data.")
        parser.add_argument("--reset", action="store_true", help="Delete the demo data first, then build it again.")
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            help="0 for the normal demo; a larger number asks the steps that support it for more data.",
        )

    def handle(self, *args, seed: int, reset: bool, scale: int, verbosity: int = 1, **options) -> None:
        if scale < 0:
            raise CommandError("--scale must be 0 or more.")
        if reset:
            with transaction.atomic():
                demo_reset()
            self.stdout.write("Removed the previous demo data.")
        elif demo_present():
            self.stdout.write("Demo data already present: nothing to do (use --reset to rebuild it).")
            self._logins(User.objects.filter(username__in=PERSONAS, password__startswith="!").count() == 0)
            return
        ctx = DemoContext(rng=random.Random(seed), today=timezone.localdate(), scale=scale)
        with transaction.atomic():
            for order, module_name, step in collect_steps():
                if verbosity > 1:
                    self.stdout.write(f"  step {order}: {module_name}.{step.__name__}")
                step(ctx)
        summary = f"Demo data built (seed {seed}, scale {scale})"
        if ctx.call is not None:
            applications = ctx.call.applications.count()
            summary += f": {applications} applications, {len(ctx.enrolments)} enrolments"
        self.stdout.write(self.style.SUCCESS(summary + "."))
        self._logins(bool(ctx.extra.get("demo_passwords")))

    def _logins(self, with_password: bool) -> None:
        if with_password:
            self.stdout.write(f"Demo logins (password “{DEMO_PASSWORD}” for each):")
        else:
            self.stdout.write(
                "Demo personas have unusable passwords: this settings profile does not allow demo passwords "
                "(DEMO_PASSWORDS_ALLOWED). Set one with: manage.py changepassword <username>"
            )
        for username, (first, last, role, _staff, superuser) in PERSONA_DETAILS.items():
            what = "administrator" if superuser else str(role)
            self.stdout.write(f"  {username:<13} {what:<12} {first} {last}")
