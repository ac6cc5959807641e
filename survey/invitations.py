"""Invitation letters for surveys with access codes: one A4 page per unused code with a QR
code and a link that opens the questionnaire with the code filled in.

No list of names is kept with the codes: the letters carry no address field, and which code
went to which household is known to nobody (the letters are folded into envelopes after
printing, in any order)."""

from dataclasses import dataclass
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from survey.access_codes import format_access_code
from survey.models import Survey

# The query parameter of the link: the request log never writes query strings (settings.LOGGING).
LINK_PARAMETER = "c"


@dataclass(frozen=True)
class Letter:
    code: str  # formatted, as printed: ACDE-FGHJ
    link: str
    qr_svg: SafeString


def access_code_link(code: str) -> str:
    """The absolute link that opens the survey of ``code`` with the code filled in."""
    query = urlencode({LINK_PARAMETER: code})
    return f"{settings.SITE_URL}{reverse('access_code_link')}?{query}"


def qr_svg(data: str, *, title: str) -> SafeString:
    """``data`` as a QR code, inline SVG without size attributes (the CSS sizes it) and without
    any style attribute (the CSP forbids inline styles). Error correction M survives a crease
    or a coffee stain on a letter."""
    qr = segno.make(data, error="m", micro=False)
    # segno escapes the title; the rest of the SVG is its own markup.
    return mark_safe(qr.svg_inline(scale=1, border=4, omitsize=True, title=title))


def invitation_letters(*, survey: Survey, codes: list[str]) -> list[Letter]:
    """One letter per (unformatted) code of ``survey``."""
    title = _("QR code: opens the survey with your access code")
    letters = []
    for code in codes:
        link = access_code_link(code)
        letters.append(
            Letter(code=format_access_code(code), link=link, qr_svg=qr_svg(link, title=title))
        )
    return letters
