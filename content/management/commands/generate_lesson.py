"""`manage.py generate_lesson --student EMAIL --question "..." [--interest NAME] [--topic ID] --json`.

Runs the same pipeline as the API and the Celery worker, synchronously in this process.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from content import services
from content.models import Lesson


class Command(BaseCommand):
    help = "Generate (or reuse) a lesson for a student synchronously and print it."

    def add_arguments(self, parser):
        parser.add_argument("--student", required=True, help="Student email")
        parser.add_argument("--question", default="", help="The student's question (5-500 characters)")
        parser.add_argument("--interest", default=None, help="Interest name or slug")
        parser.add_argument("--topic", type=int, default=None, help="Catalogue topic id instead of a question")
        parser.add_argument("--json", action="store_true", help="Print the lesson as JSON")

    def handle(self, *args, **options):
        student = User.objects.filter(email__iexact=options["student"]).first()
        if student is None:
            raise CommandError(f"No user with email {options['student']}")
        try:
            request, _ = services.create_lesson_request(
                student=student, question=options["question"], interest=options["interest"],
                topic_id=options["topic"], enforce_quota=False, enqueue=False)
        except services.LessonRequestError as exc:
            raise CommandError(exc.message) from exc
        except PermissionError as exc:
            raise CommandError(str(exc)) from exc
        request = services.run_request_inline(request_id=request.pk)
        if request.status != "ready" or request.lesson_id is None:
            raise CommandError(f"Request {request.pk} ended {request.status}: {request.message}")
        payload = services.lesson_summary(Lesson.objects.get(pk=request.lesson_id))
        if options["json"]:
            self.stdout.write(json.dumps(payload, indent=2, default=str))
        else:
            self.stdout.write(self.style.SUCCESS(
                f"Lesson {payload['id']} ready: {payload['title']} ({payload['duration_seconds']:.0f} s) "
                f"{payload['video_url']}"))
