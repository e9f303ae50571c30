"""One district where every page has something to show: a class with students, lessons in every state,
quiz answers, a re-quiz, signals, assignments, pins, blocks, invitations, audit rows, notifications.

Built with the project's factories and fixture builders (benign values); the render sweep then
taints every text value with a payload. Every tenant-owned model also gets a row from the
isolation sweep's generic Populator, so a new model shows up on its pages without edits here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import emails
from accounts.models import Invitation, SecurityEvent, User, UserSession
from accounts.privacy.models import DataExport, StudentDataAccess
from accounts.privacy.services import download_token
from accounts.services import hash_token
from accounts.tests.factories import StudentFactory
from content.models import (
    Assignment,
    LessonBlock,
    Notification,
    PinnedLesson,
    QuizAttempt,
    RequestStatus,
    ReQuiz,
)
from content.tests import student_fixtures as sf
from flags.models import Flag
from ingestion.models import LibraryBook
from schools.models import Enrollment
from tests.isolation.populate import Populator
from tests.support import teacher_fixtures as tf

INVITATION_TOKEN = "hostile-render-invitation-token"


@dataclass
class World:
    tenant: object
    requests: list[int]           # the student's lesson requests, one per page state
    lessons: list[int]
    questions: list[int]
    topic_id: int
    book_slug: str
    chapter_number: int
    tokens: dict[str, str] = field(default_factory=dict)
    objects: dict[str, int] = field(default_factory=dict)


def build_world(tenant) -> World:
    student, teacher, classroom = tenant.student, tenant.teacher, tenant.classroom
    Flag.objects.filter(name__in=["quizzes", "gamification"]).update(everyone=True)
    classroom.period = "Period 3"
    classroom.save(update_fields=["period"])
    classmate = StudentFactory(school=tenant.school, email="classmate@student.school-a.edu")
    Enrollment.objects.create(classroom=classroom, student=classmate)

    topics = sf.make_catalogue()
    # the library banner on every student page and the admin index: one book preparing, one failed
    LibraryBook.objects.create(book_slug="physics", subject="physics", title="Physics", state="preparing",
                               stage="embed", percent=40)
    LibraryBook.objects.create(book_slug="biology-2e", subject="biology", title="Biology 2e", state="failed",
                               error="CnxmlError: the collection is not well-formed")
    interests = sf.make_interests(student)
    ready = sf.make_lesson(topics["newton1"])
    missing = sf.make_lesson(topics["newton2"], video=False)
    missing.video_url, missing.video_path = "/media/missing.mp4", "missing/missing.mp4"
    missing.save(update_fields=["video_url", "video_path"])
    making = sf.make_lesson(topics["buoyancy"], ready=False)
    choices = [{"topic_id": t.pk, "title": t.title, "book": t.chapter.book.title, "score": 0.8}
               for t in (topics["newton1"], topics["newton2"], topics["buoyancy"])]
    requests = [
        sf.make_request(student, ready, interest=interests[0]),
        sf.make_request(student, missing),
        sf.make_request(student, making, status=RequestStatus.NARRATING, message="Recording the narration"),
        sf.make_request(student, None, status=RequestStatus.QUEUED, topic=topics["cells"]),
        sf.make_request(student, None, status=RequestStatus.FAILED, message="Something broke", error="boom"),
        sf.make_request(student, None, status=RequestStatus.REFUSED, message="Not a science question"),
        sf.make_request(student, None, status=RequestStatus.NEEDS_CHOICE, message="Which one?", choices=choices),
    ]
    first, second = list(ready.quiz_questions.order_by("index"))
    QuizAttempt.objects.create(student=student, lesson=ready, question=first, kind="immediate",
                               chosen=first.choices[1], is_correct=False)
    QuizAttempt.objects.create(student=classmate, lesson=ready, question=first, kind="immediate",
                               chosen=first.choices[1], is_correct=False)
    now = timezone.now()
    ReQuiz.objects.create(student=student, lesson=ready, lesson_request=requests[0], due_at=now - timedelta(days=1),
                          released_at=now - timedelta(hours=1))
    tf.watch(student, ready, fraction=0.5)
    tf.make_request(classmate, ready, question="Why do balls roll?")
    tf.report_problem(student, ready, details="The narration says the wrong thing")
    tf.safety_event(student)
    Notification.objects.create(user=student, kind=Notification.Kind.choices[0][0], title="Your lesson is ready",
                                body="Come and watch", url="/student/", lesson_request=requests[0])
    assignment = Assignment.objects.create(classroom=classroom, topic=topics["newton1"], due_at=now + timedelta(days=7),
                                           note="Read the section first", created_by=teacher)
    pin = PinnedLesson.objects.create(classroom=classroom, topic=ready.topic, lesson=ready, pinned_by=teacher,
                                      note="A clear one")
    block = LessonBlock.objects.create(classroom=classroom, topic=topics["newton2"], interest=interests[1],
                                       reason="Off-topic framing", created_by=teacher)
    invitation = Invitation.objects.create(
        email="invitee@student.school-a.edu", first_name="Ivy", last_name="Invitee", role="student",
        district=tenant.district, school=tenant.school, classroom=classroom, invited_by=teacher,
        token_hash=hash_token(INVITATION_TOKEN), expires_at=now + timedelta(days=7))
    # a class invitation to a student who already has an account (answered from the join page)
    class_invitation = Invitation.objects.create(
        email=student.email, first_name=student.first_name, last_name=student.last_name, role="student",
        district=tenant.district, school=tenant.school, classroom=classroom, invited_by=teacher,
        token_hash=hash_token(INVITATION_TOKEN + "-class"), expires_at=now + timedelta(days=7))
    SecurityEvent.objects.create(kind=SecurityEvent.Kind.LOGIN_FAILURE, target_identifier="typed at login",
                                 user_agent="Mozilla/5.0", district=tenant.district, school=tenant.school,
                                 detail={"note": "too many tries"})
    for user in (student, teacher, tenant.district_admin):
        UserSession.objects.create(user=user, session_key=f"hostile-{user.pk}", user_agent="Mozilla/5.0")
    StudentDataAccess.objects.create(actor=teacher, actor_role="teacher", student=student, district=tenant.district,
                                     school=tenant.school, what="profile", endpoint="teacher:student")
    export = DataExport.objects.create(requested_by=tenant.district_admin, district=tenant.district, student=student)
    Populator(tenant).run()

    uid = urlsafe_base64_encode(force_bytes(student.pk))
    return World(
        tenant=tenant, requests=[r.pk for r in requests], lessons=[ready.pk, missing.pk, making.pk],
        questions=[first.pk, second.pk], topic_id=topics["newton1"].pk, book_slug=topics["newton1"].chapter.book.slug,
        chapter_number=topics["newton1"].chapter.number,
        tokens={"invitation": INVITATION_TOKEN, "unsubscribe": emails.unsubscribe_url(student.email).rstrip("/")
                .rsplit("/", 1)[-1], "uidb64": uid, "reset": default_token_generator.make_token(student),
                "export": download_token(export)},
        objects={"student": student.pk, "classmate": classmate.pk, "invitation": invitation.pk,
                 "class_invitation": class_invitation.pk,
                 "assignment": assignment.pk, "block": block.pk, "pin": pin.pk},
    )


def users(world: World) -> dict[str, User | None]:
    t = world.tenant
    return {"anonymous": None, "student": t.student, "teacher": t.teacher, "school_admin": t.school_admin,
            "district_admin": t.district_admin}
