"""Admin for lesson generation: requests, lessons with their quality record, safety events, the
cost ledger (with live circuit-breaker states) and district budgets — all tenant-scoped."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone

from accounts.privacy import services as privacy_services
from accounts.privacy.models import AccessKind
from accounts.privacy.services import record_student_access
from content import selectors, services
from content.models import (
    Assignment,
    DistrictBudget,
    Lesson,
    LessonBlock,
    LessonRequest,
    ModerationReview,
    PinnedLesson,
    ProviderCall,
    SafetyEvent,
)
from schools.admin_base import DistrictScopedAdmin, ReadOnlyAdmin, is_tenant_admin
from schools.tenancy import Role


class ScopedReadOnlyAdmin(ReadOnlyAdmin, DistrictScopedAdmin):
    """Tenant-scoped and never editable (audit-style rows written by the pipeline)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LessonRequest)
class LessonRequestAdmin(ScopedReadOnlyAdmin):
    list_display = ["pk", "student", "status", "progress", "interest_name", "topic", "confidence", "was_reused",
                    "created_at"]
    list_filter = ["status", "was_reused", "grade_band"]
    search_fields = ["student__email", "question"]
    readonly_fields = [f.name for f in LessonRequest._meta.fields]


@admin.register(Lesson)
class LessonAdmin(ReadOnlyAdmin):
    list_display = ["pk", "title", "stage", "interest", "grade_band", "duration_seconds", "cited_share",
                    "reading_grade", "ready_at"]
    list_filter = ["stage", "grade_band", "generator_version"]
    search_fields = ["title", "interest"]
    # An allow-list: lessons are shared across districts, so a new field is not shown by accident.
    readonly_fields = fields = [
        "title", "topic", "module_ids", "interest", "grade_band", "generator_version", "stage", "stage_log",
        "resume_count", "script", "transcript", "citations", "quality", "providers", "narration_seconds",
        "video_url", "captions_url", "poster_url", "transcript_url", "duration_seconds", "error", "created_at",
        "updated_at", "ready_at"]
    #: who paid for and who asked for a regeneration: another district's business, superusers only
    superuser_fields = ["reuse_key", "video_path", "paying_district", "regenerated_from", "regenerated_by"]

    def get_fields(self, request, obj=None):
        return self.fields + (self.superuser_fields if request.user.is_superuser else [])

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def get_queryset(self, request):
        return selectors.lessons_for(request.user) if not request.user.is_superuser else Lesson.objects.all()

    def has_module_permission(self, request):
        return is_tenant_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_tenant_admin(request.user)

    @admin.display(description="Cited share")
    def cited_share(self, obj):
        return obj.quality.get("cited_share")

    @admin.display(description="Reading grade")
    def reading_grade(self, obj):
        return obj.quality.get("reading_grade")


@admin.register(SafetyEvent)
class SafetyEventAdmin(ScopedReadOnlyAdmin):
    list_display = ["created_at", "student", "category", "teacher_notified", "excerpt"]
    list_filter = ["category", "teacher_notified"]
    readonly_fields = [f.name for f in SafetyEvent._meta.fields]


@admin.register(ProviderCall)
class ProviderCallAdmin(ScopedReadOnlyAdmin):
    """The cost ledger; its changelist also shows the circuit breakers' live state and counts."""

    change_list_template = "admin/content/providercall/change_list.html"
    list_display = ["created_at", "district", "capability", "provider", "succeeded", "is_fallback",
                    "estimated_cost", "seconds"]
    list_filter = ["capability", "provider", "succeeded", "is_fallback"]
    readonly_fields = [f.name for f in ProviderCall._meta.fields]

    def changelist_view(self, request, extra_context=None):
        district_id = request.user.district_id
        extra = {"breaker_states": selectors.breaker_states(), "month": timezone.now().strftime("%B %Y")}
        if district_id:
            extra["month_spend"] = services.month_spend(district_id=district_id)
            extra["budget_used_percent"] = services.budget_used_percent(district_id=district_id)
        return super().changelist_view(request, extra_context={**(extra_context or {}), **extra})


@admin.register(DistrictBudget)
class DistrictBudgetAdmin(DistrictScopedAdmin):
    list_display = ["district", "monthly_budget", "action_at_limit", "spent_this_month", "used_percent"]
    readonly_fields = ["alerts_sent", "updated_at"]
    writable_by = (Role.DISTRICT_ADMIN,)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields.append("district")  # pinned to the admin's own district on save
        return fields

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.district_id = request.user.district_id
        super().save_model(request, obj, form, change)

    @admin.display(description="Spent this month")
    def spent_this_month(self, obj):
        return services.month_spend(district_id=obj.district_id)

    @admin.display(description="Used %")
    def used_percent(self, obj):
        used = services.budget_used_percent(district_id=obj.district_id)
        return None if used is None else round(used, 1)


@admin.register(ModerationReview)
class ModerationReviewAdmin(DistrictScopedAdmin):
    list_display = ["created_at", "tier", "status", "category", "excerpt", "school", "escalated_to", "reviewed_by"]
    list_filter = ["status", "tier"]
    readonly_fields = ["safety_event", "district", "school", "tier", "escalated_to", "reviewed_by", "reviewed_at",
                       "created_at", "category", "excerpt"]
    fields = ["category", "excerpt", "tier", "status", "notes", "school", "escalated_to", "reviewed_by",
              "reviewed_at", "created_at"]
    actions = ["mark_reviewed"]
    list_select_related = ["safety_event", "school"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Category")
    def category(self, obj):
        return obj.safety_event.get_category_display()

    @admin.display(description="Redacted excerpt")
    def excerpt(self, obj):
        return obj.safety_event.excerpt

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        record_student_access(request, obj.safety_event.student, AccessKind.REQUESTS)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if obj.status == ModerationReview.Status.REVIEWED and obj.reviewed_at is None:
            obj.reviewed_by = request.user
            obj.reviewed_at = timezone.now()
        super().save_model(request, obj, form, change)

    @admin.action(description="Mark selected as reviewed")
    def mark_reviewed(self, request, queryset):
        for review in queryset.filter(status=ModerationReview.Status.OPEN):
            privacy_services.mark_reviewed(review=review, actor=request.user)
        self.message_user(request, "Marked as reviewed.", messages.SUCCESS)


# --- class choices (issue 9): visible to admins, changed by teachers on their pages ---------------

class _TeacherToolAdmin(DistrictScopedAdmin):
    writable_by = ()  # teachers manage these on /teacher/; admins look (superusers may fix)


@admin.register(Assignment)
class AssignmentAdmin(_TeacherToolAdmin):
    list_display = ["topic", "classroom", "due_at", "created_by", "created_at"]
    list_filter = ["classroom__school"]
    list_select_related = ["topic", "classroom__school", "created_by"]


@admin.register(LessonBlock)
class LessonBlockAdmin(_TeacherToolAdmin):
    list_display = ["topic", "interest", "classroom", "reason", "created_by", "created_at"]
    list_filter = ["classroom__school"]
    list_select_related = ["topic", "interest", "classroom__school", "created_by"]


@admin.register(PinnedLesson)
class PinnedLessonAdmin(_TeacherToolAdmin):
    list_display = ["lesson", "topic", "classroom", "pinned_by", "pinned_at"]
    list_filter = ["classroom__school"]
    list_select_related = ["lesson", "topic", "classroom__school", "pinned_by"]
