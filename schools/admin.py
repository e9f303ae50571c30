from django.contrib import admin
from django.db.models import Count

from .admin_base import DistrictScopedAdmin
from .models import Classroom, District, Enrollment, School
from .tenancy import Role


@admin.register(District)
class DistrictAdmin(DistrictScopedAdmin):
    list_display = ["name", "slug", "domain", "school_count", "is_active"]
    search_fields = ["name", "domain"]
    list_filter = ["is_active"]
    prepopulated_fields = {"slug": ["name"]}
    writable_by = ()  # only superusers create or change districts

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(school_total=Count("schools", distinct=True))

    @admin.display(description="Schools", ordering="school_total")
    def school_count(self, obj):
        return obj.school_total


@admin.register(School)
class SchoolAdmin(DistrictScopedAdmin):
    list_display = ["name", "district", "domain", "is_active"]
    list_filter = ["is_active", "district"]
    search_fields = ["name", "domain"]
    list_select_related = ["district"]
    writable_by = ("district_admin",)


def _visible_with_role(request, role: str):
    """Accounts of one role the admin may see: only students are enrolled, only teachers teach."""
    from accounts.models import User

    return User.objects.visible_to(request.user).filter(role=role)


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    extra = 0
    autocomplete_fields = ["student"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).select_related("student")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "student":
            kwargs["queryset"] = _visible_with_role(request, Role.STUDENT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Classroom)
class ClassroomAdmin(DistrictScopedAdmin):
    list_display = ["name", "school", "subject", "grade_band", "period", "join_code", "student_count",
                    "is_archived"]
    list_filter = ["subject", "grade_band", "is_archived", "school"]
    search_fields = ["name", "join_code"]
    filter_horizontal = ["teachers"]
    readonly_fields = ["join_code"]
    inlines = [EnrollmentInline]
    list_select_related = ["school"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(student_total=Count("enrollments", distinct=True))

    @admin.display(description="Students", ordering="student_total")
    def student_count(self, obj):
        return obj.student_total

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "teachers":
            kwargs["queryset"] = _visible_with_role(request, Role.TEACHER)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Enrollment)
class EnrollmentAdmin(DistrictScopedAdmin):
    list_display = ["student", "classroom", "joined_at"]
    list_filter = ["classroom__school", "classroom__subject"]
    search_fields = ["student__email", "student__last_name", "classroom__name"]
    autocomplete_fields = ["student", "classroom"]
    list_select_related = ["student", "classroom__school"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "student":
            kwargs["queryset"] = _visible_with_role(request, Role.STUDENT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
