from django.urls import path

from qingyi.people.views import imports, roster

app_name = "people"
urlpatterns = [
    path("", roster.person_list, name="list"),
    path("new/", roster.person_create, name="create"),
    path("import/", imports.roster_import, name="import"),
    path("import/template/", imports.roster_import_template, name="import_template"),
    path("import/<id:import_pk>/", imports.roster_import_preview, name="import_preview"),
    path("import/<id:import_pk>/apply/", imports.roster_import_apply, name="import_apply"),
    path("import/<id:import_pk>/discard/", imports.roster_import_discard, name="import_discard"),
    path("import/<id:import_pk>/errors/", imports.roster_import_errors, name="import_errors"),
    path("export/", imports.roster_export, name="export"),
    path("<id:person_pk>/", roster.person_detail, name="detail"),
    path("<id:person_pk>/edit/", roster.person_edit, name="edit"),
    path("<id:person_pk>/age-out/", roster.person_age_out, name="age_out"),
    path("<id:person_pk>/leave/", roster.person_leave, name="leave"),
    path("<id:person_pk>/transfer/", roster.transfer_new, name="transfer_new"),
    path("transfers/", roster.transfer_list, name="transfer_list"),
    path("transfers/<id:transfer_pk>/approve/", roster.transfer_approve, name="transfer_approve"),
    path("transfers/<id:transfer_pk>/refuse/", roster.transfer_refuse, name="transfer_refuse"),
    path("transfers/<id:transfer_pk>/cancel/", roster.transfer_cancel, name="transfer_cancel"),
    path("changes/<id:change_pk>/approve/", roster.change_request_approve, name="change_approve"),
    path("changes/<id:change_pk>/refuse/", roster.change_request_refuse, name="change_refuse"),
]
