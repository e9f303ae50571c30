"""Write-side account operations (keyword-only, atomic): audit log, sessions, tokens, invitations."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from schools.models import Classroom, Enrollment, School
from schools.tenancy import Role
from vividly.client_ip import client_ip

from .emails import queue_email
from .models import Invitation, SecurityEvent, User, UserSession
from .permissions import assignable_roles
from .sessions import end_sessions
from .validators import clean_person_name

logger = logging.getLogger(__name__)
Kind = SecurityEvent.Kind


# --- audit --------------------------------------------------------------------------------------

def record_event(*, kind: str, request=None, actor: User | None = None, target: User | None = None,
                 target_identifier: str = "", detail: dict[str, Any] | None = None) -> SecurityEvent:
    """Append one row to the security audit log, scoped to the target's (else actor's) tenant."""
    tenant_user = target or actor
    actor = actor if actor is not None and actor.is_authenticated else None
    return SecurityEvent.objects.create(
        kind=kind, actor=actor, target=target, target_identifier=target_identifier[:254],
        district_id=getattr(tenant_user, "district_id", None), school_id=getattr(tenant_user, "school_id", None),
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:300],
        detail=detail or {},
    )


def record_role_change(*, actor: User, user: User, old_role: str | None, request=None) -> None:
    """Audit a role change made by an admin."""
    record_event(kind=Kind.ROLE_CHANGE, request=request, actor=actor, target=user,
                 detail={"old_role": old_role, "new_role": user.role})


# --- sessions and tokens ------------------------------------------------------------------------

def _end_django_sessions(session_keys: list[str]) -> int:
    end_sessions(session_keys)
    deleted, _ = UserSession.objects.filter(session_key__in=session_keys).delete()
    return deleted


@transaction.atomic
def revoke_session(*, actor: User, session: UserSession, request=None) -> None:
    """Sign one browser session out (the Django session row goes, so the cookie is worthless)."""
    target = session.user
    _end_django_sessions([session.session_key])
    record_event(kind=Kind.SESSION_REVOKED, request=request, actor=actor, target=target,
                 detail={"user_agent": session.user_agent[:100]})


def revoke_refresh_tokens(*, user: User) -> int:
    """Blacklist every outstanding (unexpired) refresh token of `user`."""
    outstanding = OutstandingToken.objects.filter(user=user, expires_at__gt=timezone.now(),
                                                  blacklistedtoken__isnull=True)
    tokens = list(outstanding)
    BlacklistedToken.objects.bulk_create([BlacklistedToken(token=t) for t in tokens], ignore_conflicts=True)
    return len(tokens)


@transaction.atomic
def sign_out_everywhere(*, actor: User, user: User, request=None, keep_session_key: str | None = None) -> dict:
    """End all of `user`'s browser sessions and revoke every JWT (access tokens die via token_version)."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    # Sessions created before the tracking middleware saw them are found by decoding; cheap enough
    # per user because only unexpired sessions are scanned for this user id.
    keys += _untracked_session_keys(user)
    if keep_session_key:
        keys = [k for k in keys if k != keep_session_key]
    sessions = _end_django_sessions(keys)
    User.objects.filter(pk=user.pk).update(token_version=F("token_version") + 1,
                                           tokens_revoked_at=timezone.now())
    user.refresh_from_db(fields=["token_version", "tokens_revoked_at"])
    tokens = revoke_refresh_tokens(user=user)
    record_event(kind=Kind.SIGNED_OUT_EVERYWHERE, request=request, actor=actor, target=user,
                 detail={"sessions": len(set(keys)), "refresh_tokens": tokens})
    return {"sessions": sessions, "refresh_tokens": tokens}


