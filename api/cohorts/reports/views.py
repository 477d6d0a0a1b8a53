"""The cohort report in the API: ``reports/cohorts/{id}`` (and the whole programme at
``reports/programmes/{id}``) as JSON, and ``report-exports`` to ask for a file (XLSX,
CSV or the pseudonymised participant-level export), follow it and download it.

Coordinators of the programme only (and administrators for the aggregate report); any
other user, and any cohort or export out of their reach, gets 404. The project-specific
violence figure is never part of the JSON."""

from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import ScopedReadOnlyViewSet, VisibleRelatedField
from api.cohorts.reports.serializers import CohortReportSerializer
from api.representation import ModelSerializer, Serializer
from cohorts.models import Cohort
from cohorts.reports import services as services_reports
from cohorts.reports.access import own_exports
from cohorts.reports.figures import cohort_report, report_scope
from cohorts.reports.models import ExportKind, ReportExport
from config.routers import reads_from_replica
from incubator import access
from incubator.exceptions import NotPermitted
from incubator.models import Programme, Role


class PeriodSerializer(Serializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)

    def validate(self, attrs):
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and end < start:
            raise serializers.ValidationError({"date_to": [_("The end of the period comes before its start.")]})
        return attrs


PERIOD_PARAMETERS = [
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="Start of the period (inclusive)."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="End of the period (inclusive)."),
]


def _coordinated(user, programme_id: int) -> None:
    if not access.has_role(user, programme_id, Role.COORDINATOR):
        raise Http404()


class _ReportView(APIView):
    def report(self, request, programme: Programme, cohort: Cohort | None) -> Response:
        period = PeriodSerializer(data=request.query_params)
        period.is_valid(raise_exception=True)
        scope = report_scope(programme=programme, cohort=cohort, **period.validated_data)
        with reads_from_replica():
            report = cohort_report(scope)
        return Response(report.as_dict())


class CohortReportView(_ReportView):
    """A cohort's outcome report: selection funnel, training, tutoring, milestones,
    funding, venture outcomes, ESF+ output and result indicators by gender, and the value
    by unit costs. The period restricts the activity figures (see the README)."""

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=CohortReportSerializer)
    def get(self, request, pk: int):
        cohort = access.get_visible(request.user, Cohort.objects.select_related("programme"), pk=pk)
        _coordinated(request.user, cohort.programme_id)
        return self.report(request, cohort.programme, cohort)


class ProgrammeReportView(_ReportView):
    """The same report over every cohort of a programme."""

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=CohortReportSerializer)
    def get(self, request, pk: int):
        programme = access.get_visible(request.user, Programme, pk=pk)
        _coordinated(request.user, programme.pk)
        return self.report(request, programme, None)


class ReportExportSerializer(ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportExport
        fields = [
            "id",
            "kind",
            "programme",
            "cohort",
            "date_from",
            "date_to",
            "status",
            "progress",
            "participants",
            "background",
            "error",
            "created_at",
            "finished_at",
            "downloaded_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, export: ReportExport) -> str | None:
        if not export.ready:
            return None
        return reverse("api:report-export-download", args=[export.pk])


class ReportExportInputSerializer(PeriodSerializer):
    programme = VisibleRelatedField(Programme)
    cohort = VisibleRelatedField(Cohort, required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=ExportKind.choices)


class ReportExportViewSet(ScopedReadOnlyViewSet):
    """The user's own report exports. A POST asks for one: small ones are built at once
    (201, status "done"), larger ones run in the background (202, follow ``status``)."""

    queryset = ReportExport.objects.all()
    serializer_class = ReportExportSerializer

    def get_queryset(self):
        return own_exports(self.request.user)

    ordering = ["-created_at", "-id"]
    filterset_fields = ["status", "kind", "programme", "cohort"]

    @extend_schema(request=ReportExportInputSerializer, responses=ReportExportSerializer)
    def create(self, request, *args, **kwargs):
        data = ReportExportInputSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        try:
            export = services_reports.report_export_request(
                actor=request.user, language=translation.get_language(), **data.validated_data
            )
        except NotPermitted:
            # The programme is visible (e.g. as a trainer) but its reports are not.
            raise Http404() from None
        export = self.get_queryset().get(pk=export.pk)
        code = status.HTTP_202_ACCEPTED if export.background else status.HTTP_201_CREATED
        return Response(self.get_serializer(export).data, status=code)

    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
            (200, "text/csv"): OpenApiTypes.BINARY,
        }
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def download(self, request, pk=None):
        export = self.get_object()
        if not export.ready:
            raise Http404()
        try:
            services_reports.report_export_downloaded(actor=request.user, export=export)
        except NotPermitted:
            raise Http404() from None
        return FileResponse(export.file.open("rb"), as_attachment=True, filename=export.file.name.rsplit("/", 1)[-1])
