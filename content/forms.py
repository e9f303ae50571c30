"""Student-facing forms; every rule is checked on the server and shown inline."""

from __future__ import annotations

import re

from django import forms

from accounts.models import Interest
from content.models import ProblemReport
from content.services.student import normalise_join_code

MIN_INTERESTS, MAX_INTERESTS = 2, 5
GRADE_CHOICES = [("", "Choose your grade")] + [(g, f"Grade {g}") for g in range(6, 13)]
JOIN_CODE_RE = re.compile(r"^[A-Z]{2,4}-[A-Z0-9]{3}-[A-Z0-9]{3}$")
ORDINALS = ["1st", "2nd", "3rd", "4th", "5th"]


def _interest_choices() -> list:
    groups: dict[str, list] = {}
    for interest in Interest.objects.order_by("category", "name"):
        groups.setdefault(interest.get_category_display(), []).append((interest.pk, interest.name))
    return [("", "—"), *groups.items()]


class OnboardingForm(forms.Form):
    """Rank 2–5 interests (choice_1 is the favourite) and confirm the grade."""

    grade_level = forms.TypedChoiceField(label="Your grade", choices=GRADE_CHOICES, coerce=int,
                                         help_text="We pitch lessons at your grade.")

    def __init__(self, *args, initial_interests: list[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _interest_choices()
        self.interests_by_pk = {}
        initial_interests = initial_interests or []
        for i in range(MAX_INTERESTS):
            required = i < MIN_INTERESTS
            label = f"{ORDINALS[i]} favourite" if i else "Your favourite"
            self.fields[f"choice_{i + 1}"] = forms.TypedChoiceField(
                label=label, choices=choices, coerce=int, required=required, empty_value=None,
                initial=initial_interests[i] if i < len(initial_interests) else None,
            )

    def clean(self):
        cleaned = super().clean()
        picked = [cleaned.get(f"choice_{i + 1}") for i in range(MAX_INTERESTS)]
        picked = [pk for pk in picked if pk]
        if len(set(picked)) != len(picked):
            raise forms.ValidationError("Each interest can only be picked once — choose different ones.")
        interests = {i.pk: i for i in Interest.objects.filter(pk__in=picked)}
        cleaned["interests"] = [interests[pk] for pk in picked if pk in interests]
        return cleaned

    def interest_fields(self):
        return [self[f"choice_{i + 1}"] for i in range(MAX_INTERESTS)]


class JoinClassForm(forms.Form):
    code = forms.CharField(label="Class code", max_length=20,
                           help_text="Your teacher gives you a code like PHYS-4KQ-7ZD.",
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "spellcheck": "false", "placeholder": "PHYS-4KQ-7ZD"}))

    def clean_code(self) -> str:
        code = normalise_join_code(self.cleaned_data["code"])
        if not JOIN_CODE_RE.match(code):
            raise forms.ValidationError("That doesn't look like a class code. It has three parts, like PHYS-4KQ-7ZD.")
        return code


class AskForm(forms.Form):
    """The "Ask Vividly" question box."""

    question = forms.CharField(label="What do you want to learn?", min_length=3, max_length=2000,
                               error_messages={
                                   "required": "Type a question first.",
                                   "min_length": "Ask a real question — a few words is fine.",
                                   "max_length": "That's a long one! Keep it under 2,000 characters."},
                               widget=forms.TextInput(attrs={"placeholder": "e.g. Why do things float?",
                                                             "autocomplete": "off"}))
    interest = forms.ModelChoiceField(label="Explain it with", queryset=Interest.objects.none(), required=False,
                                      empty_label="My favourite interest")
    own_interest = forms.CharField(label="…or type any interest", required=False, max_length=40,
                                   error_messages={"max_length": "Keep your interest under 40 characters."})
    topic = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, student=None, interests=None, **kwargs):
        super().__init__(*args, **kwargs)
        if student is not None:
            self.fields["interest"].queryset = student.interests.all()  # what a choice is checked against
        # The chips shown (partials/ask_form.html): the student's interests as the page already loaded
        # them (in the queryset's order), else the queryset.
        self.interest_options = (sorted(interests, key=lambda i: (i.category, i.name)) if interests is not None
                                 else self.fields["interest"].queryset)

    def clean_question(self) -> str:
        question = " ".join(self.cleaned_data["question"].split())
        if len(question) < 3:
            raise forms.ValidationError("Ask a real question — a few words is fine.")
        return question


class ProblemReportForm(forms.Form):
    reason = forms.ChoiceField(label="What's the problem?", widget=forms.RadioSelect, choices=[])
    details = forms.CharField(label="Tell us more", required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text="Your teacher will see this. Don't include personal information.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = ProblemReport.Reason.choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == "other" and not cleaned.get("details", "").strip():
            self.add_error("details", "Tell us a little about the problem so your teacher can help.")
        return cleaned
