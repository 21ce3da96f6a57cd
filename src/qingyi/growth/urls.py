from django.urls import path

from qingyi.growth import views

app_name = "growth"
urlpatterns = [
    path("", views.roster, name="roster"),
    path("cadres/<int:person_pk>/", views.cadre_detail, name="cadre_detail"),
    path("trainings/", views.training_list, name="training_list"),
    path("trainings/new/", views.training_create, name="training_create"),
    path("trainings/<int:training_pk>/edit/", views.training_edit, name="training_edit"),
    path("trainings/<int:training_pk>/delete/", views.training_delete, name="training_delete"),
    path("trainings/<int:training_pk>/decide/", views.training_decide, name="training_decide"),
    path("trainings/<int:training_pk>/certificate/", views.training_certificate, name="training_certificate"),
    path("contests/", views.contest_list, name="contest_list"),
    path("contests/new/", views.contest_create, name="contest_create"),
    path("contests/<int:contest_pk>/edit/", views.contest_edit, name="contest_edit"),
    path("contests/<int:contest_pk>/delete/", views.contest_delete, name="contest_delete"),
    path("contests/<int:contest_pk>/decide/", views.contest_decide, name="contest_decide"),
    path("checklists/", views.checklist_list, name="checklist_list"),
    path("checklists/new/", views.checklist_create, name="checklist_create"),
    path("checklists/<int:checklist_pk>/", views.checklist_detail, name="checklist_detail"),
    path("checklists/<int:checklist_pk>/edit/", views.checklist_edit, name="checklist_edit"),
    path("checklists/<int:checklist_pk>/questions/new/", views.question_add, name="question_add"),
    path("checklists/<int:checklist_pk>/publish/", views.checklist_publish, name="checklist_publish"),
    path("questions/<int:question_pk>/edit/", views.question_edit, name="question_edit"),
    path("questions/<int:question_pk>/delete/", views.question_delete, name="question_delete"),
    path("inspections/<int:inspection_pk>/", views.inspection_detail, name="inspection_detail"),
    # The cadre's own pages.
    path("me/", views.me, name="me"),
    path("me/trainings/new/", views.my_training_new, name="my_training_new"),
    path("me/contests/new/", views.my_contest_new, name="my_contest_new"),
    path("me/checklists/<int:checklist_pk>/", views.my_inspection, name="my_inspection"),
    path("me/checklists/<int:checklist_pk>/problems/new/", views.my_problem_add, name="my_problem_add"),
    path("me/problems/<int:problem_pk>/done/", views.my_problem_done, name="my_problem_done"),
    path("me/problems/<int:problem_pk>/delete/", views.my_problem_delete, name="my_problem_delete"),
]
