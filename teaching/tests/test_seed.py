import pytest
from django.core.management import CommandError, call_command

from accounts.models import StudentInterest, User
from schools.models import Classroom, District, Enrollment, School

pytestmark = pytest.mark.django_db


def _counts():
    return {
        "districts": District.objects.count(), "schools": School.objects.count(),
        "users": User.objects.count(), "classes": Classroom.objects.count(),
        "enrollments": Enrollment.objects.count(), "interests": StudentInterest.objects.count(),
    }


def test_seed_creates_the_demo_district_with_exact_counts(settings):
    settings.DEBUG = True
    call_command("seed")
    district = District.objects.get(domain="davidsonschools.org")
    assert list(district.schools.values_list("domain", flat=True).order_by("domain")) == [
        "earlycollege.edu", "hillsboro.edu"]
    users = User.objects.filter(district=district)
    assert users.filter(role="district_admin").count() == 1
    assert users.filter(role="school_admin").count() == 2
    assert users.filter(role="teacher").count() == 7
    students = users.filter(role="student")
    assert students.count() == 35
    assert students.filter(school__domain="hillsboro.edu").count() == 20
    assert set(students.values_list("grade_level", flat=True)) == {9, 10, 11, 12}
    for student in students:
        assert student.email.endswith(f"@student.{student.school.domain}")
        assert 2 <= student.student_interests.count() <= 4
        assert student.enrollments.exists()
    assert Classroom.objects.count() == 7
    assert all(c.join_code.count("-") == 2 and len(c.join_code) == 12 for c in Classroom.objects.all())
    assert User.objects.get(email="admin@davidsonschools.org").check_password("Admin123!")


def test_seed_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("seed")
    before = _counts()
    codes = sorted(Classroom.objects.values_list("join_code", flat=True))
    call_command("seed")
    assert _counts() == before
    assert sorted(Classroom.objects.values_list("join_code", flat=True)) == codes


def test_seed_reset_recreates_only_seed_data(settings, tenant_b):
    settings.DEBUG = True
    call_command("seed")
    User.objects.filter(email="admin@davidsonschools.org").update(first_name="Changed")
    call_command("seed", "--reset")
    assert User.objects.get(email="admin@davidsonschools.org").first_name == "District"
    assert District.objects.filter(pk=tenant_b.district.pk).exists()


def test_seed_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed")
