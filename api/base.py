"""What every API view shares: querysets start from ``incubator.access.visible``."""

from rest_framework import viewsets

from incubator import access


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
