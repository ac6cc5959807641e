"""Invisible spam protection for public forms, without third parties.

- Honeypot: a field people never see (hidden by CSS, labelled "leave empty"); bots fill it.
- Minimum fill time: a signed timestamp in a hidden field; a form sent faster than
  ``settings.SPAM_MIN_FILL_SECONDS`` is refused with a message.
- Single use: a token carries one submission. Its hash is stored in the database until the
  token expires (``SpentFormToken``), so a script cannot fetch one form, wait once and then
  send it many times, whichever worker answers.
- Rate limit: at most ``settings.SPAM_RATE_LIMIT`` submissions per client and
  ``settings.SPAM_RATE_WINDOW`` seconds, counted in the database (so every worker and app
  server agrees, with or without a shared cache) under a keyed hash of the client address;
  the address itself is never stored anywhere, and a count is deleted after its window.
  Behind a trusted proxy the client is the one named in X-Forwarded-For
  (``portal.clients.client_address``).
  A client over the limit is refused before its token is spent (``refusal``), so a script
  with a stack of fresh tokens cannot turn each request into a database write.
"""

import hashlib
import secrets
import time
from datetime import timedelta

from django import forms
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.clients import client_hash
from portal.models import RateCount, SpentFormToken

SALT = "portal.spam.form-started"
MAX_AGE = 60 * 60 * 24  # a form left open for a day is refused as stale


def make_form_token(*, started: float | None = None) -> str:
    # The nonce makes two forms shown in the same instant two different single-use tokens.
    return signing.dumps(
        {"t": started if started is not None else time.time(), "n": secrets.token_urlsafe(8)},
        salt=SALT,
    )


def form_age(token: str) -> float | None:
    """Seconds since the form was shown, or None for a missing, forged or stale token."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
        return time.time() - float(data["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def form_token_spend(*, token: str) -> bool:
    """Mark a valid token as used; False when it has carried a submission before.

    The primary key decides between two requests sending the same token at once. Expired
    rows are removed on the way: their tokens are refused as stale anyway.
    """
    now = timezone.now()
    digest = hashlib.sha256(token.encode()).hexdigest()
    try:
        with transaction.atomic():
            SpentFormToken.objects.create(
                digest=digest, expires_at=now + timedelta(seconds=MAX_AGE)
            )
    except IntegrityError:
        return False
    SpentFormToken.objects.filter(expires_at__lt=now).delete()
    return True


class SpamProtectedForm(forms.Form):
    """Adds the honeypot and the timestamp; ``is_spam`` tells a view to drop silently."""

    # Named like a field bots love; people never see it (CSS class .hp-field).
    website = forms.CharField(
        label=_("Please leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)
    # The visitor's own values in a blank form: rendered per request, never kept with the
    # rest of the form's HTML (portal.form_html).
    fresh_fields = ("started",)

    def __init__(self, *args, refusal: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Set by the view when the client is over its rate limit: the form is refused with
        # this message before anything (the token) is written.
        self.refusal = refusal
        if not self.is_bound:
            self.initial["started"] = make_form_token()
        self.fields["website"].widget.attrs["class"] = "form-control"
        self.is_spam = False

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            self.is_spam = True
            return cleaned
        if self.refusal:
            raise forms.ValidationError(self.refusal, code="rate_limited")
        token = cleaned.get("started") or ""
        age = form_age(token)
        if age is not None and age >= settings.SPAM_MIN_FILL_SECONDS:
            if self.errors:
                return cleaned  # not spent: the person corrects the fields and sends again
            if not form_token_spend(token=token):
                self._renew_token()
                raise forms.ValidationError(
                    _(
                        "This form has already been sent. Please check your entries and "
                        "send it again if you want to send another message."
                    ),
                    code="token_spent",
                )
            # Spent now: should the view still refuse the submission (rate limit, a full
            # event, …), the form shown again carries a fresh token for the next attempt.
            self._renew_token()
            return cleaned
        if self.errors:
            # Field errors stop the form anyway and the person sends it again after fixing
            # them, so a timing message would only confuse. A missing, forged or stale token
            # is renewed for that next send; a fresh one keeps counting the real time.
            if age is None:
                self._renew_token()
            return cleaned
        self._renew_token()  # lets a human simply send again
        raise forms.ValidationError(
            _(
                "The form was sent too quickly or has expired. Please check your "
                "entries and send it again."
            ),
            code="too_fast",
        )

    def _renew_token(self) -> None:
        self.data = self.data.copy()
        self.data["started"] = make_form_token()


def _client_key(request, scope: str) -> str:
    # The real client behind a trusted proxy, never a forged header (portal/clients.py).
    return f"portal:rate:{scope}:{client_hash(request)}"


def rate_limit_reached(request, scope: str, *, limit: int | None = None) -> bool:
    """True when the client has used up its ``limit`` (default SPAM_RATE_LIMIT) in the
    current window. Only reads; ``rate_limited`` counts once a submission is accepted."""
    limit = settings.SPAM_RATE_LIMIT if limit is None else limit
    count = (
        RateCount.objects.filter(key=_client_key(request, scope), expires_at__gt=timezone.now())
        .values_list("count", flat=True)
        .first()
    )
    return (count or 0) >= limit


def rate_limited(
    request, scope: str, *, limit: int | None = None, window: int | None = None
) -> bool:
    """Count this submission; True when the client has sent more than ``limit`` in the
    ``window`` (seconds; defaults: the SPAM_RATE_* settings). Counted in the database under
    a keyed hash of the address; other apps use it for their own scopes."""
    limit = settings.SPAM_RATE_LIMIT if limit is None else limit
    window = settings.SPAM_RATE_WINDOW if window is None else window
    count = _count_submission(_client_key(request, scope), window=window)
    return count > limit


def _count_submission(key: str, *, window: int) -> int:
    """Add one to the client's count in the database and return it.

    One atomic statement (an upsert), so every worker and app server counts together and
    concurrent submissions are all counted; a window that has passed starts again at 1.
    """
    now = timezone.now()
    field = models.DateTimeField()
    now_value = field.get_db_prep_value(now, connection)
    expires = field.get_db_prep_value(now + timedelta(seconds=window), connection)
    table = connection.ops.quote_name(RateCount._meta.db_table)
    key_column = connection.ops.quote_name("key")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, count, expires_at) VALUES (%s, 1, %s) "
            f"ON CONFLICT ({key_column}) DO UPDATE SET "
            f"count = CASE WHEN {table}.expires_at <= %s THEN 1 ELSE {table}.count + 1 END, "
            f"expires_at = CASE WHEN {table}.expires_at <= %s THEN %s "
            f"ELSE {table}.expires_at END "
            "RETURNING count",
            [key, expires, now_value, now_value, expires],
        )
        count = cursor.fetchone()[0]
    if count == 1:  # a new window: forget the counts whose windows have passed
        RateCount.objects.filter(expires_at__lt=now).delete()
    return count
