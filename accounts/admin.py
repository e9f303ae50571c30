from functools import wraps

from axes.models import AccessAttempt, AccessFailureLog
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils import timezone
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV

from schools.admin_base import DistrictScopedAdmin, ReadOnlyAdmin, can_use_admin_panel

from . import services
from .forms import AdminUserChangeForm, AdminUserCreationForm
from .models import Interest, Invitation, SecurityEvent, StudentInterest, User, UserSession
from .permissions import assignable_roles, can_manage_user, manageable_users
from .ratelimits import enforce_auth_ip
from .roster import RosterResource

REFUSED = "Nothing was changed: {count} of the selected {what} are beyond what you may manage (at or above your role)."


def refuse_unless_all_allowed(request, modeladmin, refused: int, what: str) -> bool:
    """Tell the admin an action was refused as a whole (no partial runs); True when refused."""
    if refused:
        modeladmin.message_user(request, REFUSED.format(count=refused, what=what), messages.ERROR)
    return bool(refused)


def only_manageable_users(action):
    """Wrap a User admin action: it runs only when every selected user is manageable by the actor."""

    @wraps(action)
    def guarded(modeladmin, request, queryset):
        refused = queryset.exclude(pk__in=manageable_users(request.user).values("pk")).count()
        if refuse_unless_all_allowed(request, modeladmin, refused, "users"):
            return None
        return action(modeladmin, request, queryset)

    return guarded


class StudentInterestInline(admin.TabularInline):
    model = StudentInterest
    extra = 0


@admin.register(User)
class UserAdmin(ImportExportMixin, DistrictScopedAdmin, DjangoUserAdmin):
    """Users of the admin's tenant. Everyone visible can be looked at; only users the admin may manage
    (`accounts.permissions.manageable_users`: below their role, or themselves) can be changed, get a
    new password, be deleted or be the target of an action (every action is wrapped, see get_actions)."""

    form = AdminUserChangeForm
    add_form = AdminUserCreationForm
    resource_classes = [RosterResource]
    formats = [CSV]  # the roster is a CSV file; fewer formats, fewer parsers and renderers to trust
    list_display = ["email", "first_name", "last_name", "role", "school", "grade_level", "is_active",
                    "last_login"]
    list_filter = ["role", "is_active", "school", "grade_level"]
    search_fields = ["email", "first_name", "last_name"]
    ordering = ["last_name", "first_name"]
    list_select_related = ["school", "district"]
    inlines = [StudentInterestInline]
    actions = ["deactivate_users", "sign_out_everywhere"]
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
            if obj is not None and obj.pk == request.user.pk:
                # Nobody re-roles, moves or deactivates themselves (the role list stops at their own).
                fields += ["role", "school", "is_active"]
        return fields

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or can_manage_user(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or can_manage_user(request.user, obj))

    def get_actions(self, request):
        return {name: (only_manageable_users(func), name, description)
                for name, (func, name, description) in super().get_actions(request).items()}

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
            services.record_role_change(actor=actor, user=obj, old_role=form.initial.get("role"),
                                        request=request)
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
            services.deactivate_user(actor=request.user, user=user, request=request)
            count += 1
        self.message_user(request, f"Deactivated {count} user(s).", messages.SUCCESS)


    @admin.action(description="Sign out everywhere (ends sessions and API tokens)")
    def sign_out_everywhere(self, request, queryset):
        count = 0
        for user in queryset:
            services.sign_out_everywhere(actor=request.user, user=user, request=request)
            count += 1
        self.message_user(request, f"Signed out {count} user(s) on every device.", messages.SUCCESS)


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin, DistrictScopedAdmin):
    """The security audit log: read-only, limited to the admin's district (school admins: school)."""

    list_display = ["created_at", "kind", "actor", "target", "target_identifier", "ip_address"]
    list_filter = ["kind"]
    search_fields = ["target__email", "actor__email", "target_identifier", "ip_address"]
    date_hierarchy = "created_at"
    list_select_related = ["actor", "target"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(UserSession)
class UserSessionAdmin(DistrictScopedAdmin):
    """Signed-in browser sessions of the users an admin manages; revoke with the action."""

    list_display = ["user", "user_agent", "ip_address", "created_at", "last_seen_at"]
    search_fields = ["user__email", "ip_address"]
    list_select_related = ["user"]
    actions = ["revoke_sessions"]
    # Never the session key: it is the session's bearer credential (pasted into a cookie, it signs the
    # viewer in as that user). Rows are identified by their id.
    exclude = ["session_key"]
    readonly_fields = ["user", "user_agent", "ip_address", "created_at", "last_seen_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self._role_allowed(request, self.writable_by):
            actions["revoke_sessions"] = self.get_action("revoke_sessions")
        return actions

    @admin.action(description="Sign out selected sessions")
    def revoke_sessions(self, request, queryset):
        refused = queryset.exclude(user__in=manageable_users(request.user)).count()
        if refuse_unless_all_allowed(request, self, refused, "sessions"):
            return
        count = 0
        for session in queryset.select_related("user"):
            services.revoke_session(actor=request.user, session=session, request=request)
            count += 1
        self.message_user(request, f"Signed out {count} session(s).", messages.SUCCESS)


@admin.register(Invitation)
class InvitationAdmin(DistrictScopedAdmin):
    """Invitations of the admin's tenant; only those for a role the admin may assign can be revoked
    or deleted (a school admin cannot cancel the district's invitation of a new school admin)."""

    list_display = ["email", "role", "school", "invited_by", "created_at", "expires_at", "accepted_at",
                    "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email"]
    actions = ["revoke_invitations"]
    readonly_fields = [f.name for f in Invitation._meta.fields]

    def has_add_permission(self, request):
        return False  # invitations are sent from the "Invite" page (accounts/invitations/new/)

    def has_change_permission(self, request, obj=None):
        return False  # every field is read-only; revoke with the action

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.role in assignable_roles(request.user))

    @admin.action(description="Revoke selected invitations")
    def revoke_invitations(self, request, queryset):
        refused = queryset.exclude(role__in=assignable_roles(request.user)).count()
        if refuse_unless_all_allowed(request, self, refused, "invitations"):
            return
        updated = queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now())
        self.message_user(request, f"Revoked {updated} invitation(s).", messages.SUCCESS)


class _ScopedAxesAdmin(admin.ModelAdmin):
    """Axes records, limited to attempts on accounts the admin can see; deleting clears a lockout."""

    list_display = ["attempt_time", "username", "ip_address", "user_agent"]
    search_fields = ["username", "ip_address"]
    readonly_fields = ["username", "ip_address", "user_agent", "attempt_time", "path_info"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        emails = User.objects.visible_to(request.user).values("email")
        return qs.filter(username__in=emails)

    def has_module_permission(self, request):
        return can_use_admin_panel(request.user)

    def has_view_permission(self, request, obj=None):
        return can_use_admin_panel(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessAttempt)
class LockoutAdmin(_ScopedAxesAdmin):
    """Current failure counters (a row with 5+ failures is a lockout); "Clear" lifts it."""

    list_display = ["attempt_time", "username", "ip_address", "failures_since_start", "user_agent"]
    readonly_fields = [*_ScopedAxesAdmin.readonly_fields, "failures_since_start"]
    actions = ["clear_lockouts"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if can_use_admin_panel(request.user):
            actions["clear_lockouts"] = self.get_action("clear_lockouts")
        return actions

    @admin.action(description="Clear selected lockouts")
    def clear_lockouts(self, request, queryset):
        # Lifting a lockout helps whoever is guessing that password: only for accounts one manages.
        refused = 0 if request.user.is_superuser else queryset.exclude(
            username__in=manageable_users(request.user).values("email")).count()
        if refuse_unless_all_allowed(request, self, refused, "lockouts"):
            return
        rows = list(queryset.values_list("username", "ip_address"))
        queryset.delete()
        for username, ip in rows:
            target = User.objects.filter(email__iexact=username or "").first()
            services.record_event(kind=SecurityEvent.Kind.LOCKOUT_CLEARED, request=request,
                                  actor=request.user, target=target, target_identifier=username or "",
                                  detail={"ip_address": ip})
        self.message_user(request, f"Cleared {len(rows)} lockout record(s).", messages.SUCCESS)


@admin.register(AccessFailureLog)
class LoginFailureLogAdmin(_ScopedAxesAdmin):
    """Every failed sign-in attempt (read-only)."""

    list_display = ["attempt_time", "username", "ip_address", "locked_out", "user_agent"]


def _rate_limited_admin_login(login_view):
    """The admin sign-in shares the per-IP ceiling of the other auth endpoints (axes covers lockout)."""

    def login(request, extra_context=None):
        enforce_auth_ip(request)
        return login_view(request, extra_context)

    return login


admin.site.login = _rate_limited_admin_login(admin.site.login)


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

from .privacy import admin as _privacy_admin  # noqa: E402, F401  (privacy admin, issue 5)
