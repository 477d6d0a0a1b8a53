"""``grants/{grant_pk}/signed-acts``: the grant act signed by the beneficiary, uploaded
(multipart ``file``) and verified by ``incubator.documents.services.signed_act_upload``; a
refused signature answers 400 with the reason on ``file``. The grant's venture team and
the programme's coordinators see them; anyone else gets 404."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from api.base import ScopedMixin
from api.incubator.documents import serializers as s
from incubator import access
from incubator.documents import selectors, services
from incubator.documents.models import SignedAct
from incubator.funding.models import Grant


@extend_schema_view(
    create=extend_schema(
        request={"multipart/form-data": s.SignedActUploadSerializer}, responses={201: s.SignedActSerializer}
    )
)
class SignedActViewSet(ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       viewsets.GenericViewSet):  # fmt: skip
    queryset = SignedAct.objects.all()
    serializer_class = s.SignedActSerializer
    parser_classes = [MultiPartParser]
    ordering_fields = ["verified_at", "signed_at"]
    http_method_names = ["get", "post", "head", "options"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.grant = access.get_visible(
            request.user, Grant.objects.select_related("venture"), pk=kwargs.get("grant_pk")
        )

    def get_queryset(self) -> QuerySet[SignedAct]:
        return selectors.signed_acts(self.request.user).filter(grant_id=self.kwargs.get("grant_pk"))

    def create(self, request, *args, **kwargs):
        serializer = s.SignedActUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        act = services.signed_act_upload(
            actor=request.user, grant=self.grant, file_name=upload.name, content=upload.read()
        )
        fresh = self.get_queryset().get(pk=act.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)
