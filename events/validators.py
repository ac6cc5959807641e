"""Checks on what staff enter and upload for events, and on the address a registration
sends mail to."""

from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.encoding import punycode
from django.utils.translation import gettext_lazy as _

# Slugs that would collide with fixed addresses under /termine/.
RESERVED_SLUGS = {"kalender"}

# Extension -> the first bytes every such file starts with. Office formats of today and
# OpenDocument are ZIP containers; legacy binary Office files are refused.
DOCUMENT_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
    "odp": (b"PK\x03\x04",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}


def validate_event_slug(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is reserved for the calendar; please choose another slug."),
            code="reserved",
            params={"slug": value},
        )


def validate_document(file) -> None:
    """Refuse files that are too big, of another type, or not what their name says."""
    if getattr(file, "_committed", False):
        return  # already stored (checked on upload); re-saving must not reopen every file
    extension = PurePath(file.name).suffix.lower().lstrip(".")
    if extension not in DOCUMENT_SIGNATURES:
        raise ValidationError(
            _("Files of this type cannot be uploaded. Allowed: %(types)s."),
            code="extension",
            params={"types": ", ".join(sorted(DOCUMENT_SIGNATURES))},
        )
    if file.size > settings.MAX_UPLOAD_SIZE:
        raise ValidationError(
            _("The file is too big (%(size)s); at most %(max)s are allowed."),
            code="size",
            params={
                "size": filesizeformat(file.size),
                "max": filesizeformat(settings.MAX_UPLOAD_SIZE),
            },
        )
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(16)
    file.seek(position)
    if not any(head.startswith(signature) for signature in DOCUMENT_SIGNATURES[extension]):
        raise ValidationError(
            _("The content of the file does not match its type .%(extension)s."),
            code="content",
            params={"extension": extension},
        )


def canonical_email(value: str) -> str:
    """The one spelling of a mailbox that registrations are stored and compared under.

    The mail library delivers ``"a"@x.de``, ``a@ｘ.de`` (full-width) and ``a@X.DE`` to the
    same mailbox, and ``a@bücher.de`` to ``a@xn--bcher-kva.de``. Compared as typed, each
    spelling would be a new address with its own confirmation request, so a script could
    mail a stranger as often as it found spellings. The domain is therefore written as the
    mail library sends it (Django's ``punycode``, as ``sanitize_address`` does, lower
    case); quoted local parts, IP literals and names without a dot (``root@localhost``:
    this server's own mailboxes) are refused.
    Raises ValidationError; expects an address Django's EmailValidator has accepted.
    """
    local, _at, domain = value.strip().rpartition("@")
    error = ValidationError(
        _("Please enter an ordinary e-mail address such as name@example.de."),
        code="email_form",
    )
    if not local or local.startswith('"') or domain.startswith("["):
        raise error
    try:
        domain = punycode(domain).lower()
    except UnicodeError as exc:
        raise error from exc
    address = f"{local}@{domain}"
    if "." not in domain or len(address) > 254:
        raise error
    return address
