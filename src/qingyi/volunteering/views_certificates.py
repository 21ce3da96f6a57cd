"""Service certificates: the volunteer's download, the coordinator's issue, the public check."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from qingyi.organizations import scoping
from qingyi.volunteering import certificates, selectors
from qingyi.volunteering.models import Certificate, Volunteer


def verify_url(request, certificate: Certificate) -> str:
    return request.build_absolute_uri(reverse("volunteering:certificate_verify", args=[certificate.token]))


@login_required
@require_POST
def certificate_issue_mine(request):
    """The volunteer asks for a certificate of their verified hours, then downloads it."""
    volunteer = selectors.volunteer_of(request.user)
    if volunteer is None:
        raise Http404
    try:
        certificate = certificates.certificate_issue(volunteer=volunteer, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("volunteering:my_hours")
    return redirect("volunteering:certificate_pdf", certificate.pk)


@login_required
@require_POST
def certificate_issue_for(request, volunteer_pk: int):
    volunteer = scoping.get_object_for_user(
        Volunteer.objects.select_related("organization"),
        request.user,
        view_perm=scoping.VOLUNTEERING_MANAGE,
        path_field="organization__path",
        pk=volunteer_pk,
    )
    try:
        certificate = certificates.certificate_issue(volunteer=volunteer, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, certificate.number)
    return redirect("volunteering:volunteer_detail", volunteer.pk)


@login_required
@require_GET
def certificate_pdf(request, certificate_pk: int):
    """The PDF, for the volunteer it certifies or a coordinator of their organisation."""
    certificate = selectors.certificate_for(request.user, certificate_pk)
    pdf = certificates.certificate_pdf(certificate, verify_url=verify_url(request, certificate))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate.number}.pdf"'
    return response


@require_GET
def certificate_verify(request, cert_token: str):
    """Public: anyone holding the QR code checks that the certificate is genuine."""
    certificate = certificates.certificate_by_token(cert_token)
    if certificate is None:
        return render(request, "volunteering/certificate_verify.html", {"certificate": None}, status=404)
    return render(request, "volunteering/certificate_verify.html", {"certificate": certificate})
