from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import (
    AuthenticationForm,
    BaseUserCreationForm,
    PasswordResetForm,
    UserChangeForm,
)
from django.urls import reverse

from schools.models import Classroom, School
from schools.tenancy import Role

from .emails import queue_email
from .models import User
from .validators import NAME_MAX_LENGTH, clean_person_name


class PersonNameField(forms.CharField):
    """A first or last name: normalised and held to `accounts.validators` (the one name rule)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", NAME_MAX_LENGTH)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        return clean_person_name(super().clean(value))


NAME_FIELDS = {"first_name": PersonNameField, "last_name": PersonNameField}


class AdminUserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "role", "school", "grade_level"]
        field_classes = NAME_FIELDS


class AdminUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes = NAME_FIELDS

    def clean_email(self):
        return self.cleaned_data["email"].lower()


class LoginForm(AuthenticationForm):
    """Email + password, with "remember me" off by default (the session ends with the browser)."""

    username = forms.EmailField(label="Email", max_length=254,
                                widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}))
    password = forms.CharField(label="Password", strip=False, max_length=4096,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    remember_me = forms.BooleanField(label="Keep me signed in on this device", required=False, initial=False)

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password don't match an active account. Check both and try again.",
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, "vividly_now_locked", False):
                minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
                raise forms.ValidationError(
                    f"That email and password don't match. Too many failed attempts: sign-in for this "
                    f"account is now paused for {minutes} minutes on this network.",
                    code="locked") from None
            raise


class VividlyPasswordResetForm(PasswordResetForm):
    """Django's reset form (same answer whether or not the email exists), sent via our email queue."""

    email = forms.EmailField(label="Email", max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def send_mail(self, subject_template_name, email_template_name, context, from_email,  # noqa: PLR0917
                  to_email, html_email_template_name=None):
        path = reverse("password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]})
        reset_url = settings.SITE_URL.rstrip("/") + path
        queue_email(template="password_reset", to=to_email, context={
            "first_name": context["user"].first_name, "reset_url": reset_url,
            "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        })


class InvitationForm(forms.Form):
    """Invite one person: teachers pick one of their classes; admins pick a role and school."""

    email = forms.EmailField(label="Email", max_length=254)
    first_name = PersonNameField(label="First name")
    last_name = PersonNameField(label="Last name")
    role = forms.ChoiceField(label="Role", choices=())
    school = forms.ModelChoiceField(label="School", queryset=School.objects.none(), required=False)
    classroom = forms.ModelChoiceField(label="Class", queryset=Classroom.objects.none(), required=False)

    def __init__(self, *args, actor: User, roles: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]
        self.fields["school"].queryset = School.objects.visible_to(actor)
        self.fields["classroom"].queryset = Classroom.objects.visible_to(actor).filter(is_archived=False)
        if roles == [Role.STUDENT]:
            self.fields["role"].initial = Role.STUDENT
            self.fields["role"].widget = forms.HiddenInput()
            del self.fields["school"]


class AcceptInvitationForm(forms.Form):
    first_name = PersonNameField(label="First name")
    last_name = PersonNameField(label="Last name")
    password1 = forms.CharField(label="New password", strip=False, max_length=4096,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(label="Confirm new password", strip=False, max_length=4096,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        self.fields["first_name"].initial = invitation.first_name
        self.fields["last_name"].initial = invitation.last_name

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords don't match.")
        elif p1:
            candidate = User(email=self.invitation.email, first_name=cleaned.get("first_name", ""),
                             last_name=cleaned.get("last_name", ""))
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned
