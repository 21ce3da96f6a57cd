from django.urls import path

from qingyi.growth.views import inspections, records

app_name = "growth"
urlpatterns = [
    path("", records.roster, name="roster"),
    path("cadres/<id:person_pk>/", records.cadre_detail, name="cadre_detail"),
    path("trainings/", records.training_list, name="training_list"),
    path("trainings/new/", records.training_create, name="training_create"),
    path("trainings/<id:training_pk>/edit/", records.training_edit, name="training_edit"),
    path("trainings/<id:training_pk>/delete/", records.training_delete, name="training_delete"),
    path("trainings/<id:training_pk>/decide/", records.training_decide, name="training_decide"),
    path(
        "trainings/<id:training_pk>/certificate/", records.training_certificate, name="training_certificate"
    ),
    path("contests/", records.contest_list, name="contest_list"),
    path("contests/new/", records.contest_create, name="contest_create"),
    path("contests/<id:contest_pk>/edit/", records.contest_edit, name="contest_edit"),
    path("contests/<id:contest_pk>/delete/", records.contest_delete, name="contest_delete"),
    path("contests/<id:contest_pk>/decide/", records.contest_decide, name="contest_decide"),
    path("checklists/", inspections.checklist_list, name="checklist_list"),
    path("checklists/new/", inspections.checklist_create, name="checklist_create"),
    path("checklists/<id:checklist_pk>/", inspections.checklist_detail, name="checklist_detail"),
    path("checklists/<id:checklist_pk>/edit/", inspections.checklist_edit, name="checklist_edit"),
    path("checklists/<id:checklist_pk>/questions/new/", inspections.question_add, name="question_add"),
    path("checklists/<id:checklist_pk>/publish/", inspections.checklist_publish, name="checklist_publish"),
    path("questions/<id:question_pk>/edit/", inspections.question_edit, name="question_edit"),
    path("questions/<id:question_pk>/delete/", inspections.question_delete, name="question_delete"),
    path("inspections/<id:inspection_pk>/", inspections.inspection_detail, name="inspection_detail"),
    # The cadre's own pages.
    path("me/", records.me, name="me"),
    path("me/trainings/new/", records.my_training_new, name="my_training_new"),
    path("me/contests/new/", records.my_contest_new, name="my_contest_new"),
    path("me/checklists/<id:checklist_pk>/", inspections.my_inspection, name="my_inspection"),
    path("me/checklists/<id:checklist_pk>/problems/new/", inspections.my_problem_add, name="my_problem_add"),
    path("me/problems/<id:problem_pk>/done/", inspections.my_problem_done, name="my_problem_done"),
    path("me/problems/<id:problem_pk>/delete/", inspections.my_problem_delete, name="my_problem_delete"),
]
