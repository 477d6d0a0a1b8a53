"""Imports and back-office exports through the API: the back office's own resources,
formats and rules (``incubator.imports``), run on behalf of the API user.

- ``POST imports/{resource}/`` (multipart ``file``, ``dry_run``): a dry run answers the
  preview (rows by outcome, every problem naming row and column); a real run imports all
  or nothing through the resource's services, or answers 400 with the problems and
  nothing written. A file past ``IMPORT_BACKGROUND_ROWS`` rows is imported by a
  background ``ImportJob`` (202), followed with ``GET import-jobs/{id}/``.
- ``GET exports/{resource}/?file_format=csv|csv-it|xlsx``: the records the user reaches
  in the back office, streamed as the back office streams them.

Who: whoever the back office lets import or export (coordinators, for the programmes
they coordinate; administrators); everyone else 403. A job is its requester's (404)."""

import os

from django.apps import apps
from django.contrib import admin as django_admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from import_export.results import RowResult
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import ScopedMixin
from api.representation import ModelSerializer, Serializer
from incubator.imports.files import UnreadableFile
from incubator.imports.formats import CSV, XLSX, ItalianCSV
from incubator.imports.models import ImportJob

#: API name -> the model whose back-office admin imports/exports it
IMPORTABLE = {
    "people": "incubator.Person",
    "applications": "incubator.Application",
    "attendance": "cohorts.Attendance",
    "tutoring-sessions": "mentoring.TutoringSession",
}
EXPORTABLE = {
    **IMPORTABLE,
    "grants": "incubator.Grant",
    "tranches": "incubator.Tranche",
    "expenses": "incubator.ExpenseItem",
    "de-minimis": "incubator.DeMinimisAid",
    "campaigns": "incubator.CrowdfundingCampaign",
}
IMPORT_FORMATS = {"csv": CSV, "xlsx": XLSX}
EXPORT_FORMATS = {"csv": CSV, "csv-it": ItalianCSV, "xlsx": XLSX}
OUTCOMES = {
    RowResult.IMPORT_TYPE_NEW: "new",
    RowResult.IMPORT_TYPE_UPDATE: "changed",
    RowResult.IMPORT_TYPE_SKIP: "unchanged",
    RowResult.IMPORT_TYPE_INVALID: "invalid",
    RowResult.IMPORT_TYPE_ERROR: "error",
}


def _model_admin(names: dict[str, str], resource: str):
    if resource not in names:
        raise NotFound()
    return django_admin.site._registry[apps.get_model(names[resource])]


# --- serializers (the schema) ------------------------------------------------------------


class ImportRequestSerializer(Serializer):
    file = serializers.FileField(help_text=_("A CSV (separator and encoding detected) or XLSX file."))
    dry_run = serializers.BooleanField(
        default=True, help_text=_("true: preview only, nothing written. false: import all or nothing.")
    )
    file_format = serializers.ChoiceField(
        choices=list(IMPORT_FORMATS), required=False, help_text=_("Default: from the file name's extension.")
    )


class ImportFileErrorsSerializer(Serializer):
    """A file that cannot be read, or a request without one."""

    file = serializers.ListField(child=serializers.CharField(), required=False)
    file_format = serializers.ListField(child=serializers.CharField(), required=False)
    dry_run = serializers.ListField(child=serializers.CharField(), required=False)


class ImportProblemSerializer(Serializer):
    row = serializers.IntegerField(allow_null=True, help_text=_("Spreadsheet row (the header is row 1)."))
    column = serializers.CharField(allow_blank=True)
    message = serializers.CharField()


class ImportRowSerializer(Serializer):
    row = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=sorted(set(OUTCOMES.values())))
    values = serializers.DictField(child=serializers.CharField(allow_blank=True))


class ImportTotalsSerializer(Serializer):
    new = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    invalid = serializers.IntegerField()
    error = serializers.IntegerField()


class ImportResultSerializer(Serializer):
    dry_run = serializers.BooleanField()
    imported = serializers.BooleanField(help_text=_("true once the rows are written."))
    totals = ImportTotalsSerializer()
    rows = ImportRowSerializer(many=True)
    errors = ImportProblemSerializer(many=True)


class ImportJobSerializer(ModelSerializer):
    progress = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "model",
            "original_name",
            "rows",
            "status",
            "progress",
            "totals",
            "problems",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_progress(self, job) -> int:
        from incubator.imports.services import job_progress

        return job_progress(job)


def _result_data(result, dry_run: bool) -> dict:
    totals = {name: result.totals.get(kind, 0) for kind, name in OUTCOMES.items()}
    headers = list(result.diff_headers or [])
    rows = [
        {
            "row": number + 2,  # import-export counts data rows from 0; the header is row 1
            "outcome": OUTCOMES.get(row.import_type, row.import_type),
            "values": dict(zip(headers, row.diff or [], strict=False)),
        }
        for number, row in enumerate(result.rows)
    ]
    errors = [{"row": p.row, "column": p.column, "message": p.message} for p in result.problems]
    failed = bool(errors)
    return {
        "dry_run": dry_run,
        "imported": not dry_run and not failed,
        "totals": totals,
        "rows": rows,
        "errors": errors,
    }


