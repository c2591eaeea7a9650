"""The PDF summary of an exchange package, rendered by WeasyPrint from an HTML template."""

from typing import Any

from django.template.loader import render_to_string

from .choices import Service


def render_pdf(package: Any, record: dict[str, Any]) -> bytes:
    """The package as a PDF: the consented HTCDS fields (`record`, already masked for the
    reader by selectors.exchange_payload) and the status history."""
    from weasyprint import HTML  # imported here: it loads system libraries (pango) on import

    referral = package.referral
    html = render_to_string(
        "referrals/exchange_pdf.html",
        {
            "package": package,
            "referral": referral,
            "service": Service(referral.service).label,
            "rows": sorted(record.items()),
            "updates": list(package.updates.all()),
        },
    )
    return HTML(string=html).write_pdf()
