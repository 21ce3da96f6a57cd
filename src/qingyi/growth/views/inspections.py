"""Pages of the self-inspection (六查六问): the committee's checklists and their progress, and
the cadre's own answers, problems and fixes."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingyi.core import metrics
from qingyi.core.forms import add_service_errors
from qingyi.organizations import scoping
from qingyi.organizations.models import Organization
from qingyi.organizations.selectors import organizations_for
from qingyi.people.models import Person

from .. import selectors, services
from ..forms import AnswerForm, ChecklistForm, DoneForm, ProblemForm, QuestionForm
from ..models import Checklist, ChecklistQuestion, InspectionProblem
from .records import _org_choices, _require_own_person, _selected_org

# --- Self-inspection checklists (admins) ---------------------------------------------------


def _committees_managed(user):
    return organizations_for(user, scoping.GROWTH_MANAGE).filter(
        kind=Organization.Kind.COMMITTEE, archived_at__isnull=True
    )


@login_required
@require_GET
def checklist_list(request):
    scoping.require_perm(request.user, scoping.GROWTH_MANAGE)
    checklists = selectors.checklists_for(request.user).order_by("-year")
    return render(
        request,
        "growth/checklist_list.html",
        {"checklists": checklists, "can_create": _committees_managed(request.user).exists()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def checklist_create(request):
    committees = _committees_managed(request.user)
    if not committees.exists():
        raise PermissionDenied
    form = ChecklistForm(
        request.POST or None, committees=committees, initial={"organization": committees.first()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            checklist = services.checklist_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Checklist created as a draft: add its questions, then publish it."))
            return redirect("growth:checklist_detail", checklist.pk)
    return render(request, "growth/form.html", {"form": form, "title": _("New self-inspection checklist")})


def _checklist(request, pk: int) -> Checklist:
    return selectors.get_for_user(selectors.checklists_for(request.user), request.user, pk=pk)


def _managed_checklist(request, pk: int) -> Checklist:
    checklist = _checklist(request, pk)
    scoping.require_perm(request.user, scoping.GROWTH_MANAGE, checklist.organization)
    return checklist


@login_required
@require_GET
def checklist_detail(request, checklist_pk: int):
    checklist = _checklist(request, checklist_pk)
    can_edit = not checklist.is_published and scoping.has_perm(
        request.user, scoping.GROWTH_MANAGE, checklist.organization
    )
    today = timezone.localdate()
    context = {
        "checklist": checklist,
        "questions": list(checklist.questions.all()),
        "can_edit": can_edit,
        "question_form": QuestionForm(),
        "today": today,
    }
    if checklist.is_published:
        selected = _selected_org(request)
        progress = selectors.inspection_progress(
            request.user, checklist, organization_path=selected.path if selected else ""
        )
        total_cadres, total_answered = selectors.inspection_totals(progress)
        context.update(
            progress=progress,
            total_cadres=total_cadres,
            total_answered=total_answered,
            overdue=list(selectors.overdue_problems(request.user, on=today, checklist=checklist)[:200]),
            answered=selectors.inspections_for(request.user)
            .filter(checklist=checklist)
            .order_by("person__organization__path", "person__name"),
            organizations=_org_choices(request.user),
            selected_org=request.GET.get("org", ""),
        )
        context["total_share"] = metrics.share(context["total_answered"], context["total_cadres"])
    return render(request, "growth/checklist_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def checklist_edit(request, checklist_pk: int):
    checklist = _managed_checklist(request, checklist_pk)
    form = ChecklistForm(
        request.POST or None, editing=True, initial={"title": checklist.title, "intro": checklist.intro}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.checklist_update(checklist=checklist, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("growth:checklist_detail", checklist.pk)
    return render(request, "growth/form.html", {"form": form, "title": _("Edit the checklist")})


@login_required
@require_POST
def question_add(request, checklist_pk: int):
    checklist = _managed_checklist(request, checklist_pk)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.question_add(checklist=checklist, text=form.cleaned_data["text"], actor=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
    else:
        messages.error(request, _("The question is empty or too long."))
    return redirect(reverse("growth:checklist_detail", args=[checklist.pk]) + "#questions")


def _question(request, pk: int) -> ChecklistQuestion:
    question = selectors.get_for_user(
        ChecklistQuestion.objects.filter(checklist__in=selectors.checklists_for(request.user)).select_related(
            "checklist", "checklist__organization"
        ),
        request.user,
        pk=pk,
    )
    scoping.require_perm(request.user, scoping.GROWTH_MANAGE, question.checklist.organization)
    return question


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request, question_pk: int):
    question = _question(request, question_pk)
    form = QuestionForm(request.POST or None, initial={"text": question.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.question_update(question=question, text=form.cleaned_data["text"], actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(reverse("growth:checklist_detail", args=[question.checklist_id]) + "#questions")
    return render(
        request, "growth/form.html", {"form": form, "title": _("Question %(n)d") % {"n": question.number}}
    )


@login_required
@require_POST
def question_delete(request, question_pk: int):
    question = _question(request, question_pk)
    try:
        services.question_delete(question=question, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(reverse("growth:checklist_detail", args=[question.checklist_id]) + "#questions")


@login_required
@require_POST
def checklist_publish(request, checklist_pk: int):
    checklist = _managed_checklist(request, checklist_pk)
    try:
        services.checklist_publish(checklist=checklist, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Published: the cadres can now answer it; the questions are frozen."))
    return redirect("growth:checklist_detail", checklist.pk)


@login_required
@require_GET
def inspection_detail(request, inspection_pk: int):
    inspection = selectors.get_for_user(
        selectors.inspections_for(request.user).prefetch_related("answers__question", "problems"),
        request.user,
        pk=inspection_pk,
    )
    return render(
        request, "growth/inspection_detail.html", {"inspection": inspection, "today": timezone.localdate()}
    )


# --- Self-inspection (the cadre) -----------------------------------------------------------


def _my_checklist(person: Person, pk: int) -> Checklist:
    checklist = selectors.checklists_to_answer(person).filter(pk=pk).select_related("organization").first()
    if checklist is None:
        raise Http404
    return checklist


@login_required
@require_http_methods(["GET", "POST"])
def my_inspection(request, checklist_pk: int):
    person = _require_own_person(request.user)
    checklist = _my_checklist(person, checklist_pk)
    inspection = selectors.own_inspection(person, checklist)
    questions = list(checklist.questions.all())
    form = AnswerForm(request.POST or None, questions=questions, inspection=inspection)
    if request.method == "POST" and form.is_valid():
        try:
            services.inspection_submit(
                checklist=checklist, person=person, answers=form.answers(), actor=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your answers are saved. Add any problem you found, with its fix."))
            return redirect(reverse("growth:my_inspection", args=[checklist.pk]) + "#problems")
    return render(
        request,
        "growth/my_inspection.html",
        {
            "checklist": checklist,
            "inspection": inspection,
            "form": form,
            "problem_form": ProblemForm(initial={"due_on": timezone.localdate() + dt.timedelta(days=30)}),
            "problems": list(inspection.problems.all()) if inspection else [],
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def my_problem_add(request, checklist_pk: int):
    person = _require_own_person(request.user)
    checklist = _my_checklist(person, checklist_pk)
    inspection = selectors.own_inspection(person, checklist)
    if inspection is None:
        messages.error(request, _("Answer the questions first; then record the problems you found."))
        return redirect("growth:my_inspection", checklist.pk)
    form = ProblemForm(request.POST)
    if form.is_valid():
        try:
            services.problem_add(inspection=inspection, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Problem and fix recorded."))
            return redirect(reverse("growth:my_inspection", args=[checklist.pk]) + "#problems")
    questions = list(checklist.questions.all())
    return render(
        request,
        "growth/my_inspection.html",
        {
            "checklist": checklist,
            "inspection": inspection,
            "form": AnswerForm(questions=questions, inspection=inspection),
            "problem_form": form,
            "problems": list(inspection.problems.all()),
            "today": timezone.localdate(),
        },
    )


def _my_problem(request, pk: int) -> InspectionProblem:
    person = _require_own_person(request.user)
    problem = (
        InspectionProblem.objects.filter(pk=pk, inspection__person=person)
        .select_related("inspection__person")
        .first()
    )
    if problem is None:
        raise Http404
    return problem


@login_required
@require_POST
def my_problem_done(request, problem_pk: int):
    problem = _my_problem(request, problem_pk)
    form = DoneForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.problem_mark_done(problem=problem, actor=request.user, note=note)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Fix marked done."))
    return redirect(reverse("growth:my_inspection", args=[problem.inspection.checklist_id]) + "#problems")


@login_required
@require_POST
def my_problem_delete(request, problem_pk: int):
    problem = _my_problem(request, problem_pk)
    try:
        services.problem_delete(problem=problem, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Deleted."))
    return redirect(reverse("growth:my_inspection", args=[problem.inspection.checklist_id]) + "#problems")
