"""Staffing a programme through the API: ``users`` (oneself, and the people holding a role
in a programme one coordinates; everyone for an administrator), ``role-assignments``
(grant with POST, revoke with DELETE: administrators any role, a programme's
coordinators every role but coordinator) and ``people/{id}/login/`` (a login for a
person, who sets the password through the password reset e-mail; ``api.incubator.views``).

Querysets start from ``incubator.access.visible``; writes call ``incubator.services``."""

from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from api.base import ScopedMixin, ScopedReadOnlyViewSet, VisibleRelatedField
from api.representation import ModelSerializer, Serializer
from incubator import access, services
from incubator.models import Programme, Role, RoleAssignment, User


class RoleAssignmentSerializer(ModelSerializer):
    programme_code = serializers.CharField(source="programme.code", read_only=True)

    class Meta:
        model = RoleAssignment
        fields = ["id", "user", "programme", "programme_code", "role"]
        read_only_fields = fields


class RoleGrantSerializer(Serializer):
    user = VisibleRelatedField(User, help_text=_("A user you may see (e.g. one just given a login)."))
    programme = VisibleRelatedField(Programme)
    role = serializers.ChoiceField(choices=Role.choices)


class UserRoleSerializer(ModelSerializer):
    class Meta:
        model = RoleAssignment
        fields = ["id", "programme", "role"]
        read_only_fields = fields


class UserSerializer(ModelSerializer):
    roles = UserRoleSerializer(source="visible_roles", many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "is_active", "roles"]
        read_only_fields = fields


class LoginCreateSerializer(Serializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True, default="", help_text=_("Default: the person's."))


class UserViewSet(ScopedReadOnlyViewSet):
    """Users the requester may see, with the roles they hold in the requester's programmes."""

    queryset = User.objects.defer("password")  # a password hash has no business in a list
    serializer_class = UserSerializer
    filterset_fields = ["is_active"]
    ordering_fields = ["username", "id"]
    ordering = ["username", "id"]

    def get_queryset(self):
        user = self.request.user
        roles = RoleAssignment.objects.order_by("programme_id", "role")
        if not access.is_admin(user):
            # Roles elsewhere are none of a coordinator's business (oneself sees one's own).
            roles = roles.filter(Q(programme__in=access.coordinated(user)) | Q(user=user))
        return super().get_queryset().prefetch_related(Prefetch("roles", queryset=roles, to_attr="visible_roles"))


@extend_schema_view(
    create=extend_schema(request=RoleGrantSerializer, responses={201: RoleAssignmentSerializer}),
    destroy=extend_schema(responses={204: None}),
)
class RoleAssignmentViewSet(
    ScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Roles in the programmes the requester coordinates (and their own)."""

    queryset = RoleAssignment.objects.select_related("programme")
    serializer_class = RoleAssignmentSerializer
    filterset_fields = ["user", "programme", "role"]
    ordering_fields = ["id"]
    ordering = ["id"]
    http_method_names = ["get", "post", "delete", "head", "options"]

    def create(self, request, *args, **kwargs):
        data = RoleGrantSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        assignment = services.role_grant(actor=request.user, **data.validated_data)
        assignment = self.get_queryset().get(pk=assignment.pk)
        return Response(self.get_serializer(assignment).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        services.role_revoke(actor=request.user, assignment=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
