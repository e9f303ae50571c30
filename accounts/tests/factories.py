import factory

from accounts.models import Interest, User
from schools.tenancy import Role

DEFAULT_PASSWORD = "Correct-Horse-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.STUDENT
    school = factory.SubFactory("schools.tests.factories.SchoolFactory")
    district = factory.SelfAttribute("school.district")
    password = factory.django.Password(DEFAULT_PASSWORD)


class StudentFactory(UserFactory):
    role = Role.STUDENT
    grade_level = 10


class TeacherFactory(UserFactory):
    role = Role.TEACHER


class SchoolAdminFactory(UserFactory):
    role = Role.SCHOOL_ADMIN


class DistrictAdminFactory(UserFactory):
    role = Role.DISTRICT_ADMIN
    school = None
    district = factory.SubFactory("schools.tests.factories.DistrictFactory")


class InterestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interest
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Interest {n}")
    slug = factory.Sequence(lambda n: f"interest-{n}")
    category = Interest.Category.SPORTS