def _untracked_session_keys(user: User) -> list[str]:
    tracked = set(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    live = Session.objects.filter(expire_date__gt=timezone.now()).exclude(session_key__in=tracked)
    return [s.session_key for s in live if str(s.get_decoded().get("_auth_user_id")) == str(user.pk)]


@transaction.atomic
def deactivate_user(*, actor: User, user: User, request=None) -> None:
    """Deactivate a user: they can no longer sign in, and their sessions and tokens end now."""
    user.is_active = False
    user.save(update_fields=["is_active", "updated_at"])
    sign_out_everywhere(actor=actor, user=user, request=request)
    record_event(kind=Kind.USER_DEACTIVATED, request=request, actor=actor, target=user)
    logger.info("user deactivated", extra={"actor_id": actor.pk, "user_id": user.pk})


# --- invitations --------------------------------------------------------------------------------

INVITE_TEMPLATES = {Role.STUDENT: "student_invitation", Role.TEACHER: "teacher_welcome",
                    Role.SCHOOL_ADMIN: "admin_welcome", Role.DISTRICT_ADMIN: "admin_welcome"}


class InvitationError(ValidationError):
    pass


def invitable_roles(actor: User) -> list[str]:
    """Teachers invite students; admins invite what they may assign (never above themselves)."""
    if not actor.is_active:
        return []
    if actor.role == Role.TEACHER and actor.district_id:
        return [Role.STUDENT]
    return assignable_roles(actor) if (actor.is_superuser or actor.is_admin_role) else []


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invite_user(*, actor: User, email: str, role: str, first_name: str = "", last_name: str = "",
                school: School | None = None, classroom: Classroom | None = None,
                request=None) -> Invitation:
    """Create a single-use 7-day invitation inside the actor's tenant and email its link.

    The inviter learns nothing about accounts outside their own scope (issue 15, finding 9): for an
    address that already has an account they cannot see, the invitation is made exactly as for a new
    address, but no email goes out (it could never be accepted). An existing student of the district
    invited to a class gets a class invitation they accept while signed in; nobody is enrolled
    without their say. Only the inviter's own earlier open invitations for the address are revoked.
    """
    email = User.objects.normalize_email(email).lower()
    first_name, last_name = clean_person_name(first_name), clean_person_name(last_name)
    if role not in invitable_roles(actor):
        raise PermissionDenied("You cannot invite someone with that role.")
    if classroom is not None:
        if not Classroom.objects.visible_to(actor).filter(pk=classroom.pk).exists():
            raise PermissionDenied("You can only invite students to your own classes.")
        school = classroom.school
    if school is not None and not School.objects.visible_to(actor).filter(pk=school.pk).exists():
        raise PermissionDenied("You can only invite people to your own school or district.")
    if role == Role.DISTRICT_ADMIN:
        school = None
    elif school is None:
        school = actor.school
    if role != Role.DISTRICT_ADMIN and school is None:
        raise InvitationError("Choose a school for this person.")
    district = school.district if school is not None else actor.district
    if district is None:
        raise InvitationError("Choose a district for this person.")
    class_invitation = classroom is not None and role == Role.STUDENT
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and not class_invitation and (
            User.objects.visible_to(actor).filter(pk=existing.pk).exists()):
        raise InvitationError("Someone already has an account with this email address.")
    # The inviter's own earlier open invitations for this address (and class) stop working.
    Invitation.objects.visible_to(actor).filter(
        email__iexact=email, classroom=classroom, role__in=invitable_roles(actor), accepted_at__isnull=True,
        revoked_at__isnull=True).update(revoked_at=timezone.now())
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email, first_name=first_name, last_name=last_name, role=role, district=district,
        school=school, classroom=classroom, invited_by=actor, token_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS),
    )
    joins_class = class_invitation and existing is not None and _may_accept_class_invitation(existing, invitation)
    if existing is None or joins_class:
        accept_url = settings.SITE_URL.rstrip("/") + reverse("invitation-accept", args=[token])
        queue_email(template=INVITE_TEMPLATES[role], to=email, context={
            "first_name": first_name, "inviter_name": actor.get_full_name() or actor.email,
            "accept_url": accept_url, "expires_at": f"{invitation.expires_at:%B %d, %Y}",
            "classroom_name": classroom.name if classroom else "",
            "school_name": school.name if school else "",
            "organisation_name": school.name if school else district.name,
            "role_label": "a school administrator" if role == Role.SCHOOL_ADMIN else "a district administrator",
            "has_account": joins_class,
        })
    record_event(kind=Kind.INVITATION_SENT, request=request, actor=actor, target_identifier=email,
                 detail={"role": role, "invitation_id": invitation.pk})
    # The invited person has no user row yet; scope the audit row to the invitation's tenant.
    SecurityEvent.objects.filter(kind=Kind.INVITATION_SENT, detail__invitation_id=invitation.pk).update(
        district=district, school=school)
    return invitation


