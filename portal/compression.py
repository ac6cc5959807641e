"""Compressed answers (brotli or gzip, as the browser's ``Accept-Encoding`` asks), but never
where a secret and text an attacker controls share a response.

Compression attacks (BREACH) guess a secret in a compressed page byte by byte: the attacker
makes the victim's browser request the page many times with a guess in the query or a form
field, and reads the answer's *length* off the network. That needs a secret that is the same
in every answer and attacker-controlled text in the same body. So the rule:

- **compressed**: every response without a CSRF token: the public pages (those from the page
  cache are the same for everyone and hold no secret at all; ``portal.caching`` compresses
  them once when it stores them), search results, feeds, error pages;
- **never compressed**: every response that was given a CSRF token (when a template
  renders ``{% csrf_token %}`` Django flags the request and sends the CSRF cookie with the
  response, also when the browser has it already),
  i.e. every page with a POST form: survey pages, the contact and idea forms, which echo
  what was typed when they come back with errors. Django masks the token differently in
  every response, which already defeats BREACH for the token itself; but such a page may
  hold other secrets (a resume link, answers given so far) next to echoed input, so it stays
  uncompressed. The same for everything under the admin (staff see personal data and the
  admin reflects search terms), for responses a view marked with ``no_compression`` and for
  answers that are already encoded or streamed (WhiteNoise serves static files
  pre-compressed itself).
"""

import gzip
from functools import lru_cache

import brotli
from django.conf import settings
from django.urls import reverse
from django.utils.cache import patch_vary_headers

# Shorter bodies gain little (they fit in one network packet anyway) for the CPU it costs.
MIN_LENGTH = 1024
# Per response: fast levels (a 40 KB page in about a millisecond). Pages stored in the page
# cache are compressed once per content version, a little stronger; brotli above 5 costs
# ten times the CPU and memory for 1-2 % fewer bytes on these pages (measured on a 40 KB
# page: quality 4 / 5 / 9 / 11 = 16.7 / 15.8 / 15.8 / 14.7 KB).
DYNAMIC_LEVEL = {"br": 4, "gzip": 5}
STORED_LEVEL = {"br": 5, "gzip": 6}
# A 256 KB window (brotli's default is 4 MB): larger than any page, and less memory.
BROTLI_WINDOW = 18
COMPRESSIBLE_TYPES = (
    "text/",
    "application/json",
    "application/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/javascript",
    "image/svg+xml",
)
ENCODINGS = ("br", "gzip")


@lru_cache(maxsize=256)
def preferred_encoding(accept_encoding: str) -> str:
    """``"br"``, ``"gzip"`` or ``""`` (identity) for an ``Accept-Encoding`` header.

    Brotli when the client accepts it (smaller), else gzip; ``q=0`` refuses a coding, ``*``
    stands for any coding not named. Browsers send a handful of distinct values, hence the
    cache (bounded, since anyone may send any header).
    """
    weights: dict[str, float] = {}
    for part in accept_encoding.lower().split(","):
        name, _, params = part.partition(";")
        name = name.strip()
        if not name:
            continue
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[name] = weight
    for encoding in ENCODINGS:
        if weights.get(encoding, weights.get("*", 0.0)) > 0:
            return encoding
    return ""


def request_encoding(request) -> str:
    return preferred_encoding(request.META.get("HTTP_ACCEPT_ENCODING", "")[:200])


def compress(body: bytes, encoding: str, *, stored: bool = False) -> bytes:
    level = (STORED_LEVEL if stored else DYNAMIC_LEVEL)[encoding]
    if encoding == "br":
        return brotli.compress(body, quality=level, lgwin=BROTLI_WINDOW)
    return gzip.compress(body, compresslevel=level, mtime=0)


def no_compression(request) -> None:
    """Keep this view's response uncompressed: it holds a secret next to text from the
    request, without a CSRF token that would mark it (see the module)."""
    request._no_compression = True


@lru_cache(maxsize=1)
def _admin_prefix() -> str:
    return reverse("admin:index")


def _carries_csrf_token(request, response) -> bool:
    """Whether a template gave this response a CSRF token: Django then (re)sends the CSRF
    cookie with it, and until CsrfViewMiddleware has done so the request is flagged."""
    return bool(
        request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or settings.CSRF_COOKIE_NAME in response.cookies
    )


def compressible(request, response) -> bool:
    """Whether the response may be sent compressed at all (the rule of the module)."""
    if not settings.COMPRESS_RESPONSES or response.streaming:
        return False
    if response.has_header("Content-Encoding"):
        return False
    if len(response.content) < MIN_LENGTH:
        return False
    if not response.get("Content-Type", "").startswith(COMPRESSIBLE_TYPES):
        return False
    if _carries_csrf_token(request, response) or getattr(request, "_no_compression", False):
        return False
    return not request.path.startswith(_admin_prefix())


def set_encoded(response, encoding: str, body: bytes) -> None:
    """Make ``response`` carry ``body`` encoded with ``encoding`` ("" = identity)."""
    if encoding:
        response.content = body
        response["Content-Encoding"] = encoding
        response["Content-Length"] = str(len(body))
        etag = response.get("ETag")
        if etag and not etag.startswith("W/"):
            response["ETag"] = "W/" + etag  # the same content, other bytes (as Django's gzip)
    patch_vary_headers(response, ("Accept-Encoding",))


class CompressionMiddleware:
    """Compress responses by ``Accept-Encoding`` where ``compressible`` allows it.

    Placed above ``PublicPageCacheMiddleware``: pages from the page cache arrive already
    encoded (stored compressed once) and pass through untouched.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Content-Encoding"):
            return response
        if not compressible(request, response):
            return response
        encoding = request_encoding(request)
        if not encoding:
            patch_vary_headers(response, ("Accept-Encoding",))
            return response
        set_encoded(response, encoding, compress(response.content, encoding))
        return response
