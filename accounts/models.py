"""Users (email login, one role, one district/school) and the interest catalogue."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from schools.models import grade_band_for
from schools.tenancy import Role, TenantManager, TenantPolicy, TenantQuerySet

from .validators import validate_person_name


class UserManager(BaseUserManager.from_queryset(TenantQuerySet)):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_superuser=True, is_staff=True)
        extra.setdefault("role", Role.DISTRICT_ADMIN)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str) -> User:
        return self.get(email__iexact=username)


def _teacher_sees_users(user: User) -> Q:
    return Q(pk=user.pk) | Q(enrollments__classroom__teachers=user)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    first_name = models.CharField(max_length=150, blank=True, validators=[validate_person_name])
    last_name = models.CharField(max_length=150, blank=True, validators=[validate_person_name])
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STUDENT)
    district = models.ForeignKey("schools.District", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="users")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="users")
    grade_level = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)])
    date_of_birth = models.DateField(null=True, blank=True)
    interests = models.ManyToManyField("accounts.Interest", through="accounts.StudentInterest", blank=True,
                                       related_name="students")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can log in to the admin (admins only).")
    date_joined = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    #: Carried in every JWT ("tv" claim); bumping it revokes all of the user's tokens at once.
    token_version = models.PositiveIntegerField(default=0, editable=False)
    #: When tokens were last revoked; the check for JWTs minted without a "tv" claim (by iat).
    tokens_revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    notification_emails_enabled = models.BooleanField(
        default=True, help_text="Lesson notifications by email (account emails are always sent).")

    objects = UserManager()
    tenant_policy = TenantPolicy(
        district="district", school="school", teacher=_teacher_sees_users, student=lambda u: Q(pk=u.pk),
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["district", "role"])]
        constraints = [
            # A district admin belongs to the district, never to one school: with a school set they
            # would show up (and be editable) in that school admin's scope.
            models.CheckConstraint(condition=~Q(role=Role.DISTRICT_ADMIN) | Q(school__isnull=True),
                                   name="district_admin_has_no_school"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def clean(self) -> None:
        super().clean()
        if self.role == Role.DISTRICT_ADMIN and self.school_id is not None:
            raise ValidationError({"school": "A district admin belongs to the whole district: leave the school empty."})
        if self.role == Role.SCHOOL_ADMIN and self.school_id is None:
            raise ValidationError({"school": "Choose the school this admin runs."})

    def save(self, *args, **kwargs) -> None:
        self.email = self.email.lower()
        if self.school_id and not self.district_id:
            self.district_id = self.school.district_id
        # Only admins use the Django admin; the flag follows the role so it cannot drift.
        self.is_staff = self.is_superuser or self.role in (Role.DISTRICT_ADMIN, Role.SCHOOL_ADMIN)
        super().save(*args, **kwargs)

    def set_password(self, raw_password: str | None) -> None:
        # A new password invalidates every JWT issued before it (hash upgrades on login save
        # only the password field, so they do not revoke anything).
        super().set_password(raw_password)
        if self.pk is not None:
            self.token_version = (self.token_version or 0) + 1
            self.tokens_revoked_at = timezone.now()

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @property
    def is_student(self) -> bool:
        return self.role == Role.STUDENT

    @property
    def is_teacher(self) -> bool:
        return self.role == Role.TEACHER

    @property
    def is_admin_role(self) -> bool:
        return self.is_superuser or self.role in (Role.DISTRICT_ADMIN, Role.SCHOOL_ADMIN)

    @property
    def grade_band(self) -> str:
        return grade_band_for(self.grade_level)


class Interest(models.Model):
    """A catalogue entry students frame lessons around (basketball, music, gaming...)."""

    class Category(models.TextChoices):
        SPORTS = "sports", "Sports"
        ARTS = "arts", "Arts"
        TECHNOLOGY = "technology", "Technology"
        SCIENCE = "science", "Science & nature"
        LIFESTYLE = "lifestyle", "Lifestyle"
        MEDIA = "media", "Media"

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name


class StudentInterest(models.Model):
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="student_interests")
    interest = models.ForeignKey(Interest, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["student", "rank"]
        constraints = [models.UniqueConstraint(fields=["student", "interest"], name="unique_student_interest")]

    def __str__(self) -> str:
        return f"{self.student_id}: {self.interest} (#{self.rank})"


class UserSession(models.Model):
    """One signed-in browser session (keyed by Django's session key) for the devices page."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="user_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    user_agent = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager()
    tenant_policy = TenantPolicy(district="user__district", school="user__school",
                                 teacher=lambda u: Q(user=u), student=lambda u: Q(user=u))

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.user} on {self.user_agent[:40] or 'unknown device'}"


class SecurityEvent(models.Model):
    """Append-only security audit log: who did what to whom, from where, when."""

    class Kind(models.TextChoices):
        LOGIN_SUCCESS = "login_success", "Login succeeded"
        LOGIN_FAILURE = "login_failure", "Login failed"
        LOCKOUT = "lockout", "Account locked out"
        LOCKOUT_CLEARED = "lockout_cleared", "Lockout cleared"
        LOGOUT = "logout", "Logged out"
        PASSWORD_CHANGE = "password_change", "Password changed"
        PASSWORD_RESET_REQUEST = "password_reset_request", "Password reset requested"
        PASSWORD_RESET = "password_reset", "Password reset"
        ROLE_CHANGE = "role_change", "Role changed"
        SESSION_REVOKED = "session_revoked", "Session revoked"
        SIGNED_OUT_EVERYWHERE = "signed_out_everywhere", "Signed out everywhere"
        TOKEN_REVOKED = "token_revoked", "API token revoked"
        USER_DEACTIVATED = "user_deactivated", "User deactivated"
        INVITATION_SENT = "invitation_sent", "Invitation sent"
        INVITATION_ACCEPTED = "invitation_accepted", "Invitation accepted"

    kind = models.CharField(max_length=32, choices=Kind.choices, db_index=True)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    target = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    #: the address typed at a failed login when no account matched (never a password).
    target_identifier = models.CharField(max_length=254, blank=True)
    district = models.ForeignKey("schools.District", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = TenantManager()
    tenant_policy = TenantPolicy(district="district", school="school")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["district", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.created_at:%Y-%m-%d %H:%M}"


class Invitation(models.Model):
    """A single-use, expiring invitation to create an account with a given role and tenant."""

    email = models.EmailField()
    first_name = models.CharField(max_length=150, blank=True, validators=[validate_person_name])
    last_name = models.CharField(max_length=150, blank=True, validators=[validate_person_name])
    role = models.CharField(max_length=20, choices=Role.choices)
    district = models.ForeignKey("schools.District", on_delete=models.CASCADE, related_name="invitations")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="invitations")
    classroom = models.ForeignKey("schools.Classroom", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="invitations")
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    #: sha256 of the emailed token; the token itself is never stored.
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = TenantManager()
    tenant_policy = TenantPolicy(district="district", school="school",
                                 teacher=lambda u: Q(invited_by=u))

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} ({self.get_role_display()})"

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

from .privacy.models import *  # noqa: E402, F403  (privacy models, issue 5)
