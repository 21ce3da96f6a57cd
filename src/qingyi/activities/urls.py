from django.urls import path

from qingyi.activities.views import activities, member, planning, publicity

app_name = "activities"
urlpatterns = [
    path("", activities.activity_list, name="list"),
    path("tiles/", activities.activity_tiles, name="tiles"),
    path("new/", activities.activity_create, name="create"),
    path("calendar/", planning.activity_calendar, name="calendar"),
    path("compliance/", planning.compliance, name="compliance"),
    path("mine/", member.my_activities, name="mine"),
    path("<id:activity_pk>/", activities.activity_detail, name="detail"),
    path("<id:activity_pk>/edit/", activities.activity_edit, name="edit"),
    path("<id:activity_pk>/record/", activities.activity_record, name="record"),
    path("<id:activity_pk>/cancel/", activities.activity_cancel, name="cancel"),
    path("<id:activity_pk>/attendance/", activities.attendance_edit, name="attendance"),
    path("<id:activity_pk>/qr/", activities.activity_qr, name="qr"),
    path("<id:activity_pk>/check-in/", member.check_in, name="check_in"),
    path("<id:activity_pk>/register/", member.register, name="register"),
    path("<id:activity_pk>/files/", activities.file_upload, name="file_upload"),
    path("<id:activity_pk>/files/<id:file_pk>/", activities.file_download, name="file_download"),
    path("<id:activity_pk>/files/<id:file_pk>/delete/", activities.file_delete, name="file_delete"),
    path("<id:activity_pk>/registration/", activities.registration_settings, name="registration_settings"),
    path("<id:activity_pk>/registration/export/", activities.registration_export, name="registration_export"),
    path(
        "registrations/<id:registration_pk>/cancel/",
        activities.registration_cancel,
        name="registration_cancel",
    ),
    path("publicity/", publicity.publication_list, name="publication_list"),
    path("publicity/new/", publicity.publication_create, name="publication_create"),
    path("publicity/import/", publicity.publication_import, name="publication_import"),
    path("publicity/<id:publication_pk>/delete/", publicity.publication_delete, name="publication_delete"),
]
