"""Privacy admin (registered from accounts/admin.py): access audit (read-only, district-scoped),
exports with expiring download links, deletion certificates, consent, district privacy settings,
retention runs, the moderation review queue, and student export/delete/restore actions on users."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from accounts.admin import UserAdmin
from accounts.models import User
from schools.admin_base import DistrictScopedAdmin, ReadOnlyAdmin
from schools.models import School
from schools.tenancy import Role

from . import services
from .models import (
    AccessKind,
    ConsentRecord,
    DataExport,
    DeletionCertificate,
    DistrictPrivacySettings,
    RetentionRun,
    StudentDataAccess,
)

DISTRICT_ONLY = (Role.DISTRICT_ADMIN,)


@admin.register(StudentDataAccess)
class StudentDataAccessAdmin(ReadOnlyAdmin, DistrictScopedAdmin):
    list_display = ["created_at", "actor", "actor_role", "student", "what", "endpoint", "ip_address"]
    list_filter = ["what", "actor_role", "school"]
    search_fields = ["actor__email", "student__email", "student__last_name", "endpoint", "ip_address"]
    date_hierarchy = "created_at"
    list_select_related = ["actor", "student"]

    def has_change_permission(self, request, obj=None):
        return False


class DataExportForm(forms.ModelForm):
    class Meta:
        model = DataExport
        fields = ["student", "school", "include_media"]

    def clean(self):
        data = super().clean()
        if bool(data.get("student")) == bool(data.get("school")):
            raise forms.ValidationError("Choose one student or one school.")
        return data


@admin.register(DataExport)
class DataExportAdmin(DistrictScopedAdmin):
    form = DataExportForm
    readable_by = writable_by = DISTRICT_ONLY
    list_display = ["pk", "student", "school", "include_media", "status", "progress", "created_at", "expires_at",
                    "download"]
    list_filter = ["status"]
    readonly_fields = ["status", "progress", "size_bytes", "error", "created_at", "finished_at", "expires_at",
                       "download"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "student":
            kwargs["queryset"] = User.objects.visible_to(request.user).filter(role=Role.STUDENT)
        if db_field.name == "school":
            kwargs["queryset"] = School.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Download")
    def download(self, obj):
        if not obj.is_downloadable:
            return "—"
        url = reverse("privacy:download_export", args=[services.download_token(obj)])
        return format_html('<a href="{}">Download ZIP</a>', url)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        export = services.request_export(actor=request.user, student=form.cleaned_data.get("student"),
                                         school=form.cleaned_data.get("school"),
                                         include_media=form.cleaned_data.get("include_media", False), request=request)
        obj.pk = export.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        pass


@admin.register(DeletionCertificate)
class DeletionCertificateAdmin(ReadOnlyAdmin, DistrictScopedAdmin):
    list_display = ["pseudonym", "role", "soft_deleted_at", "erased_at", "media_files_deleted", "shared_lessons_kept"]
    search_fields = ["pseudonym"]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(DistrictScopedAdmin):
    list_display = ["student", "method", "recorded_by", "recorded_at", "revoked_at", "reference"]
    list_filter = ["method"]
    search_fields = ["student__email", "student__last_name", "reference"]
    readonly_fields = ["recorded_by", "recorded_at", "district"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "student":
            kwargs["queryset"] = User.objects.visible_to(request.user).filter(role=Role.STUDENT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        obj.district_id = obj.student.district_id
        super().save_model(request, obj, form, change)


@admin.register(DistrictPrivacySettings)
class DistrictPrivacySettingsAdmin(DistrictScopedAdmin):
    readable_by = writable_by = DISTRICT_ONLY
    list_display = ["district", "ai_data_residency", "contract_ends_on", "retention_overrides", "updated_at"]
    filter_horizontal = ["safety_escalation_admins"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "safety_escalation_admins":
            kwargs["queryset"] = User.objects.visible_to(request.user).filter(role=Role.DISTRICT_ADMIN)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.district_id = request.user.district_id
        super().save_model(request, obj, form, change)


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = ["task", "started_at", "purged"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)


class PrivacyUserAdmin(UserAdmin):
    """The accounts UserAdmin plus the access audit and the student data-rights actions."""

    actions = [*UserAdmin.actions, "export_student_data", "soft_delete_students", "restore_students"]

    def get_list_display(self, request):
        return [*super().get_list_display(request), "deleted_at"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        services.record_student_access(request, obj, AccessKind.PROFILE)  # privacy: access audit
        return super().change_view(request, object_id, form_url, extra_context)

    def _is_district_admin(self, request) -> bool:
        return request.user.is_superuser or request.user.role == Role.DISTRICT_ADMIN

    @admin.action(description="Export student data (ZIP, expiring link under Privacy → Data exports)")
    def export_student_data(self, request, queryset):
        if not self._is_district_admin(request):
            self.message_user(request, "Only district admins can export student data.", messages.ERROR)
            return
        count = 0
        for student in queryset.filter(role=Role.STUDENT):
            services.request_export(actor=request.user, student=student, request=request)
            count += 1
        self.message_user(request, f"Queued {count} export(s).", messages.SUCCESS)

    @admin.action(description="Delete students (recoverable for 30 days, then erased)")
    def soft_delete_students(self, request, queryset):
        if not self._is_district_admin(request):
            self.message_user(request, "Only district admins can delete students.", messages.ERROR)
            return
        students = list(queryset.filter(role=Role.STUDENT, deleted_at__isnull=True))
        for student in students:
            services.soft_delete_student(student=student, actor=request.user)
        self.message_user(request, f"Deleted {len(students)} student(s); restorable for 30 days.", messages.SUCCESS)

    @admin.action(description="Restore deleted students")
    def restore_students(self, request, queryset):
        if not self._is_district_admin(request):
            self.message_user(request, "Only district admins can restore students.", messages.ERROR)
            return
        students = list(queryset.filter(role=Role.STUDENT, deleted_at__isnull=False))
        for student in students:
            services.restore_student(student=student, actor=request.user)
        self.message_user(request, f"Restored {len(students)} student(s).", messages.SUCCESS)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, PrivacyUserAdmin)
