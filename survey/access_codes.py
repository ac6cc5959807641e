"""Access codes: one-time codes printed on invitations for surveys that need one. A code is
spent in a transaction of its own and never linked to the response it allowed."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.audit import KIND_GENERATED, audit_record
from survey.models import AccessCode, Survey

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: nothing that reads or types ambiguously from paper.
ACCESS_CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
ACCESS_CODE_LENGTH = 8


def normalize_access_code(value: str) -> str:
    """Codes are printed as ABCD-EFGH; accept them typed with spaces, dashes, lower case."""
    return "".join(ch for ch in value.upper() if ch.isalnum())[:40]


def format_access_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


@transaction.atomic
def access_codes_generate(*, survey: Survey, count: int) -> list[AccessCode]:
    """Create ``count`` new random one-time codes for a survey."""
    if count < 1 or count > 10_000:
        raise ValidationError(_("Between 1 and 10,000 codes at a time."))
    codes: set[str] = set()
    while len(codes) < count:
        candidates = {
            "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _i in range(ACCESS_CODE_LENGTH))
            for _n in range(count - len(codes))
        }
        taken = AccessCode.objects.filter(code__in=candidates).values_list("code", flat=True)
        codes |= candidates - set(taken)
    created = AccessCode.objects.bulk_create(
        AccessCode(survey=survey, code=code) for code in sorted(codes)
    )
    # How many, never the codes (whoever reads the log could otherwise answer with them).
    audit_record(
        kind=KIND_GENERATED, model=Survey, obj=survey, what="access_codes", count=len(created)
    )
    return created
