"""志愿服务证明: issuing certificates from verified records, and drawing them as PDF.

A certificate (RULES.md "Volunteer service records"; 民政部令第67号) is free, is issued from
the records — verified hours only — states the volunteer's identity, the hours, the
content and the issuing unit with a number and a date, can be verified through the
platform (its QR code opens the public page) and never changes once issued.
"""

from __future__ import annotations

import io
import secrets
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from qingyi.organizations import scoping
from qingyi.organizations.models import Organization
from qingyi.volunteering.models import Certificate, ServiceRecord, Volunteer

NUMBER_PREFIX = "QY"
FONT = "STSong-Light"


def issuing_unit_of(volunteer: Volunteer) -> str:
    """The committee (root of the volunteer's organisation tree) issues the certificate."""
    org = volunteer.organization
    root = Organization.objects.filter(path=org.path[: org.steplen]).values_list("name", flat=True).first()
    return root or org.name


def _next_number(year: int) -> str:
    prefix = f"{NUMBER_PREFIX}-{year}-"
    last = (
        Certificate.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{n:06d}"


def certificate_issue(*, volunteer: Volunteer, actor) -> Certificate:
    """Issue a certificate of the volunteer's verified hours (the volunteer themself, or a
    coordinator of their organisation). Refused without verified hours. Asking again with no
    new verified hours returns the latest certificate instead of a second identical one."""
    own = volunteer.user_id is not None and volunteer.user_id == actor.pk
    if not own and not scoping.has_perm(actor, scoping.VOLUNTEERING_MANAGE, volunteer.organization):
        raise PermissionDenied
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return _issue(volunteer=volunteer, actor=actor)
        except IntegrityError:
            continue  # another certificate took the number meanwhile: take the next one
    raise ValidationError(_("The certificate could not be numbered; please try again."))


def _issue(*, volunteer: Volunteer, actor) -> Certificate:
    verified = ServiceRecord.objects.filter(
        volunteer=volunteer, status=ServiceRecord.Status.VERIFIED, verified_hours__gt=0
    )
    totals = verified.aggregate(
        hours=Sum("verified_hours"), services=Count("pk"), first=Min("served_on"), last=Max("served_on")
    )
    hours = Decimal(totals["hours"] or 0)
    if hours <= 0:
        raise ValidationError(_("There are no verified hours to certify yet."))
    latest = volunteer.certificates.order_by("-issued_at", "-pk").first()
    if latest is not None and latest.hours == hours and latest.services == totals["services"]:
        return latest
    projects = list(
        verified.values("project__name")
        .annotate(h=Sum("verified_hours"))
        .order_by("-h", "project__name")
        .values_list("project__name", "h")
    )
    content = "; ".join(f"{name}（{h.normalize():f} 小时）" for name, h in projects)
    now = timezone.now()
    return Certificate.objects.create(
        number=_next_number(timezone.localtime(now).year),
        token=secrets.token_urlsafe(24),
        volunteer=volunteer,
        issued_at=now,
        issued_by=actor,
        issuing_unit=issuing_unit_of(volunteer),
        name=volunteer.name,
        id_number_masked=volunteer.id_number_masked,
        hours=hours,
        services=totals["services"],
        content=content,
        period_from=totals["first"],
        period_until=totals["last"],
    )


def certificate_by_token(token: str) -> Certificate | None:
    """The certificate a public QR code names (None for an unknown or malformed token)."""
    token = (token or "").strip()
    if not token or len(token) > 64:
        return None
    return Certificate.objects.filter(token=token).first()


# --- PDF -----------------------------------------------------------------------------------


def _hours_text(hours: Decimal) -> str:
    return f"{hours.normalize():f}"


def certificate_pdf(certificate: Certificate, *, verify_url: str) -> bytes:
    """The certificate as an A4 PDF in Chinese (reportlab's built-in CID font, no font file),
    with a QR code of the public verification page."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = io.BytesIO()
    width, height = A4
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"志愿服务证明 {certificate.number}")
    pdf.setAuthor(certificate.issuing_unit)

    margin = 22 * mm
    pdf.setLineWidth(1.2)
    pdf.rect(margin - 6 * mm, margin - 6 * mm, width - 2 * (margin - 6 * mm), height - 2 * (margin - 6 * mm))

    pdf.setFont(FONT, 26)
    pdf.drawCentredString(width / 2, height - margin - 18 * mm, "志愿服务证明")
    pdf.setFont(FONT, 10.5)
    pdf.drawRightString(width - margin, height - margin - 30 * mm, f"编号：{certificate.number}")

    issued = timezone.localtime(certificate.issued_at).date()
    hours = _hours_text(certificate.hours)
    lines = [
        f"姓名：{certificate.name}",
        f"身份证号：{certificate.id_number_masked or '—'}",
        f"服务时间：{certificate.period_from:%Y年%m月%d日} 至 {certificate.period_until:%Y年%m月%d日}",
        f"经核实的志愿服务时长：{hours} 小时（{certificate.services} 次服务）",
    ]
    y = height - margin - 48 * mm
    pdf.setFont(FONT, 13)
    for line in lines:
        pdf.drawString(margin, y, line)
        y -= 10 * mm
    pdf.drawString(margin, y, "服务内容：")
    y -= 8 * mm
    pdf.setFont(FONT, 12)
    for line in _wrap(certificate.content, FONT, 12, width - 2 * margin - 8 * mm):
        pdf.drawString(margin + 8 * mm, y, line)
        y -= 7 * mm
    y -= 6 * mm
    pdf.setFont(FONT, 12)
    statement = (
        f"兹证明 {certificate.name} 同志在上述期间参加志愿服务，经核实的服务时长共计 {hours} 小时。"
        "本证明依据平台中经核实的志愿服务记录出具，免费出具，出具后不作更改。"
    )
    for line in _wrap(statement, FONT, 12, width - 2 * margin):
        pdf.drawString(margin, y, line)
        y -= 7 * mm

    # Issuing unit and date, bottom right; QR code bottom left.
    pdf.setFont(FONT, 13)
    pdf.drawRightString(width - margin, margin + 30 * mm, f"出具单位：{certificate.issuing_unit}")
    pdf.drawRightString(width - margin, margin + 20 * mm, f"出具日期：{issued:%Y年%m月%d日}")

    size = 34 * mm
    widget = QrCodeWidget(verify_url)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, pdf, margin, margin + 8 * mm)
    pdf.setFont(FONT, 9)
    pdf.drawString(margin, margin + 4 * mm, "扫码核验本证明真伪")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _wrap(text: str, font: str, size: float, max_width: float) -> list[str]:
    """Break Chinese (and mixed) text into lines that fit, character by character."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    current = ""
    for char in text:
        if stringWidth(current + char, font, size) > max_width and current:
            lines.append(current)
            current = char
        else:
            current += char
    if current:
        lines.append(current)
    return lines
