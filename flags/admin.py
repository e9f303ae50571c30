"""Flags admin: superusers manage flags and every override; district admins manage their own
district's and schools' overrides of district-manageable flags; the audit trail is read-only."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from schools.admin_base import DistrictScopedAdmin
from schools.tenancy import Role

from . import services
from .models import Flag, FlagAudit, FlagOverride, Scope

REASON_HELP = "Why are you making this change? Recorded in the audit trail."
ADMIN_DELETE_REASON = "Deleted in the admin."


class FlagForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=Flag._meta.get_field("roles").help_text,
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text=REASON_HELP)

    class Meta:
        model = Flag
        fields = ["name", "everyone", "percent", "roles", "district_manageable", "note"]


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    """Superusers only: the flags themselves (global value, rollout, roles, manageability)."""

    form = FlagForm
    list_display = ["name", "everyone", "percent", "role_list", "district_manageable", "modified"]
    list_filter = ["everyone", "district_manageable"]
    search_fields = ["name", "note"]
    readonly_fields = ["created", "modified"]

    def _is_superuser(self, request) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_module_permission(self, request):
        return self._is_superuser(request)

    def has_view_permission(self, request, obj=None):
        return self._is_superuser(request)

    def has_add_permission(self, request):
        return self._is_superuser(request)

    def has_change_permission(self, request, obj=None):
        return self._is_superuser(request)

    def has_delete_permission(self, request, obj=None):
        return self._is_superuser(request)

    @admin.display(description="Roles")
    def role_list(self, obj):
        return ", ".join(obj.roles) or "—"

    def save_model(self, request, obj, form, change):
        services.save_flag(actor=request.user, flag=obj, reason=form.cleaned_data["reason"])

    def delete_model(self, request, obj):
        services.delete_flag(actor=request.user, flag=obj, reason=ADMIN_DELETE_REASON)

    def delete_queryset(self, request, queryset):
        for flag in queryset:
            self.delete_model(request, flag)


class FlagOverrideForm(forms.ModelForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text=REASON_HELP)
    actor = None  # the requesting user, set by FlagOverrideAdmin.get_form

    class Meta:
        model = FlagOverride
        fields = ["flag", "scope", "district", "school", "user", "active"]

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        # Keep only the target the scope uses; school/user rows carry their district for scoping.
        if scope == Scope.DISTRICT:
            data.update(school=None, user=None)
        elif scope == Scope.SCHOOL:
            data["user"] = None
            if data.get("school"):
                data["district"] = data["school"].district
        elif scope == Scope.USER:
            data["school"] = None
            if data.get("user"):
                data["district"] = data["user"].district
        return data

    def _post_clean(self):
        super()._post_clean()
        if self._errors:
            return
        try:
            services.validate_override(actor=self.actor, override=self.instance)
        except ValidationError as error:
            self.add_error(None, error.messages)


@admin.register(FlagOverride)
class FlagOverrideAdmin(DistrictScopedAdmin):
    form = FlagOverrideForm
    readable_by = (Role.DISTRICT_ADMIN,)
    writable_by = (Role.DISTRICT_ADMIN,)
    list_display = ["flag", "scope", "target_display", "active", "updated_at"]
    list_filter = ["scope", "active", "flag"]
    list_select_related = ["flag", "district", "school", "user"]
    search_fields = ["flag__name", "district__name", "school__name", "user__email"]
    raw_id_fields = ["user"]

    def get_queryset(self, request):
        queryset = (
            super().get_queryset(request).select_related("flag", "district", "school", "user")
        )
        if request.user.is_superuser:
            return queryset
        return queryset.filter(
            scope__in=[Scope.DISTRICT, Scope.SCHOOL], flag__district_manageable=True
        )

    def get_fields(self, request, obj=None):
        fields = ["flag", "scope", "district", "school", "active", "reason"]
        if request.user.is_superuser:
            fields.insert(4, "user")
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        if not request.user.is_superuser:
            form.base_fields["scope"].choices = [
                (value, label)
                for value, label in form.base_fields["scope"].choices
                if value in ("", Scope.DISTRICT, Scope.SCHOOL)
            ]
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "flag" and not request.user.is_superuser:
            kwargs["queryset"] = Flag.objects.filter(district_manageable=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Target")
    def target_display(self, obj):
        return str(obj.target)

    def save_model(self, request, obj, form, change):
        services.save_override(actor=request.user, override=obj, reason=form.cleaned_data["reason"])

    def delete_model(self, request, obj):
        services.delete_override(actor=request.user, override=obj, reason=ADMIN_DELETE_REASON)

    def delete_queryset(self, request, queryset):
        for override in queryset:
            self.delete_model(request, override)


@admin.register(FlagAudit)
class FlagAuditAdmin(DistrictScopedAdmin):
    """Read-only for everyone; district admins see their own district's rows."""

    readable_by = (Role.DISTRICT_ADMIN,)
    writable_by = ()
    list_display = [
        "created_at",
        "flag_key",
        "action",
        "scope",
        "target",
        "actor_email",
        "old_value",
        "new_value",
        "reason",
    ]
    list_filter = ["action", "scope", "flag_key"]
    search_fields = ["flag_key", "actor_email", "target", "reason"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
