from django.urls import path

from qingyi.growth import views

app_name = "growth"
urlpatterns = [
    path("", views.roster, name="roster"),
    path("cadres/<id:person_pk>/", views.cadre_detail, name="cadre_detail"),
    path("trainings/", views.training_list, name="training_list"),
    path("trainings/new/", views.training_create, name="training_create"),
    path("trainings/<id:training_pk>/edit/", views.training_edit, name="training_edit"),
    path("trainings/<id:training_pk>/delete/", views.training_delete, name="training_delete"),
    path("trainings/<id:training_pk>/decide/", views.training_decide, name="training_decide"),
    path("trainings/<id:training_pk>/certificate/", views.training_certificate, name="training_certificate"),
    path("contests/", views.contest_list, name="contest_list"),
    path("contests/new/", views.contest_create, name="contest_create"),
    path("contests/<id:contest_pk>/edit/", views.contest_edit, name="contest_edit"),
    path("contests/<id:contest_pk>/delete/", views.contest_delete, name="contest_delete"),
    path("contests/<id:contest_pk>/decide/", views.contest_decide, name="contest_decide"),
    path("checklists/", views.checklist_list, name="checklist_list"),
    path("checklists/new/", views.checklist_create, name="checklist_create"),
    path("checklists/<id:checklist_pk>/", views.checklist_detail, name="checklist_detail"),
    path("checklists/<id:checklist_pk>/edit/", views.checklist_edit, name="checklist_edit"),
    path("checklists/<id:checklist_pk>/questions/new/", views.question_add, name="question_add"),
    path("checklists/<id:checklist_pk>/publish/", views.checklist_publish, name="checklist_publish"),
    path("questions/<id:question_pk>/edit/", views.question_edit, name="question_edit"),
    path("questions/<id:question_pk>/delete/", views.question_delete, name="question_delete"),
    path("inspections/<id:inspection_pk>/", views.inspection_detail, name="inspection_detail"),
    # The cadre's own pages.
    path("me/", views.me, name="me"),
    path("me/trainings/new/", views.my_training_new, name="my_training_new"),
    path("me/contests/new/", views.my_contest_new, name="my_contest_new"),
    path("me/checklists/<id:checklist_pk>/", views.my_inspection, name="my_inspection"),
    path("me/checklists/<id:checklist_pk>/problems/new/", views.my_problem_add, name="my_problem_add"),
    path("me/problems/<id:problem_pk>/done/", views.my_problem_done, name="my_problem_done"),
    path("me/problems/<id:problem_pk>/delete/", views.my_problem_delete, name="my_problem_delete"),
]
