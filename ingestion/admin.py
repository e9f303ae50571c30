"""Read-only admin for ingestion runs, index versions and practice items, plus a 'start ingest' action."""

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import path, reverse

from schools.admin_base import ReadOnlyAdmin

from . import library, pipeline
from .models import IndexVersion, IngestionRun, LibraryBook, PracticeItem
from .tasks import run_ingest_task


@admin.register(IngestionRun)
class IngestionRunAdmin(ReadOnlyAdmin):
    list_display = ("pk", "books", "status", "stage", "started_at", "finished_at", "error_count")
    list_filter = ("status",)
    readonly_fields = ("books", "source", "options", "status", "stage", "counts", "timings", "errors",
                       "started_at", "finished_at")
    actions = ["rerun_ingest"]
    change_list_template = "admin/ingestion/ingestionrun/change_list.html"

    @admin.display(description="errors")
    def error_count(self, obj):
        return len(obj.errors or [])

    def get_urls(self):
        return [path("start/", self.admin_site.admin_view(self.start_view), name="ingestion_start"),
                *super().get_urls()]

    def _enqueue(self, request, *, book="all", source=None):
        if not request.user.is_superuser:
            self.message_user(request, "Only superusers can start an ingest.", messages.ERROR)
            return
        with transaction.atomic():
            run = pipeline.start_run(book=book, source=source)
            transaction.on_commit(lambda: run_ingest_task.delay(run.pk))
        self.message_user(request, f"Ingestion run #{run.pk} queued.", messages.SUCCESS)

    def start_view(self, request):
        if request.method == "POST":
            self._enqueue(request, book=request.POST.get("book", "all"))
        return HttpResponseRedirect(reverse("admin:ingestion_ingestionrun_changelist"))

    @admin.action(description="Run this ingest again")
    def rerun_ingest(self, request, queryset):
        for run in queryset:
            self._enqueue(request, book=(run.books or ["all"])[0], source=run.source or None)


@admin.register(IndexVersion)
class IndexVersionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "book_slug", "embedding_model", "dimensions", "status", "created_at", "activated_at")
    list_filter = ("status", "book_slug", "embedding_model")


@admin.register(PracticeItem)
class PracticeItemAdmin(ReadOnlyAdmin):
    list_display = ("module_id", "element_id", "kind", "section_class")
    list_filter = ("kind", "section_class")
    search_fields = ("module_id", "problem")


@admin.register(LibraryBook)
class LibraryBookAdmin(ReadOnlyAdmin):
    """The library's preparation per book (`make run` prepares it in the background), with a retry."""

    list_display = ("book_slug", "subject", "state", "stage", "percent", "error", "updated_at", "ready_at")
    readonly_fields = list_display
    actions = ["retry_preparing"]

    @admin.action(description="Prepare again (resumes where it stopped)")
    def retry_preparing(self, request, queryset):

        if not request.user.is_superuser:
            self.message_user(request, "Only superusers can restart the library preparation.", messages.ERROR)
            return
        with transaction.atomic():
            count = library.retry(list(queryset.values_list("book_slug", flat=True)))
        self.message_user(request, f"{count} book(s) queued for preparing again.", messages.SUCCESS)
