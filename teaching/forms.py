"""Forms for the teacher pages (validation only; the services do the writing)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from ingestion.models import Topic
from schools.models import Classroom


class ClassroomForm(forms.ModelForm):
    class Meta:
        model = Classroom
        fields = ["name", "subject", "grade_band", "period"]
        help_texts = {"period": "e.g. “Period 3” or “Tue/Thu 10:00”."}


class InviteForm(forms.Form):
    emails = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label="Student emails",
        help_text="One per line, or separated by commas. Students who already have an account join at once; "
                  "everyone else gets an invitation email.")

    def clean_emails(self) -> list[str]:
        raw = self.cleaned_data["emails"].replace(",", "\n").replace(";", "\n")
        emails = list(dict.fromkeys(e.strip().lower() for e in raw.splitlines() if e.strip()))
        if not emails:
            raise forms.ValidationError("Enter at least one email address.")
        if len(emails) > 100:
            raise forms.ValidationError("At most 100 emails at a time; use a CSV file for more.")
        bad = []
        for email in emails:
            try:
                forms.EmailField().clean(email)
            except forms.ValidationError:
                bad.append(email)
        if bad:
            raise forms.ValidationError(f"Not valid email addresses: {', '.join(bad)}")
        return emails


class CsvUploadForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="Columns: email, first_name, last_name (header row required).")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 512 * 1024:
            raise forms.ValidationError("The file is larger than 512 KB.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("Save the file as UTF-8 CSV and try again.") from exc


class CoTeacherForm(forms.Form):
    email = forms.EmailField(label="Co-teacher's email")


class AssignmentForm(forms.Form):
    topic = forms.ModelChoiceField(queryset=None, label="Topic (textbook section)")
    due_at = forms.DateTimeField(label="Due", widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                         format="%Y-%m-%dT%H:%M"),
                                 input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    students = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        label="Only these students", help_text="Leave all unticked to assign the whole class.")
    note = forms.CharField(max_length=300, required=False, label="Note for students")

    def __init__(self, *args, classroom: Classroom, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = (Topic.objects.filter(chapter__book__subject=classroom.subject,
                                                              is_active=True)
                                         .select_related("chapter").order_by("chapter__book", "chapter__number",
                                                                             "number"))
        self.fields["students"].queryset = students
        self.fields["students"].label_from_instance = lambda u: u.get_full_name() or u.email

    def clean_due_at(self):
        due = self.cleaned_data["due_at"]
        if due < timezone.now():
            raise forms.ValidationError("Choose a due date in the future.")
        return due
