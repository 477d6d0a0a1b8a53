"""The back office's import and export pages: the dry-run preview, the confirmation, the
background import of large files and streamed exports."""

import itertools
import logging

from django.contrib import messages
from django.core.exceptions import (
    PermissionDenied,
)
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.results import RowResult
from import_export.signals import post_export
from import_export.tmp_storages import MediaStorage

from incubator import access
from incubator.imports import formats
from incubator.imports.engine import export_rows
from incubator.imports.files import UnreadableFile
from incubator.imports.formats import EXPORT_FORMATS, IMPORT_FORMATS

logger = logging.getLogger(__name__)


class ServiceImportExportMixin(ImportExportMixin):
    """Import (dry-run preview, then all or nothing) and safe export for a ModelAdmin."""

    import_template_name = "admin/incubator/import.html"
    export_template_name = "admin/incubator/export.html"
    import_error_display = ("message",)
    # The upload waits for its confirmation in the default file storage (MEDIA_ROOT, shared
    # by every web node and never served publicly), not in one node's /tmp.
    tmp_storage_class = MediaStorage

    def get_import_formats(self):
        return IMPORT_FORMATS

    def get_export_formats(self):
        return EXPORT_FORMATS

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {**kwargs, "actor": request.user}

    def add_success_message(self, result, request):
        # import-export's own message has no Italian translation: ours, in one language.
        totals = result.totals
        messages.success(
            request,
            gettext("Import finished: %(new)s new, %(updated)s updated, %(skipped)s unchanged (%(what)s).")
            % {
                "new": totals[RowResult.IMPORT_TYPE_NEW],
                "updated": totals[RowResult.IMPORT_TYPE_UPDATE],
                "skipped": totals[RowResult.IMPORT_TYPE_SKIP],
                "what": self.model._meta.verbose_name_plural,
            },
        )

    def has_import_permission(self, request):
        return self.has_add_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_export_data(self, file_format, request, queryset, **kwargs):
        if not self.has_export_permission(request):
            raise PermissionDenied
        # Native values for every format: ours write numbers and dates in their own dialect.
        kwargs.pop("encoding", None)
        data = self.get_data_for_export(request, queryset, force_native_type=True, **kwargs)
        return file_format.export_data(data)

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        """Exports are streamed: the rows are read with an iterator and written as they
        come, so a 100,000-row export takes the memory of a few hundred rows."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        resource_class = self.choose_export_resource_class(export_form, request)
        resource = resource_class(**self.get_export_resource_kwargs(request, export_form=export_form))
        headers, rows = export_rows(resource, queryset, self.get_export_resource_fields_from_form(export_form))
        first = list(itertools.islice(rows, formats.STREAM_AFTER_ROWS + 1))
        if len(first) <= formats.STREAM_AFTER_ROWS:
            # A small file is sent whole, with its length (browsers then show progress).
            body = b"".join(file_format.stream(headers, first))
            response = HttpResponse(body, content_type=file_format.get_content_type())
        else:
            pieces = file_format.stream(headers, itertools.chain(first, rows))
            response = StreamingHttpResponse(pieces, content_type=file_format.get_content_type())
        name = self.get_export_filename(request, queryset, file_format)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        post_export.send(sender=None, model=self.model)
        return response

    # -- imports past a size run in the background

    def get_urls(self):
        info = self.get_model_info()
        job = path(
            "import/jobs/<int:job_id>/",
            self.admin_site.admin_view(self.import_job_view),
            name="{}_{}_import_job".format(*info),
        )
        return [job, *super().get_urls()]

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """The confirmation. A file of more than ``IMPORT_BACKGROUND_ROWS`` rows is imported
        by a task on the background worker (the same all-or-nothing import); the user is
        sent to a page that follows it."""
        from incubator.imports.services import background_rows, import_job_start

        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_confirm_form(request)
        if form.is_valid():
            index = int(form.cleaned_data["format"])
            file_format = self.get_import_formats()[index]()
            storage = self.get_tmp_storage_class()(
                name=form.cleaned_data["import_file_name"],
                encoding=None,
                read_mode=file_format.get_read_mode(),
                **self.get_tmp_storage_class_kwargs(),
            )
            rows = len(file_format.create_dataset(storage.read()))
            if rows > background_rows():
                resource = self.choose_import_resource_class(form, request)
                job = import_job_start(
                    actor=request.user,
                    model_label=self.model._meta.label,
                    resource=f"{resource.__module__}.{resource.__qualname__}",
                    format_index=index,
                    file_name=form.cleaned_data["import_file_name"],
                    original_name=form.cleaned_data.get("original_file_name") or "",
                    rows=rows,
                )
                url = self._job_url(job)
                messages.info(
                    request,
                    format_html(
                        gettext(
                            'The file has {rows} rows: it is imported in the background. <a href="{url}">{link}</a>'
                        ),
                        rows=rows,
                        url=url,
                        link=gettext("Follow the import"),
                    ),
                )
                return HttpResponseRedirect(url)
        return super().process_import(request, **kwargs)

    def _job_url(self, job) -> str:
        info = self.get_model_info()
        return reverse(f"admin:{info[0]}_{info[1]}_import_job", args=[job.pk], current_app=self.admin_site.name)

    def import_job_view(self, request, job_id: int):
        """Status, progress and result of one of the user's background imports."""
        from incubator.imports.models import ImportJob
        from incubator.imports.services import job_progress

        job = access.get_visible(request.user, ImportJob, pk=job_id, model=self.model._meta.label)
        info = self.get_model_info()
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Background import"),
            "opts": self.model._meta,
            "job": job,
            "progress": job_progress(job),
            "changelist_url": reverse(f"admin:{info[0]}_{info[1]}_changelist", current_app=self.admin_site.name),
            "import_url": reverse(f"admin:{info[0]}_{info[1]}_import", current_app=self.admin_site.name),
        }
        return TemplateResponse(request, "admin/incubator/import_job.html", context)

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        form = context.get("form")
        stored = form.files.get("import_file") if form is not None and form.files else None
        if stored is not None and hasattr(stored, "tmp_storage_name") and not context.get("confirm_form"):
            # A preview that cannot be confirmed: do not keep the people's data it holds.
            storage = self.get_tmp_storage_class()(name=stored.tmp_storage_name, **self.get_tmp_storage_class_kwargs())
            storage.remove()
        return response

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, UnreadableFile):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def process_result(self, result, request):
        """After the confirmation: a file that went wrong since its preview wrote nothing."""
        if result.has_errors() or result.has_validation_errors():
            for problem in result.problems[:20]:
                messages.error(request, str(problem))
            messages.error(request, gettext("Nothing was imported."))
            info = self.get_model_info()
            return HttpResponseRedirect(reverse(f"admin:{info[0]}_{info[1]}_import", current_app=self.admin_site.name))
        return super().process_result(result, request)
