"""What every API view shares: querysets start from ``incubator.access.visible``."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from incubator import access
from incubator.models import User


class ScopedMixin:
    """``get_queryset`` = the records the user may see (so others answer 404).
    Subclasses set ``queryset`` (with select_related/prefetch for their serializer)."""

    def get_queryset(self):
        return access.visible(self.request.user, super().get_queryset())


class ScopedReadOnlyViewSet(ScopedMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedViewSet(ScopedMixin, viewsets.ModelViewSet):
    """Create/update go through services: subclasses implement ``perform_create`` and
    ``perform_update`` by calling one; ``http_method_names`` limits what is exposed."""

    http_method_names = ["get", "post", "patch", "head", "options"]


@extend_schema_field(OpenApiTypes.INT)
class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id in a request body, resolved among the records the requesting user may
    see: an id out of reach answers "does not exist", exactly like an id that does not
    exist. Pass the model (``VisibleRelatedField(Call)``) or a ``queryset=``."""

    def __init__(self, model=None, **kwargs):
        if model is not None:
            kwargs.setdefault("queryset", model._default_manager.all())
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return access.visible(getattr(request, "user", None), super().get_queryset())


@extend_schema_field(OpenApiTypes.INT)
class RoleHolderField(serializers.PrimaryKeyRelatedField):
    """Active users holding ``role`` in a programme the requester coordinates (any, for an
    administrator); the service then checks the record's own programme."""

    def __init__(self, role: str, **kwargs):
        self.role = role
        kwargs.setdefault("queryset", User.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        holders = super().get_queryset().filter(roles__role=self.role, is_active=True)
        if not access.is_admin(user):
            holders = holders.filter(roles__programme__in=access.coordinated(user))
        return holders.distinct()
