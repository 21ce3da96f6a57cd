"""The volunteering forms: volunteers, projects, posts, shifts, sign-ups, hours, qualifications,
applications, service points and star levels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingyi.core.forms import DateInput, PersonNameField, bootstrap, person_name_field_classes
from qingyi.people import masking
from qingyi.volunteering.models import (
    JoinMode,
    Post,
    Project,
    Qualification,
    StarAnnouncementEntry,
    Volunteer,
)
from qingyi.volunteering.services import VOLUNTEER_FIELDS
from qingyi.volunteering.services.stars import OBJECTION_MAX


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class ProjectForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=None, label=_("Organisation"))
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Project.Kind.choices)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        bootstrap(self)


class PostForm(forms.Form):
    name = forms.CharField(label=_("Post"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class _ShiftFields(forms.Form):
    post = forms.ModelChoiceField(queryset=None, label=_("Post"), required=False)
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    capacity = forms.IntegerField(label=_("Places"), min_value=0, max_value=10000)
    join_mode = forms.ChoiceField(label=_("How people get in"), choices=JoinMode.choices)
    insurance_required = forms.BooleanField(label=_("Accident insurance required"), required=False)
    qualifications = forms.ModelMultipleChoiceField(
        queryset=Qualification.objects.all(),
        label=_("Required qualifications"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)
    # Outreach events only (free clinics, health talks, blood drives outside the hospital).
    partner = forms.CharField(label=_("Partner organisation"), max_length=100, required=False)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = project.posts.all()
        if project.kind != Project.Kind.OUTREACH:
            for name in ("partner", "people_reached"):
                self.fields.pop(name, None)
        bootstrap(self)

    def shift_data(self) -> dict:
        data = self.cleaned_data
        return {
            "post": data["post"],
            "place": data["place"],
            "capacity": data["capacity"],
            "join_mode": data["join_mode"],
            "insurance_required": data["insurance_required"],
            "note": data["note"],
        } | {name: data[name] for name in ("partner", "people_reached") if name in self.fields}


class ShiftForm(_ShiftFields):
    start = forms.DateTimeField(label=_("Starts"), widget=DateTimeInput())
    end = forms.DateTimeField(label=_("Ends"), widget=DateTimeInput())
    field_order = ["start", "end", "post", "place", "capacity", "join_mode", "insurance_required"]


class ShiftEditForm(ShiftForm):
    people_reached = forms.IntegerField(
        label=_("People reached"),
        min_value=0,
        max_value=1000000,
        required=False,
        help_text=_("Outreach events: how many people the event reached (after it)."),
    )
    following = forms.BooleanField(
        label=_("Apply to this shift and the following ones of its series (times of day, places, rules)"),
        required=False,
    )


class SeriesForm(_ShiftFields):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    first_day = forms.DateField(label=_("From"), widget=DateInput())
    last_day = forms.DateField(label=_("Until"), widget=DateInput())
    start_time = forms.TimeField(label=_("Starts at"), widget=TimeInput())
    end_time = forms.TimeField(label=_("Ends at"), widget=TimeInput())
    field_order = ["weekdays", "first_day", "last_day", "start_time", "end_time"]


class VolunteerForm(forms.ModelForm):
    class Meta:
        model = Volunteer
        fields = VOLUNTEER_FIELDS
        field_classes = person_name_field_classes("name", "guardian_name")
        widgets = {
            "birth_date": DateInput(),
            "guardian_consent_on": DateInput(),
            "insurance_from": DateInput(),
            "insurance_until": DateInput(),
        }

    def __init__(self, *args, organizations=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Phones the user may not see in full (people.masking) are not sent at all: the field
        # starts empty, the mask is its placeholder, and left blank it keeps the number.
        self.kept_phones: set[str] = set()
        if self.instance.pk:
            shown = masking.disclosure_for(user, self.instance.organization) if user else masking.Disclosure()
            for name in ("phone", "guardian_phone"):
                value = getattr(self.instance, name)
                if value and shown.shown(name, value) != value:
                    self.kept_phones.add(name)
                    self.initial[name] = ""
                    self.fields[name].widget.attrs["placeholder"] = shown.shown(name, value)
                    self.fields[name].help_text = _(
                        "Shown masked. Leave blank to keep the number on record, or type a new one."
                    )
        if organizations is not None:
            self.fields["organization"] = forms.ModelChoiceField(
                queryset=organizations, label=_("Organisation")
            )
            self.order_fields(["organization", *VOLUNTEER_FIELDS])
        if self.instance.pk and self.instance.person_id:
            for name in ("name", "gender", "birth_date", "id_number"):
                self.fields[name].disabled = True
        if self.instance.pk:
            self.initial["id_number"] = self.instance.id_number_masked if self.instance.id_number else ""
            self.fields["id_number"].disabled = True
            self.fields["id_number"].help_text = _("Masked. Registered ID numbers are not changed here.")
        bootstrap(self)

    def _post_clean(self):
        # The rules are checked by the services.
        pass

    def data_for_service(self) -> dict:
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if k in VOLUNTEER_FIELDS
            and not self.fields[k].disabled
            and not (k in self.kept_phones and not (v or "").strip())
        }


class QualificationGrantForm(forms.Form):
    qualification = forms.ModelChoiceField(queryset=Qualification.objects.all(), label=_("Qualification"))
    obtained_on = forms.DateField(label=_("Obtained on"), widget=DateInput())
    expires_on = forms.DateField(label=_("Expires on"), widget=DateInput(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class HandCheckInForm(forms.Form):
    volunteer = forms.ModelChoiceField(queryset=None, label=_("Volunteer"))
    at = forms.DateTimeField(label=_("Time"), widget=DateTimeInput())
    reason = forms.CharField(label=_("Reason"), max_length=255)

    def __init__(self, *args, volunteers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers
        self.fields["at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        bootstrap(self)


class HoursAddForm(forms.Form):
    volunteer = forms.ModelChoiceField(queryset=None, label=_("Volunteer"))
    hours = forms.DecimalField(label=_("Hours"), min_value=Decimal("0.01"), max_digits=5, decimal_places=2)
    people_served = forms.IntegerField(label=_("People served"), min_value=0, initial=0)
    reason = forms.CharField(label=_("Reason"), max_length=255)

    def __init__(self, *args, volunteers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers
        bootstrap(self)


class CorrectionForm(forms.Form):
    hours = forms.DecimalField(label=_("Hours"), min_value=Decimal(0), max_digits=5, decimal_places=2)
    people_served = forms.IntegerField(label=_("People served"), min_value=0)
    reason = forms.CharField(label=_("Reason"), max_length=255)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class AssignForm(forms.Form):
    volunteer = forms.ModelChoiceField(queryset=None, label=_("Volunteer"))

    def __init__(self, *args, volunteers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers
        bootstrap(self)


def default_series_initial() -> dict:
    today = timezone.localdate()
    return {
        "weekdays": [0, 1, 2, 3, 4],
        "first_day": today + dt.timedelta(days=1),
        "last_day": today + dt.timedelta(days=91),
        "start_time": dt.time(8, 0),
        "end_time": dt.time(11, 30),
        "capacity": 4,
    }


class ApplicationForm(forms.Form):
    """The public application (the rules are checked by ``applications.application_submit``)."""

    kind = forms.ChoiceField(
        label=_("I am a"),
        choices=[
            (Volunteer.Kind.SOCIAL, Volunteer.Kind.SOCIAL.label),
            (Volunteer.Kind.STUDENT, Volunteer.Kind.STUDENT.label),
            (Volunteer.Kind.SOCIAL_WORKER, Volunteer.Kind.SOCIAL_WORKER.label),
        ],
    )
    name = PersonNameField(label=_("Name"), max_length=50)
    gender = forms.ChoiceField(label=_("Gender"), choices=Volunteer.Gender.choices)
    birth_date = forms.DateField(label=_("Birth date"), widget=DateInput())
    # Room for spaces and full-width characters: the service folds them (core.text).
    id_number = forms.CharField(label=_("ID number"), max_length=40)
    phone = forms.CharField(label=_("Mobile phone"), max_length=40)
    area = forms.CharField(label=_("Area of residence"), max_length=100)
    school = forms.CharField(label=_("School or employer"), max_length=100, required=False)
    skills = forms.CharField(label=_("Skills"), max_length=255, required=False)
    service_categories = forms.CharField(
        label=_("Services you would like to give"), max_length=255, required=False
    )
    guardian_name = PersonNameField(
        label=_("Guardian's name"), max_length=50, required=False, help_text=_("Under 18 only.")
    )
    guardian_phone = forms.CharField(label=_("Guardian's mobile phone"), max_length=40, required=False)
    guardian_consent = forms.BooleanField(label=_("My guardian consents to my volunteering"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class RefusalForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class QualificationTypeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    validity_months = forms.IntegerField(
        label=_("Valid for (months)"),
        required=False,
        help_text=_(
            "Leave empty if it does not expire; the expiry of a recorded qualification is then its default."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class VolunteerStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"))
    reason = forms.CharField(label=_("Reason"), max_length=100)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = choices
        bootstrap(self)


class ServicePointForm(forms.Form):
    name = forms.CharField(label=_("Point name"), max_length=100)
    place = forms.CharField(
        label=_("Place"),
        max_length=100,
        required=False,
        help_text=_("Where the desk is, e.g. the outpatient hall's guide desk."),
    )
    post: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=Post.objects.none(),
        label=_("Post"),
        required=False,
        empty_label=_("Every post of the project"),
        help_text=_("Scans at the point check in to the shifts of this post only."),
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["post"]).queryset = project.posts.all()
        bootstrap(self)


# --- Star levels: announce, object, decide ----------------------------------------------


class AnnounceForm(forms.Form):
    """The volunteers ticked on the due list (ids, checked again by the service) and a note."""

    volunteers = forms.TypedMultipleChoiceField(
        label=_("Volunteers"),
        coerce=int,
        required=True,
        error_messages={"required": _("Choose at least one volunteer to announce.")},
    )
    note = forms.CharField(
        label=_("Note shown with the announcement"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteers"].choices = list(choices)
        bootstrap(self)


class ObjectionForm(forms.Form):
    entry = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Your objection"),
        max_length=OBJECTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write what your objection is.")},
        help_text=_("Only the coordinators of the announcement see your objection and your name."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=StarAnnouncementEntry.Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        required=False,
        help_text=_("Required when the objection is upheld."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)
        self.fields["decision"].widget.attrs["class"] = "form-check-input"
