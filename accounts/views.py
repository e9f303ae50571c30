"""Account pages: sign in/out, devices and sessions, invitations, password flows, email opt-out."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from schools.tenancy import Role

from . import services
from .emails import UNSUBSCRIBE_SALT
from .forms import AcceptInvitationForm, InvitationForm, LoginForm, VividlyPasswordResetForm
from .models import SecurityEvent, User
from .permissions import require_student
from .ratelimits import enforce_auth_ip
from .selectors import active_sessions_for, get_session_for, landing_url_for


class LoginView(auth_views.LoginView):
    """Email sign-in; lands on the role's home; the session ends with the browser unless remembered."""

    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        enforce_auth_ip(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.cleaned_data.get("remember_me"):
            self.request.session.set_expiry(settings.SESSION_REMEMBER_ME_SECONDS)
        else:
            self.request.session.set_expiry(0)
        return response

    def get_default_redirect_url(self):
        return landing_url_for(self.request.user)


class LogoutView(auth_views.LogoutView):
    pass


@login_required
@require_http_methods(["GET", "POST"])
def sessions_page(request):
    """Devices and sessions: list, sign out one, sign out everywhere (sessions and API tokens)."""
    if request.method == "POST":
        if request.POST.get("action") == "everywhere":
            services.sign_out_everywhere(actor=request.user, user=request.user, request=request)
            logout(request)
            messages.success(request, "You were signed out on every device.")
            return redirect("login")
        session = get_session_for(request.user, request.POST.get("session"))
        if session.session_key == request.session.session_key:
            logout(request)
            return redirect("login")
        services.revoke_session(actor=request.user, session=session, request=request)
        messages.success(request, "That device was signed out.")
        return redirect("account-sessions")
    sessions = list(active_sessions_for(request.user))
    return render(request, "accounts/sessions.html",
                  {"sessions": sessions, "current_key": request.session.session_key})


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        services.record_event(kind=SecurityEvent.Kind.PASSWORD_CHANGE, request=self.request,
                              actor=self.request.user, target=self.request.user)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = VividlyPasswordResetForm
    template_name = "registration/password_reset_form.html"

    def post(self, request, *args, **kwargs):
        enforce_auth_ip(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        services.record_event(kind=SecurityEvent.Kind.PASSWORD_RESET_REQUEST, request=self.request,
                              target_identifier=form.cleaned_data["email"][:254])
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"

    def post(self, request, *args, **kwargs):
        enforce_auth_ip(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        # A reset means the old password may be known to someone else: end every session/token.
        services.sign_out_everywhere(actor=user, user=user, request=self.request)
        services.record_event(kind=SecurityEvent.Kind.PASSWORD_RESET, request=self.request, actor=user,
                              target=user)
        return response


@login_required
@require_http_methods(["GET", "POST"])
def invite(request):
    """Teachers invite students to their classes; admins invite teachers and admins."""
    roles = services.invitable_roles(request.user)
    if not roles:
        raise PermissionDenied("Your account cannot send invitations.")
    form = InvitationForm(request.POST or None, actor=request.user, roles=roles)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.invite_user(actor=request.user, email=data["email"], role=data["role"],
                                 first_name=data["first_name"], last_name=data["last_name"],
                                 school=data.get("school"), classroom=data.get("classroom"), request=request)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, f"Invitation sent to {data['email']}.")
            return redirect("invitation-new")
    return render(request, "accounts/invite.html", {"form": form})


@require_http_methods(["GET", "POST"])
def accept_invitation(request, token: str):
    """Set a password for an invited account; the link works once and for 7 days."""
    if request.method == "POST":
        enforce_auth_ip(request)
    invitation = services.find_usable_invitation(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=400)
    if User.objects.filter(email__iexact=invitation.email).exists():
        # An existing account: a class invitation is accepted by that student, signed in, on the
        # join page; any other invitation for a taken address cannot be used.
        if invitation.classroom_id and invitation.role == Role.STUDENT:
            return redirect(reverse("student:onboarding") + "#class-invitations")
        return render(request, "accounts/invitation_invalid.html", status=400)
    form = AcceptInvitationForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            services.accept_invitation(token=token, password=form.cleaned_data["password1"],
                                       first_name=form.cleaned_data["first_name"],
                                       last_name=form.cleaned_data["last_name"], request=request)
        except ValidationError:
            return render(request, "accounts/invitation_invalid.html", status=400)
        messages.success(request, "Your account is ready. Sign in with your email and new password.")
        return redirect("login")
    return render(request, "accounts/accept_invitation.html", {"form": form, "invitation": invitation})


@require_student
@require_POST
def answer_class_invitation(request, pk: int):
    """A signed-in student joins (or declines) a class they were invited to; nobody else can."""
    accept = request.POST.get("answer") == "join"
    invitation = services.answer_class_invitation(student=request.user, invitation_pk=pk, accept=accept,
                                                  request=request)
    if accept:
        messages.success(request, f"You joined {invitation.classroom.name}.")
    else:
        messages.info(request, f"You declined the invitation to {invitation.classroom.name}.")
    return redirect("student:onboarding")


@csrf_exempt  # RFC 8058 one-click unsubscribe: mail clients POST without a CSRF token; the signed
@require_http_methods(["GET", "POST"])  # token is the proof, and the only effect is an opt-out.
def unsubscribe(request, token: str):
    """One-click opt-out of lesson notification emails (signed link, no sign-in needed)."""
    try:
        email = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return render(request, "accounts/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        User.objects.filter(email__iexact=email).update(notification_emails_enabled=False)
        return render(request, "accounts/unsubscribe.html", {"done": True})
    return render(request, "accounts/unsubscribe.html", {"token": token})


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """Email preferences: lesson notifications on or off."""
    if request.method == "POST":
        enabled = request.POST.get("notification_emails_enabled") == "on"
        User.objects.filter(pk=request.user.pk).update(notification_emails_enabled=enabled)
        messages.success(request, "Your email preferences were saved.")
        return redirect("account-preferences")
    return render(request, "accounts/preferences.html",
                  {"enabled": request.user.notification_emails_enabled})


