from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingyi.core.forms import DateInput, bootstrap

from .models import ContestResult, TrainingRecord
from .uploads import MAX_CERTIFICATE_BYTES


class CadreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} · {obj.organization.name}"


class _CadreForm(forms.Form):
    """A record of a cadre; ``people`` (the cadres the admin manages) or none for one's own."""

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is None:
            del self.fields["person"]
        else:
            self.fields["person"].queryset = people
        bootstrap(self)


class TrainingForm(_CadreForm):
    person = CadreChoiceField(label=_("Cadre"), queryset=None)
    course = forms.CharField(label=_("Course"), max_length=200)
    level = forms.ChoiceField(label=_("Organiser level"), choices=TrainingRecord.Level.choices)
    organiser = forms.CharField(
        label=_("Organiser"),
        max_length=100,
        required=False,
        help_text=_("For example the city health commission."),
    )
    start_on = forms.DateField(label=_("From"), widget=DateInput())
    end_on = forms.DateField(label=_("Until"), widget=DateInput())
    hours = forms.DecimalField(
        label=_("Hours"),
        max_digits=6,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )
    certificate = forms.FileField(
        label=_("Certificate (optional)"),
        required=False,
        help_text=_("PDF, JPEG or PNG, at most %(mb)d MB.") % {"mb": MAX_CERTIFICATE_BYTES // 1024 // 1024},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def data_for_service(self) -> dict:
        return {
            k: self.cleaned_data.get(k)
            for k in ("course", "level", "organiser", "start_on", "end_on", "hours", "note")
        }


class ContestForm(_CadreForm):
    person = CadreChoiceField(label=_("Cadre"), queryset=None)
    contest = forms.CharField(
        label=_("Contest"), max_length=200, help_text=_("For example a league cadres' contest (大比武).")
    )
    level = forms.ChoiceField(label=_("Level"), choices=ContestResult.Level.choices)
    organiser = forms.CharField(label=_("Organiser"), max_length=100, required=False)
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    award = forms.ChoiceField(label=_("Award"), choices=ContestResult.Award.choices)
    result = forms.CharField(
        label=_("Result"), max_length=200, required=False, help_text=_("For example “team second prize”.")
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def data_for_service(self) -> dict:
        return {
            k: self.cleaned_data.get(k)
            for k in ("contest", "level", "organiser", "held_on", "award", "result", "note")
        }


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Reason"), max_length=200, required=False)


class ChecklistForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Committee"), queryset=None)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=200)
    intro = forms.CharField(label=_("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, committees=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["organization"]
            del self.fields["year"]
        else:
            self.fields["organization"].queryset = committees
            self.fields["year"].initial = timezone.localdate().year
        bootstrap(self)


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class AnswerForm(forms.Form):
    """One text box per question of the checklist."""

    def __init__(self, *args, questions, inspection=None, **kwargs):
        super().__init__(*args, **kwargs)
        existing = {a.question_id: a.text for a in inspection.answers.all()} if inspection else {}
        self.questions = questions
        for question in questions:
            self.fields[f"q{question.pk}"] = forms.CharField(
                label=f"{question.number}. {question.text}",
                required=False,
                initial=existing.get(question.pk, ""),
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        bootstrap(self)

    def answers(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}", "") for q in self.questions}


class ProblemForm(forms.Form):
    description = forms.CharField(label=_("Problem found"), widget=forms.Textarea(attrs={"rows": 2}))
    fix = forms.CharField(label=_("Fix"), widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label=_("Fix due on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class DoneForm(forms.Form):
    note = forms.CharField(label=_("How it was fixed"), max_length=300, required=False)
