"""Idempotent demo data: the Davidson County Metro Schools district (used by `manage.py seed`).

Everything is keyed by natural keys (slugs, domains, emails, class names) and every value is
derived deterministically, so running the seed twice changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import Interest, StudentInterest, User
from schools.models import (
    JOIN_CODE_ALPHABET,
    Classroom,
    District,
    Enrollment,
    GradeBand,
    School,
    Subject,
)
from schools.tenancy import Role

DISTRICT = {"name": "Davidson County Metro Schools", "slug": "davidson", "domain": "davidsonschools.org"}
SCHOOLS = [
    {"name": "Hillsboro High School", "slug": "hillsboro", "domain": "hillsboro.edu"},
    {"name": "Early College High School", "slug": "early-college", "domain": "earlycollege.edu"},
]
PASSWORDS = {"admin": "Admin123!", "teacher": "Teacher123!", "student": "Student123!"}

INTERESTS = [
    ("Basketball", "sports"), ("Soccer", "sports"), ("Football", "sports"), ("Athletics", "sports"),
    ("Music", "arts"), ("Art", "arts"), ("Photography", "arts"), ("Dance", "arts"),
    ("Video Games", "technology"), ("Coding", "technology"), ("Social Media", "media"),
    ("Robotics", "technology"), ("Space", "science"), ("Biology", "science"), ("Environment", "science"),
    ("Cooking", "lifestyle"), ("Fashion", "lifestyle"), ("Fitness", "lifestyle"), ("Reading", "media"),
    ("Movies", "media"),
]

# (school slug, subject, teacher first, teacher last, class name, grade band)
CLASSES = [
    ("hillsboro", Subject.PHYSICS, "Sarah", "Johnson", "Physics 101 - Period 3", GradeBand.UPPER_HIGH),
    ("hillsboro", Subject.CHEMISTRY, "Michael", "Chen", "Chemistry 101 - Period 2", GradeBand.LOWER_HIGH),
    ("hillsboro", Subject.BIOLOGY, "Emily", "Rodriguez", "Biology 101 - Period 4", GradeBand.LOWER_HIGH),
    ("hillsboro", Subject.COMPUTER_SCIENCE, "David", "Kim", "Computer Science 101 - Period 1",
     GradeBand.UPPER_HIGH),
    ("early-college", Subject.PHYSICS, "Lisa", "Thompson", "Physics Honors - Block A", GradeBand.UPPER_HIGH),
    ("early-college", Subject.CHEMISTRY, "James", "Wilson", "Chemistry AP - Block B", GradeBand.UPPER_HIGH),
    ("early-college", Subject.BIOLOGY, "Maria", "Garcia", "Biology Honors - Block C", GradeBand.LOWER_HIGH),
]

STUDENT_NAMES = {
    "hillsboro": [
        ("Alex", "Martinez"), ("Jordan", "Lee"), ("Taylor", "Brown"), ("Morgan", "Davis"), ("Casey", "Miller"),
        ("Riley", "Wilson"), ("Jamie", "Moore"), ("Avery", "Taylor"), ("Quinn", "Anderson"),
        ("Drew", "Thomas"), ("Skyler", "Jackson"), ("Reese", "White"), ("Parker", "Harris"),
        ("Rowan", "Martin"), ("Emerson", "Thompson"), ("Hayden", "Clark"), ("Finley", "Lewis"),
        ("Sawyer", "Walker"), ("Dakota", "Hall"), ("Kendall", "Allen"),
    ],
    "early-college": [
        ("Maya", "Young"), ("Noah", "King"), ("Zoe", "Wright"), ("Liam", "Scott"), ("Ava", "Green"),
        ("Ethan", "Baker"), ("Mia", "Adams"), ("Lucas", "Nelson"), ("Chloe", "Hill"), ("Mason", "Ramirez"),
        ("Lily", "Campbell"), ("Logan", "Mitchell"), ("Aria", "Roberts"), ("Caleb", "Carter"),
        ("Nora", "Phillips"),
    ],
}


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str, str, str]] = field(default_factory=list)  # role, email, password, school

    def count(self, kind: str, was_created: bool) -> None:
        self.created[kind] = self.created.get(kind, 0) + int(was_created)


def _stable_index(*parts: object) -> int:
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest(), 16)


def _stable_join_code(class_name: str, subject: str) -> str:
    prefix = {"computer_science": "CSCI", "biology": "BIOL"}.get(subject, subject[:4].upper())
    n = _stable_index("join", class_name)
    chars = []
    for _ in range(6):
        n, r = divmod(n, len(JOIN_CODE_ALPHABET))
        chars.append(JOIN_CODE_ALPHABET[r])
    return f"{prefix}-{''.join(chars[:3])}-{''.join(chars[3:])}"


def _user(report: SeedReport, *, email: str, password: str, **fields) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, password=make_password(password), **fields)
        user.save()
        report.count("users", True)
    return user


@transaction.atomic
def seed_demo_district() -> SeedReport:
    """Create (or leave untouched) the demo district, its schools, people and classes."""
    report = SeedReport()
    district, created = District.objects.get_or_create(slug=DISTRICT["slug"], defaults=DISTRICT)
    report.count("districts", created)
    schools = {}
    for spec in SCHOOLS:
        school, created = School.objects.get_or_create(domain=spec["domain"], defaults={**spec, "district": district})
        report.count("schools", created)
        schools[spec["slug"]] = school

    interests = []
    for name, category in INTERESTS:
        slug = name.lower().replace(" ", "-")
        interest, created = Interest.objects.get_or_create(slug=slug, defaults={"name": name, "category": category})
        report.count("interests", created)
        interests.append(interest)

    admin_email = f"admin@{district.domain}"
    _user(report, email=admin_email, password=PASSWORDS["admin"], first_name="District", last_name="Admin",
          role=Role.DISTRICT_ADMIN, district=district)
    report.logins.append(("district admin", admin_email, PASSWORDS["admin"], district.name))
    for school in schools.values():
        email = f"admin@{school.domain}"
        _user(report, email=email, password=PASSWORDS["admin"], first_name="School", last_name="Admin",
              role=Role.SCHOOL_ADMIN, district=district, school=school)
        report.logins.append(("school admin", email, PASSWORDS["admin"], school.name))

    classes_by_school: dict[str, list[Classroom]] = {}
    for school_slug, subject, first, last, class_name, band in CLASSES:
        school = schools[school_slug]
        email = f"{first.lower()}.{last.lower()}@{school.domain}"
        teacher = _user(report, email=email, password=PASSWORDS["teacher"], first_name=first, last_name=last,
                        role=Role.TEACHER, district=district, school=school)
        report.logins.append(("teacher", email, PASSWORDS["teacher"], f"{school.name} · {class_name}"))
        classroom, created = Classroom.objects.get_or_create(
            school=school, name=class_name,
            defaults={"subject": subject, "grade_band": band, "period": class_name.split(" - ")[-1],
                      "join_code": _stable_join_code(class_name, subject)},
        )
        report.count("classes", created)
        classroom.teachers.add(teacher)
        classes_by_school.setdefault(school_slug, []).append(classroom)

    for school_slug, names in STUDENT_NAMES.items():
        school = schools[school_slug]
        classes = classes_by_school[school_slug]
        for index, (first, last) in enumerate(names):
            grade = 9 + index % 4
            email = f"{first.lower()}.{last.lower()}.{grade}@student.{school.domain}"
            student = _user(report, email=email, password=PASSWORDS["student"], first_name=first,
                            last_name=last, role=Role.STUDENT, district=district, school=school,
                            grade_level=grade)
            if index < 2:
                report.logins.append(("student", email, PASSWORDS["student"], school.name))
            _seed_student_links(report, student, classes, interests, index)
    return report


def _seed_student_links(report: SeedReport, student: User, classes: list[Classroom],
                        interests: list[Interest], index: int) -> None:
    # Every student takes the school's physics class plus one or two others, chosen stably.
    chosen = {classes[0], classes[1 + index % (len(classes) - 1)]}
    if index % 3 == 0:
        chosen.add(classes[-1])
    for classroom in chosen:
        _, created = Enrollment.objects.get_or_create(classroom=classroom, student=student)
        report.count("enrollments", created)
    if student.student_interests.exists():
        return
    how_many = 2 + _stable_index("n", student.email) % 3
    start = _stable_index("i", student.email) % len(interests)
    for rank in range(how_many):
        interest = interests[(start + rank * 7) % len(interests)]
        StudentInterest.objects.create(student=student, interest=interest, rank=rank + 1)
        report.count("student interests", True)


@transaction.atomic
def reset_demo_district() -> None:
    """Delete the seed district and everything under it (other districts are untouched)."""
    district = District.objects.filter(slug=DISTRICT["slug"]).first()
    if district is None:
        return
    users = User.objects.filter(district=district)
    Enrollment.objects.filter(classroom__school__district=district).delete()
    Classroom.objects.filter(school__district=district).delete()
    StudentInterest.objects.filter(student__in=users).delete()
    users.delete()
    School.objects.filter(district=district).delete()
    district.delete()
