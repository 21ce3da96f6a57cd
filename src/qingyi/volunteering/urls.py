from django.urls import path

from qingyi.volunteering import (
    views,
    views_applications,
    views_certificates,
    views_figures,
    views_manage,
    views_manage_volunteers,
    views_personal_qr,
    views_qualifications,
    views_service_points,
    views_stars,
)

app_name = "volunteering"
urlpatterns = [
    # A volunteer's pages.
    path("", views.home, name="home"),
    path("join/", views.join, name="join"),
    path("shifts/", views.shift_list, name="shift_list"),
    path("shifts/<id:shift_pk>/", views.shift_detail, name="shift_detail"),
    path("shifts/<id:shift_pk>/signup/", views.signup_create, name="signup_create"),
    path("shifts/<id:shift_pk>/scan/", views.scan, name="scan"),
    path("signups/<id:signup_pk>/cancel/", views.signup_cancel, name="signup_cancel"),
    path("my-hours/", views.my_hours, name="my_hours"),
    path("my-hours/code/", views_personal_qr.my_code, name="my_code"),
    path(
        "my-hours/certificates/new/", views_certificates.certificate_issue_mine, name="certificate_issue_mine"
    ),
    path("certificates/<id:certificate_pk>/pdf/", views_certificates.certificate_pdf, name="certificate_pdf"),
    # Public: the application form for outsiders, and the page a certificate's QR code opens.
    path("apply/", views_applications.apply, name="apply"),
    path(
        "certificates/verify/<str:cert_token>/",
        views_certificates.certificate_verify,
        name="certificate_verify",
    ),
    # The coordinator's pages.
    path("manage/", views_manage.project_list, name="project_list"),
    path("manage/projects/new/", views_manage.project_create, name="project_create"),
    path("manage/projects/<id:project_pk>/", views_manage.project_detail, name="project_detail"),
    path("manage/projects/<id:project_pk>/edit/", views_manage.project_edit, name="project_edit"),
    path("manage/projects/<id:project_pk>/posts/new/", views_manage.post_create, name="post_create"),
    path("manage/projects/<id:project_pk>/shifts/new/", views_manage.shift_create, name="shift_create"),
    path("manage/projects/<id:project_pk>/series/new/", views_manage.series_create, name="series_create"),
    path("shifts/scan-person/", views_personal_qr.scan_person, name="scan_person"),
    path("shifts/<id:shift_pk>/edit/", views_manage.shift_edit, name="shift_edit"),
    path("shifts/<id:shift_pk>/cancel/", views_manage.shift_cancel, name="shift_cancel"),
    path("shifts/<id:shift_pk>/qr/", views_manage.shift_qr, name="shift_qr"),
    path("shifts/<id:shift_pk>/assign/", views_manage.signup_assign, name="signup_assign"),
    path("shifts/<id:shift_pk>/check-in/", views_manage.shift_checkin, name="shift_checkin"),
    path("shifts/<id:shift_pk>/verify/", views_manage.shift_verify, name="shift_verify"),
    path("shifts/<id:shift_pk>/no-shows/", views_manage.shift_no_shows, name="shift_no_shows"),
    path("shifts/<id:shift_pk>/hours/new/", views_manage.hours_add, name="hours_add"),
    path("signups/<id:signup_pk>/approve/", views_manage.signup_approve, name="signup_approve"),
    path("signups/<id:signup_pk>/refuse/", views_manage.signup_refuse, name="signup_refuse"),
    path("records/<id:record_pk>/correct/", views_manage.record_correct, name="record_correct"),
    path("manage/volunteers/", views_manage_volunteers.volunteer_list, name="volunteer_list"),
    path("manage/volunteers/new/", views_manage_volunteers.volunteer_create, name="volunteer_create"),
    path(
        "manage/volunteers/<id:volunteer_pk>/",
        views_manage_volunteers.volunteer_detail,
        name="volunteer_detail",
    ),
    path(
        "manage/volunteers/<id:volunteer_pk>/edit/",
        views_manage_volunteers.volunteer_edit,
        name="volunteer_edit",
    ),
    path(
        "manage/volunteers/<id:volunteer_pk>/status/",
        views_qualifications.volunteer_status,
        name="volunteer_status",
    ),
    path(
        "manage/volunteers/<id:volunteer_pk>/clear/",
        views_manage_volunteers.volunteer_clear,
        name="volunteer_clear",
    ),
    path(
        "manage/volunteers/<id:volunteer_pk>/qualifications/new/",
        views_manage_volunteers.qualification_grant,
        name="qualification_grant",
    ),
    path(
        "manage/volunteers/<id:volunteer_pk>/certificates/new/",
        views_certificates.certificate_issue_for,
        name="certificate_issue_for",
    ),
    path("manage/qualifications/", views_qualifications.qualification_list, name="qualification_list"),
    path(
        "manage/qualifications/new/", views_qualifications.qualification_create, name="qualification_create"
    ),
    path(
        "manage/qualifications/<id:qualification_pk>/edit/",
        views_qualifications.qualification_edit,
        name="qualification_edit",
    ),
    path("manage/applications/", views_applications.application_list, name="application_list"),
    path(
        "manage/applications/<id:application_pk>/",
        views_applications.application_detail,
        name="application_detail",
    ),
    path(
        "manage/applications/<id:application_pk>/approve/",
        views_applications.application_approve,
        name="application_approve",
    ),
    path(
        "manage/applications/<id:application_pk>/refuse/",
        views_applications.application_refuse,
        name="application_refuse",
    ),
    # Service points: fixed desks with a standing screen whose code checks volunteers in.
    path("manage/projects/<id:project_pk>/points/", views_service_points.point_list, name="point_list"),
    path(
        "manage/projects/<id:project_pk>/points/new/",
        views_service_points.point_create,
        name="point_create",
    ),
    path("points/<id:point_pk>/edit/", views_service_points.point_edit, name="point_edit"),
    path("points/<id:point_pk>/archive/", views_service_points.point_archive, name="point_archive"),
    path("points/<id:point_pk>/restore/", views_service_points.point_restore, name="point_restore"),
    path("points/<id:point_pk>/screen/", views_service_points.point_screen, name="point_screen"),
    path("points/<id:point_pk>/scan/", views_service_points.point_scan, name="point_scan"),
    # Star levels: the coordinator's due list and award; the hospital's announcement (公示).
    path("stars/", views_stars.star_announcement_list, name="star_announcement_list"),
    path(
        "stars/<id:announcement_pk>/", views_stars.star_announcement_detail, name="star_announcement_detail"
    ),
    path(
        "stars/<id:announcement_pk>/objections/",
        views_stars.star_objection_create,
        name="star_objection_create",
    ),
    path("manage/stars/due/", views_stars.star_due, name="star_due"),
    path("manage/stars/announce/", views_stars.star_announce, name="star_announce"),
    path(
        "manage/stars/<id:announcement_pk>/award/",
        views_stars.star_announcement_award,
        name="star_announcement_award",
    ),
    path(
        "manage/stars/entries/<id:entry_pk>/decide/", views_stars.star_entry_decide, name="star_entry_decide"
    ),
    path("manage/hours/", views_manage.hours_overview, name="hours_overview"),
    path("manage/hours/export/", views_manage.hours_export, name="hours_export"),
    # 志愿服务统计: figures of an organisation and period, for whoever may see figures.
    path("figures/", views_figures.figures, name="figures"),
    path("figures/export/", views_figures.figures_export, name="figures_export"),
]
