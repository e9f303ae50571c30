"""`DistrictScopedAdmin`: the base for every admin a district or school admin can open.

It routes the changelist, object URLs and FK/M2M choices through `visible_to(user)`, answers 404
(not a redirect) for objects outside the admin's tenant, and pins new rows to the admin's own
district/school so a crafted POST cannot create data in another tenant.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.http import Http404

from .tenancy import ADMIN_ROLES


def can_use_admin_panel(user) -> bool:
    """Active staff with an admin role (or a superuser): the Django admin is the admins' panel."""
    return bool(user.is_active and user.is_staff and (user.is_superuser or user.role in ADMIN_ROLES))


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A sidebar filter offering only related rows the admin may see (never other districts' names)."""

    def field_choices(self, field, request, model_admin):
        related = field.related_model
        if not hasattr(related, "tenant_policy"):
            return super().field_choices(field, request, model_admin)
        ordering = self.field_admin_ordering(field, request, model_admin)
        return [(obj.pk, str(obj)) for obj in related._default_manager.visible_to(request.user).order_by(*ordering)]


class DistrictScopedAdmin(admin.ModelAdmin):
    """Admin whose rows, object URLs and choices are limited to the user's tenant."""

    #: roles (besides superusers) that may change rows of this model; others get read-only.
    writable_by: tuple[str, ...] | frozenset[str] = ADMIN_ROLES
    #: roles (besides superusers) that may see this model at all.
    readable_by: tuple[str, ...] | frozenset[str] = ADMIN_ROLES

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_list_filter(self, request):
        scoped = []
        for entry in super().get_list_filter(request):
            is_relation = isinstance(entry, str) and get_fields_from_path(self.model, entry)[-1].is_relation
            scoped.append((entry, ScopedRelatedFieldListFilter) if is_relation else entry)
        return scoped

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # Django would redirect with "doesn't exist"; a 404 says the same for foreign objects.
            raise Http404("Not found.")
        return obj

    def _related_queryset(self, request, db_field, kwargs):
        related = db_field.related_model
        if hasattr(related, "tenant_policy") and "queryset" not in kwargs:
            kwargs["queryset"] = related._default_manager.visible_to(request.user)
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **self._related_queryset(request, db_field, kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(db_field, request, **self._related_queryset(request, db_field, kwargs))

    def _role_allowed(self, request, roles) -> bool:
        user = request.user
        return can_use_admin_panel(user) and (user.is_superuser or user.role in roles)

    def has_module_permission(self, request):
        return self._role_allowed(request, self.readable_by)

    def has_view_permission(self, request, obj=None):
        return self._role_allowed(request, self.readable_by)

    def has_add_permission(self, request):
        return self._role_allowed(request, self.writable_by)

    def has_change_permission(self, request, obj=None):
        return self._role_allowed(request, self.writable_by)

    def has_delete_permission(self, request, obj=None):
        return self._role_allowed(request, self.writable_by)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For audit trails: visible to permitted staff, never editable or deletable."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