# --- views --------------------------------------------------------------------------------


class ImportView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="imports_create",
        parameters=[OpenApiParameter("resource", str, OpenApiParameter.PATH, enum=list(IMPORTABLE))],
        request={"multipart/form-data": ImportRequestSerializer},
        responses={
            200: OpenApiResponse(ImportResultSerializer, description=_("The preview, or the rows imported.")),
            202: OpenApiResponse(ImportJobSerializer, description=_("A large file, imported in the background.")),
            400: OpenApiResponse(
                PolymorphicProxySerializer(
                    component_name="ImportRefused",
                    serializers=[ImportResultSerializer, ImportFileErrorsSerializer],
                    resource_type_field_name=None,
                ),
                description=_(
                    "Nothing was written: the rows' problems (each naming row and column), or the file "
                    "cannot be read (a message per field)."
                ),
            ),
        },
    )
    def post(self, request, resource: str):
        model_admin = _model_admin(IMPORTABLE, resource)
        if not model_admin.has_import_permission(request._request):
            raise PermissionDenied()
        given = ImportRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        upload = given.validated_data["file"]
        dry_run = given.validated_data["dry_run"]
        name = upload.name or ""
        key = given.validated_data.get("file_format") or os.path.splitext(name)[1].lstrip(".").lower()
        if key not in IMPORT_FORMATS:
            raise ValidationError({"file_format": [gettext("Send a .csv or .xlsx file, or say which it is.")]})
        file_format = IMPORT_FORMATS[key]()
        data = upload.read()
        try:
            dataset = file_format.create_dataset(data)
        except (UnreadableFile, ValueError) as exc:
            raise ValidationError({"file": [str(exc)]}) from None
        except Exception:  # a damaged XLSX, a file that is not one
            message = gettext("This file cannot be read as %(format)s.") % {"format": key}
            raise ValidationError({"file": [message]}) from None

        from incubator.imports.services import background_rows, import_job_start

        resource_class = model_admin.get_import_resource_classes(request._request)[0]
        if not dry_run and len(dataset) > background_rows():
            # Kept where the back office keeps a confirmed upload, for the worker to read.
            storage = model_admin.get_tmp_storage_class()(
                encoding=None, read_mode="rb", **model_admin.get_tmp_storage_class_kwargs()
            )
            storage.save(data)
            index = [type(f) for f in (c() for c in model_admin.get_import_formats())].index(type(file_format))
            job = import_job_start(
                actor=request.user,
                model_label=model_admin.model._meta.label,
                resource=f"{resource_class.__module__}.{resource_class.__qualname__}",
                format_index=index,
                file_name=storage.name,
                original_name=name,
                rows=len(dataset),
            )
            return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

        importer = resource_class(**model_admin.get_import_resource_kwargs(request._request))
        result = importer.import_data(
            dataset, dry_run=dry_run, retain_instance_in_row_result=True, file_name=name, user=request.user
        )
        data = _result_data(result, dry_run)
        if data["errors"]:
            return Response(data, status=status.HTTP_400_BAD_REQUEST)
        if not dry_run:
            model_admin.generate_log_entries(result, request._request)
        return Response(data)


class ImportJobViewSet(ScopedMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A background import the requester started: status, progress and result."""

    queryset = ImportJob.objects.all()
    serializer_class = ImportJobSerializer


class ExportView(APIView):
    @extend_schema(
        operation_id="exports_retrieve",
        parameters=[
            OpenApiParameter("resource", str, OpenApiParameter.PATH, enum=list(EXPORTABLE)),
            OpenApiParameter(
                "file_format",
                str,
                enum=list(EXPORT_FORMATS),
                default="csv",
                description=_("csv (comma, UTF-8, ISO dates), csv-it (for Italian Excel), xlsx."),
            ),
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, XLSX.content_type): OpenApiTypes.BINARY,
        },
    )
    def get(self, request, resource: str):
        model_admin = _model_admin(EXPORTABLE, resource)
        django_request = request._request
        if not model_admin.has_export_permission(django_request):
            raise PermissionDenied()
        key = request.query_params.get("file_format", "csv")
        if key not in EXPORT_FORMATS:
            raise ValidationError({"file_format": [gettext("Choose csv, csv-it or xlsx.")]})
        queryset = model_admin.get_queryset(django_request)
        # The back office's own streamed export (a Django response, past DRF's renderers).
        return model_admin._do_file_export(EXPORT_FORMATS[key](), django_request, queryset)
