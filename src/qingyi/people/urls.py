from django.urls import path

from qingyi.people import views, views_import

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("new/", views.person_create, name="create"),
    path("import/", views_import.roster_import, name="import"),
    path("import/template/", views_import.roster_import_template, name="import_template"),
    path("import/<id:import_pk>/", views_import.roster_import_preview, name="import_preview"),
    path("import/<id:import_pk>/apply/", views_import.roster_import_apply, name="import_apply"),
    path("import/<id:import_pk>/discard/", views_import.roster_import_discard, name="import_discard"),
    path("import/<id:import_pk>/errors/", views_import.roster_import_errors, name="import_errors"),
    path("export/", views_import.roster_export, name="export"),
    path("<id:person_pk>/", views.person_detail, name="detail"),
    path("<id:person_pk>/edit/", views.person_edit, name="edit"),
    path("<id:person_pk>/age-out/", views.person_age_out, name="age_out"),
    path("<id:person_pk>/leave/", views.person_leave, name="leave"),
    path("<id:person_pk>/transfer/", views.transfer_new, name="transfer_new"),
    path("transfers/", views.transfer_list, name="transfer_list"),
    path("transfers/<id:transfer_pk>/approve/", views.transfer_approve, name="transfer_approve"),
    path("transfers/<id:transfer_pk>/refuse/", views.transfer_refuse, name="transfer_refuse"),
    path("transfers/<id:transfer_pk>/cancel/", views.transfer_cancel, name="transfer_cancel"),
    path("changes/<id:change_pk>/approve/", views.change_request_approve, name="change_approve"),
    path("changes/<id:change_pk>/refuse/", views.change_request_refuse, name="change_refuse"),
]
