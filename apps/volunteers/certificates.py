"""The certificate (志愿服务记录证明) as a PDF: the same body as the printable page,
rendered by WeasyPrint with a CJK font from Debian's fonts-noto-cjk. Nothing is fetched
while rendering: the QR code is inline, and any other URL is refused."""

import base64
import json

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from rest_framework.renderers import BaseRenderer

from apps.core.errors import Conflict

from .models import Certificate


def qr_png(url: str) -> bytes:
    """The verification QR code, one pixel per module (the PDF scales it up, crisp)."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=1, border=2)
    return out.getvalue()


def certificate_pdf(cert: Certificate, *, verify_url: str) -> bytes:
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except OSError as exc:  # Pango missing: see the README's set-up notes
        raise Conflict(_("服务器暂不能生成 PDF，请使用打印页面。"), code="pdf_unavailable") from exc
    qr = base64.b64encode(qr_png(verify_url)).decode()
    html = render_to_string(
        "volunteers/certificate_pdf.html",
        {"cert": cert, "verify_url": verify_url, "qr": f"data:image/png;base64,{qr}"},
    )
    # Only `data:` URIs (the inline QR code) are read: the page never fetches a URL.
    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    return HTML(string=html, url_fetcher=fetcher).write_pdf()


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class PDFRenderer(BaseRenderer):
    """Lets an API client ask for `Accept: application/pdf`; an error is still JSON."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, ensure_ascii=False, default=str).encode()
