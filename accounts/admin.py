from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from import_export.admin import ImportExportMixin

from schools.admin_base import DistrictScopedAdmin

from . import services
from .forms import AdminUserChangeForm, AdminUserCreationForm
from .models import Interest, StudentInterest, User
from .roster import RosterResource, assignable_roles


class StudentInterestInline(admin.TabularInline):
    model = StudentInterest
    extra = 0


@admin.register(User)
class UserAdmin(ImportExportMixin, DistrictScopedAdmin, DjangoUserAdmin):
    form = AdminUserChangeForm
    add_form = AdminUserCreationForm
    resource_classes = [RosterResource]
    list_display = ["email", "first_name", "last_name", "role", "school", "grade_level", "is_active",
                    "last_login"]
    list_filter = ["role", "is_active", "school", "grade_level"]
    search_fields = ["email", "first_name", "last_name"]
    ordering = ["last_name", "first_name"]
    list_select_related = ["school", "district"]
    inlines = [StudentInterestInline]
    actions = ["deactivate_users"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("first_name", "last_name", "role", "district", "school", "grade_level",
                                "date_of_birth")}),
        ("Status", {"fields": ("is_active", "last_login", "date_joined")}),
    )
    superuser_fieldsets = (("Permissions", {"fields": ("is_superuser", "groups", "user_permissions")}),)
    add_fieldsets = (
        (None, {"classes": ("wide",),
                "fields": ("email", "first_name", "last_name", "role", "school", "grade_level",
                           "password1", "password2")}),
    )
    readonly_fields = ["last_login", "date_joined"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and request.user.is_superuser:
            fieldsets = (*fieldsets, *self.superuser_fieldsets)
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields.append("district")
        return fields

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role":
            allowed = assignable_roles(request.user)
            kwargs["choices"] = [(v, label) for v, label in db_field.choices if v in allowed]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        actor = request.user
        if not actor.is_superuser:
            # New and edited users always stay inside the acting admin's tenant.
            obj.district_id = actor.district_id
            if actor.role == "school_admin":
                obj.school_id = actor.school_id
        if change and "role" in form.changed_data:
            services.record_role_change(actor=actor, user=obj, old_role=form.initial.get("role"))
        super().save_model(request, obj, form, change)

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "actor": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "actor": request.user}

    def has_import_permission(self, request):
        return self.has_add_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    @admin.action(description="Deactivate selected users (ends their sessions)")
    def deactivate_users(self, request, queryset):
        count = 0
        for user in queryset.exclude(pk=request.user.pk):
            services.deactivate_user(actor=request.user, user=user)
            count += 1
        self.message_user(request, f"Deactivated {count} user(s).", messages.SUCCESS)


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "slug"]
    list_filter = ["category"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff
