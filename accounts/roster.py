"""CSV roster import/export (django-import-export) scoped to the importing admin's tenant.

Import never deletes users missing from the file, refuses emails owned by another tenant or by an
account the importing admin may not manage (a peer or superior admin: `can_manage_user`), and
limits roles and schools to what the importing admin may assign. django-import-export gives the
preview (new/update per row), row-level errors and the all-or-nothing transaction.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from schools.models import Classroom, School
from schools.tenancy import Role
from vividly.spreadsheets import escape_cell, unescape_cell

from .models import User
from .permissions import assignable_roles, can_manage_user


class ScopedForeignKeyWidget(widgets.ForeignKeyWidget):
    def __init__(self, model, field, actor):
        super().__init__(model, field)
        self.actor = actor

    def get_queryset(self, value, row, *args, **kwargs):
        return self.model.objects.visible_to(self.actor)

    def clean(self, value, row=None, **kwargs):
        if not value:
            return None
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist as exc:
            raise ValueError(f"No {self.model._meta.verbose_name} '{value}' in your district.") from exc


class RosterResource(resources.ModelResource):
    email = fields.Field(attribute="email", column_name="email")
    first_name = fields.Field(attribute="first_name", column_name="first_name")
    last_name = fields.Field(attribute="last_name", column_name="last_name")
    role = fields.Field(attribute="role", column_name="role")
    grade_level = fields.Field(attribute="grade_level", column_name="grade_level",
                               widget=widgets.IntegerWidget())
    is_active = fields.Field(attribute="is_active", column_name="is_active", widget=widgets.BooleanWidget())
    class_codes = fields.Field(column_name="class_codes", readonly=False)

    class Meta:
        model = User
        import_id_fields = ["email"]
        fields = ["email", "first_name", "last_name", "role", "school", "grade_level", "is_active",
                  "class_codes"]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = True

    def __init__(self, actor: User | None = None, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor
        self.fields["school"] = fields.Field(
            attribute="school", column_name="school", widget=ScopedForeignKeyWidget(School, "domain", actor))

    def get_queryset(self):
        return User.objects.visible_to(self.actor).select_related("school").prefetch_related(
            "enrollments__classroom")

    def dehydrate_class_codes(self, user: User) -> str:
        return ";".join(sorted(e.classroom.join_code for e in user.enrollments.all()))

    def export_field(self, field, instance, **kwargs):
        # Every exported cell is spreadsheet-safe, whatever the format (issue 15, finding 7).
        return escape_cell(super().export_field(field, instance, **kwargs))

    def before_import_row(self, row, **kwargs):
        for key in list(row.keys()):  # a file exported here and re-imported round-trips
            row[key] = unescape_cell(row[key])
        email = (row.get("email") or "").strip().lower()
        if not email:
            raise ValidationError("email is required.")
        row["email"] = email
        role = (row.get("role") or Role.STUDENT).strip()
        row["role"] = role
        if role not in assignable_roles(self.actor):
            raise ValidationError(f"You cannot assign the role '{role}'.")
        existing = User.objects.filter(email__iexact=email).first()
        if existing is not None and not can_manage_user(self.actor, existing):
            if not User.objects.visible_to(self.actor).filter(pk=existing.pk).exists():
                raise ValidationError(f"{email} belongs to another school or district.")
            raise ValidationError(f"You cannot change {email}: their role is at or above yours.")
        if self.actor.role == Role.SCHOOL_ADMIN and not row.get("school"):
            row["school"] = self.actor.school.domain

    def after_init_instance(self, instance: User, new: bool, row, **kwargs):
        if new:
            instance.set_unusable_password()  # they set one through an invitation

    def before_save_instance(self, instance: User, row, **kwargs):
        if instance.school_id:
            instance.district_id = instance.school.district_id
        elif not self.actor.is_superuser:
            instance.district_id = self.actor.district_id
        if instance.role == Role.STUDENT and instance.grade_level is None:
            raise ValidationError("grade_level is required for students.")

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name == "class_codes":
            return  # handled after save, additive only
        super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    def after_save_instance(self, instance: User, row, **kwargs):
        codes = [c.strip().upper() for c in (row.get("class_codes") or "").split(";") if c.strip()]
        if not codes:
            return
        if instance.role != Role.STUDENT:
            raise ValidationError("Only students can be enrolled in classes (class_codes).")
        visible = Classroom.objects.visible_to(self.actor)
        classrooms = list(visible.filter(join_code__in=codes))
        missing = set(codes) - {c.join_code for c in classrooms}
        if missing:
            raise ValidationError(f"Unknown class codes: {', '.join(sorted(missing))}")
        for classroom in classrooms:
            classroom.enrollments.get_or_create(student=instance)
