"""Users (email login, one role, one district/school) and the interest catalogue."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from schools.models import grade_band_for
from schools.tenancy import Role, TenantPolicy, TenantQuerySet


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
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
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

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs) -> None:
        self.email = self.email.lower()
        if self.school_id and not self.district_id:
            self.district_id = self.school.district_id
        # Only admins use the Django admin; the flag follows the role so it cannot drift.
        self.is_staff = self.is_superuser or self.role in (Role.DISTRICT_ADMIN, Role.SCHOOL_ADMIN)
        super().save(*args, **kwargs)

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
