from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qingyi.core import rules
from qingyi.core.text import clean_name


def bootstrap(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the named fields, else above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class PersonNameField(forms.CharField):
    """A person's name, cleaned by ``core.text.clean_name`` (no zero-width or direction-override
    characters). Every form that takes a person's name uses it: declared on plain forms, and on
    model forms through ``Meta.field_classes`` (``person_name_field_classes``)."""

    def to_python(self, value):
        return clean_name(super().to_python(value))


def person_name_field_classes(*names: str) -> dict[str, type[forms.Field]]:
    """``Meta.field_classes`` for a model form whose ``names`` hold people's names."""
    return dict.fromkeys(names, PersonNameField)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


EDITABLE_PERSON_FIELD_CHOICES = [
    ("phone", gettext_lazy("phone")),
    ("education", gettext_lazy("education")),
    ("professional_title", gettext_lazy("professional title")),
    ("ethnicity", gettext_lazy("ethnicity")),
]


class SettingsForm(forms.Form):
    """The rule settings of ``core.rules.SETTINGS`` that the committee may change."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, spec in rules.SETTINGS.items():
            current = rules.get_setting(key)
            help_text = _("Default: %(default)s · Source: %(source)s") % {
                "default": spec.default if not isinstance(spec.default, list) else ", ".join(spec.default),
                "source": spec.source,
            }
            if isinstance(spec.default, list):
                self.fields[key] = forms.MultipleChoiceField(
                    label=spec.label,
                    choices=EDITABLE_PERSON_FIELD_CHOICES,
                    initial=current,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                    help_text=help_text,
                )
            else:
                self.fields[key] = forms.IntegerField(
                    label=spec.label,
                    initial=current,
                    min_value=0,
                    max_value=spec.max_value,
                    help_text=help_text,
                    widget=forms.NumberInput(attrs={"class": "form-control"}),
                )

    def clean(self):
        data = super().clean()
        low, high = data.get("branch_min_members"), data.get("branch_max_members")
        if low is not None and high is not None and low > high:
            raise ValidationError(_("The fewest members of a branch cannot exceed the most."))
        for key in (
            "term_years_committee",
            "term_years_general_branch",
            "term_years_branch",
            "term_years_student_branch",
        ):
            if data.get(key) is not None and not 1 <= data[key] <= 10:
                self.add_error(key, _("A term lasts from 1 to 10 years."))
        return data