def _may_accept_class_invitation(student: User, invitation: Invitation) -> bool:
    return bool(student.is_active and student.role == Role.STUDENT and invitation.classroom_id
                and invitation.role == Role.STUDENT and student.district_id == invitation.district_id
                and student.email.lower() == invitation.email.lower())


def pending_class_invitations(student: User):
    """Open invitations to classes for this signed-in student's address (they accept or decline)."""
    if not (student.is_authenticated and student.is_active and student.role == Role.STUDENT):
        return Invitation.objects.none()
    return (Invitation.objects.filter(
        email__iexact=student.email, role=Role.STUDENT, district_id=student.district_id,
        classroom__isnull=False, classroom__is_archived=False, accepted_at__isnull=True,
        revoked_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("classroom", "classroom__school", "invited_by").order_by("-created_at"))


@transaction.atomic
def answer_class_invitation(*, student: User, invitation_pk: int | str, accept: bool, request=None) -> Invitation:
    """Join the class (accept) or decline it; Http404 for anyone else's or a used invitation."""
    try:
        invitation = pending_class_invitations(student).select_for_update(of=("self",)).get(pk=invitation_pk)
    except (Invitation.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No invitation matches the given query.") from exc
    if not accept:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        return invitation
    Enrollment.objects.get_or_create(classroom_id=invitation.classroom_id, student=student)
    invitation.accepted_at = timezone.now()
    invitation.user = student
    invitation.save(update_fields=["accepted_at", "user"])
    record_event(kind=Kind.INVITATION_ACCEPTED, request=request, actor=student, target=student,
                 detail={"invitation_id": invitation.pk, "invited_by": invitation.invited_by_id})
    return invitation


def find_usable_invitation(token: str) -> Invitation | None:
    """The pending invitation for an emailed token, or None (unknown, used, revoked or expired)."""
    if not token or len(token) > 100:
        return None
    invitation = Invitation.objects.filter(token_hash=hash_token(token)).select_related(
        "school", "district", "classroom").first()
    return invitation if invitation is not None and invitation.is_usable else None


@transaction.atomic
def accept_invitation(*, token: str, password: str, first_name: str = "", last_name: str = "",
                      request=None) -> User:
    """Create the invited account with its password; the token cannot be used again."""
    first_name, last_name = clean_person_name(first_name), clean_person_name(last_name)
    invitation = find_usable_invitation(token)
    if invitation is None:
        raise InvitationError("This invitation link is invalid, used or expired.")
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise InvitationError("This invitation link is invalid, used or expired.")
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationError("Someone already has an account with this email address.")
    user = User.objects.create_user(
        email=invitation.email, password=password, role=invitation.role, district=invitation.district,
        school=invitation.school, first_name=first_name or invitation.first_name,
        last_name=last_name or invitation.last_name,
    )
    if invitation.classroom_id and invitation.role == Role.STUDENT:
        Enrollment.objects.get_or_create(classroom_id=invitation.classroom_id, student=user)
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user"])
    record_event(kind=Kind.INVITATION_ACCEPTED, request=request, actor=user, target=user,
                 detail={"invitation_id": invitation.pk, "invited_by": invitation.invited_by_id})
    return user
