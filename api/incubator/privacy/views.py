"""API of data-subject rights: a person's access export (JSON or CSV), erasure requests,
consent and refusal records.

The person is looked up among those the user may see (``access.visible``: the
programme's coordinators and the person themself), so anyone else gets 404. Writes call
``incubator.privacy.services``; an erasure refused while the retention period runs is still
a request (201, outcome ``refused`` with the reason)."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import ScopedReadOnlyViewSet
from api.incubator.privacy import serializers as s
from incubator import access
from incubator.exceptions import NotPermitted
from incubator.models import Person
from incubator.privacy import services as services_gdpr
from incubator.privacy.models import ConsentRecord, ErasureRequest
from incubator.privacy.selectors import personal_data
from incubator.privacy.views import personal_data_response


def _person(request, pk) -> Person:
    return access.get_visible(request.user, Person.objects.select_related("programme", "user"), pk=pk)


class PersonalDataView(APIView):
    """Everything about a person (GDPR art. 15 and 20), for the person and for the
    coordinators of their programme. Reading the ESF+ entry data in it is logged."""

    @extend_schema(
        parameters=[OpenApiParameter("as", str, enum=["json", "csv"], description="File format (JSON by default).")],
        responses={(200, "application/json"): OpenApiTypes.OBJECT, (200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request, pk: int):
        person = _person(request, pk)
        fmt = request.query_params.get("as", "json")
        if fmt not in ("json", "csv"):
            raise serializers.ValidationError({"as": [_("Choose json or csv.")]})
        try:
            data = personal_data(reader=request.user, person=person)
        except NotPermitted:
            raise Http404() from None
        return personal_data_response(data, fmt, f"person-{person.pk}")


class PersonErasureView(APIView):
    """Asks to erase (anonymise) a person: refused with the reason while the programme's
    retention period runs (5 years from 31 December of the year of the last payment)."""

    @extend_schema(request=None, responses={201: s.ErasureRequestSerializer})
    def post(self, request, pk: int):
        person = _person(request, pk)
        erasure = services_gdpr.person_erasure_request(actor=request.user, person=person)
        return Response(s.ErasureRequestSerializer(erasure).data, status=status.HTTP_201_CREATED)


class ConsentRecordViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Consent and refusal records: purpose, given or refused, when, recorded by whom,
    withdrawn. A new decision on a purpose supersedes the current one."""

    queryset = ConsentRecord.objects.order_by("person", "purpose", "-decided_at", "-id")
    serializer_class = s.ConsentRecordSerializer
    filterset_fields = ["person", "purpose", "given"]
    ordering_fields = ["decided_at", "id"]

    @extend_schema(request=s.ConsentRecordCreateSerializer, responses={201: s.ConsentRecordSerializer})
    def create(self, request, *args, **kwargs):
        data = s.ConsentRecordCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        record = services_gdpr.consent_record(actor=request.user, **data.validated_data)
        return Response(self.get_serializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ConsentWithdrawSerializer, responses=s.ConsentRecordSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        consent = self.get_object()
        data = s.ConsentWithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consent = services_gdpr.consent_withdraw(
            actor=request.user, consent=consent, at=data.validated_data.get("withdrawn_at")
        )
        return Response(self.get_serializer(consent).data)


class ErasureRequestViewSet(ScopedReadOnlyViewSet):
    """The erasure log: every request and what came of it."""

    queryset = ErasureRequest.objects.all()
    serializer_class = s.ErasureRequestSerializer
    filterset_fields = ["person", "outcome", "origin"]
    ordering_fields = ["requested_at", "id"]
