"""Settings for the Oschatzer Land portal.

One module for every environment; production differs only through environment variables
(see README, section "Konfiguration", and .env.example). Safe by default: DEBUG is off
unless DJANGO_DEBUG is set, and without DEBUG a missing secret key stops the start.
"""

import ipaddress
import os
import sysconfig
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


DEBUG = env_bool("DJANGO_DEBUG", False)
# Demo mode: `make run` sets it; it prints the demo login and is never meant for production.
DEMO_MODE = env_bool("DJANGO_DEMO_MODE", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (see .env.example)."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.redirects",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "portal.axes_config.AxesConfig",  # django-axes, named in German
    "django_prose_editor",
    "auditlog",
    "media",
    "portal",
    "survey",
    "events",
]
# `make bench` only (bench/run.py sets it): the app with the baseline pages /_bench/… and the
# bench_results command. The Docker image does not contain bench/.
BENCH = env_bool("DJANGO_BENCH", False)
if BENCH:
    INSTALLED_APPS.append("bench")

MIDDLEWARE = [
    "oschatzerland.middleware.RequestLogMiddleware",
    # brotli or gzip by Accept-Encoding, never for pages with a CSRF token (BREACH).
    "portal.compression.CompressionMiddleware",
    # Public pages for anonymous visitors from the cache (stored compressed), before any
    # other middleware: a hit costs the content version and one cache round trip.
    "portal.caching.PublicPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "oschatzerland.middleware.RequestLimitsMiddleware",
    "oschatzerland.middleware.DatabaseUnavailableMiddleware",
    "oschatzerland.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who is acting, for the audit log (resolved only when a log entry is written).
    "portal.audit.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "django.contrib.redirects.middleware.RedirectFallbackMiddleware",
]

ROOT_URLCONF = "oschatzerland.urls"
WSGI_APPLICATION = "oschatzerland.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oschatzerland.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# PostgreSQL in production and tests (DATABASE_URL); an SQLite file under var/ for the
# zero-setup local run. Persistent connections with health checks on PostgreSQL.
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
else:
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "var" / "db.sqlite3",
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions -------------------------------------------------------------------
# Local memory by default; Redis (shared by every app server) when DJANGO_CACHE_URL is set.
CACHE_URL = os.environ.get("DJANGO_CACHE_URL", "").strip()
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "portal.cache_backend.RedisCache",  # one client per pool
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "oschatzerland",
        }
    }
elif CACHE_URL.startswith("dummy://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "oschatzerland",
        }
    }
# Sessions live in the database (cached when Redis is there), so any app server can
# continue a survey another one started. Django's engines, writing the row uncompressed
# (portal/sessions: the sealed survey state does not compress).
SESSION_ENGINE = "portal.sessions.cached_db" if CACHE_URL else "portal.sessions.db"
# Long enough that nobody filling in the survey slowly loses answers (WCAG 2.2.1).
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_COOKIE_AGE", 60 * 60 * 24 * 3)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Passwords and login ------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The only login is the admin's; a `next` to another host falls back to it (never /accounts/).
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lock out a user name from one client after repeated failures; counted in the database.
AXES_FAILURE_LIMIT = env_int("DJANGO_AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_VERBOSE = False
# Lock out the real client behind the reverse proxy, not the proxy (portal/clients.py).
AXES_CLIENT_IP_CALLABLE = "portal.clients.client_address"
# Every failed login stays in "Zugriffsfehlerprotokolle" (the attempts counter is reset by a
# successful login, so without it a guessed password left no trace).
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# --- Language and time --------------------------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# Bootstrap comes from the XStatic-Bootstrap wheel; found by path so that its legacy
# namespace package (which needs pkg_resources) is never imported.
_BOOTSTRAP_DIR = Path(sysconfig.get_paths()["purelib"]) / "xstatic" / "pkg" / "bootstrap" / "data"
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor/bootstrap", _BOOTSTRAP_DIR)]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploads: images only, refused above this size (bytes) with a message.
MAX_UPLOAD_SIZE = env_int("DJANGO_MAX_UPLOAD_SIZE", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Outside the admin no request body may be larger (RequestLimitsMiddleware answers 413
# before reading it): public forms send a few kilobytes, a long survey page some ten.
PUBLIC_MAX_REQUEST_BODY = env_int("DJANGO_PUBLIC_MAX_REQUEST_BODY", 1024 * 1024)
# Uploaded images with more pixels are refused: decoding and resizing an image costs time and
# memory by its pixel count, not its file size (a 10 KB PNG can hold 88 million pixels).
MAX_IMAGE_PIXELS = env_int("DJANGO_MAX_IMAGE_PIXELS", 25_000_000)
FILE_UPLOAD_PERMISSIONS = 0o644
# Personal data that must never be served by URL (scanned paper questionnaires and their
# cut-outs): outside MEDIA_ROOT, files 0600 (survey.scanning.storage.PrivateStorage).
PRIVATE_ROOT = Path(os.environ.get("DJANGO_PRIVATE_ROOT", BASE_DIR / "var" / "private"))
# Scanned stacks (PDF or TIFF) uploaded in the admin: at most this many bytes, pages and
# pixels per page (a 300 dpi A4 page has 8.7 million).
SURVEY_SCAN_MAX_UPLOAD_SIZE = env_int("SURVEY_SCAN_MAX_UPLOAD_SIZE", 200 * 1024 * 1024)
SURVEY_SCAN_MAX_PAGES = env_int("SURVEY_SCAN_MAX_PAGES", 1000)
SURVEY_SCAN_MAX_PAGE_PIXELS = env_int("SURVEY_SCAN_MAX_PAGE_PIXELS", 40_000_000)
# After an upload the portal starts `manage.py paper_scan_batch <id>` as its own process
# (never inside a web worker); off in tests that drive the command themselves.
SURVEY_SCAN_SPAWN = env_bool("SURVEY_SCAN_SPAWN", True)

# --- E-mail -------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DJANGO_DEFAULT_FROM_EMAIL", "Oschatzer Land <noreply@oschatzerland.de>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where the contact form and new ideas are sent (the cooperation management).
CONTACT_EMAIL = os.environ.get("PORTAL_CONTACT_EMAIL", "kooperation@oschatzerland.de")

# --- Site ---------------------------------------------------------------------------------
SITE_NAME = "Oschatzer Land – Collmregion"
# Public base URL, used in feeds, calendar files and e-mails sent outside a request.
SITE_URL = os.environ.get("PORTAL_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Public page cache (portal/caching.py) -----------------------------------------------
# Pages that look the same for every anonymous visitor are cached for this many seconds.
# Saving or deleting any model listed below invalidates them all at once, and so does the
# moment a scheduled article, an event or a survey falls due (register_content_time); the
# version is read from the database, so this holds on every worker without a shared cache.
PAGE_CACHE_SECONDS = env_int("PORTAL_PAGE_CACHE_SECONDS", 300)
# HTML, JSON and feeds compressed with brotli or gzip (portal/compression.py); off when a
# reverse proxy compresses instead.
COMPRESS_RESPONSES = env_bool("DJANGO_COMPRESS_RESPONSES", True)
PUBLIC_CONTENT_MODELS = [
    "portal.Municipality",
    "portal.Topic",
    "portal.Page",
    "portal.NewsArticle",
    "portal.Idea",
    # The menus are on every page.
    "portal.MenuItem",
    "redirects.Redirect",
    "survey.Survey",
    "survey.Section",
    "survey.Question",
    "survey.Option",
    "survey.MatrixItem",
    "survey.Condition",
    # Published results show on survey, topic and municipality pages.
    "survey.ResultsPublication",
    "survey.Quote",
    "events.Event",
    "events.EventDocument",
    # Places left and the waiting list show on the event pages.
    "events.Registration",
    # Pictures, their alternative texts and their variants show on news, topic, event pages.
    "media.MediaFile",
]
# Site search (portal.search.search_page): the results of the last searches kept in each
# worker's memory under the content version (0 entries: none kept). Bounded in entries and
# in characters (about 2 bytes each in memory): at most ~8 MB per worker.
SEARCH_MEMO_ENTRIES = env_int("PORTAL_SEARCH_MEMO_ENTRIES", 1000)
SEARCH_MEMO_CHARACTERS = env_int("PORTAL_SEARCH_MEMO_CHARACTERS", 4_000_000)
SEARCH_MEMO_SECONDS = env_int("PORTAL_SEARCH_MEMO_SECONDS", 3600)
# Spam protection of the idea and contact forms (portal/spam.py): a form sent faster than
# this is refused, and one client may send at most SPAM_RATE_LIMIT forms per
# SPAM_RATE_WINDOW seconds (counted in the cache only, under a hash of the address).
SPAM_MIN_FILL_SECONDS = env_int("PORTAL_SPAM_MIN_FILL_SECONDS", 3)
SPAM_RATE_LIMIT = env_int("PORTAL_SPAM_RATE_LIMIT", 5)
SPAM_RATE_WINDOW = env_int("PORTAL_SPAM_RATE_WINDOW", 3600)

# --- Security -----------------------------------------------------------------------------
# Reverse proxies (addresses or CIDR networks) whose X-Forwarded-For names the client. Every
# per-client limit (survey, access codes, ideas, contact, registrations, admin login) counts
# that client instead of the proxy; from any other peer the header is ignored, since anyone
# can send it. Empty: the peer address counts (the site is reached directly).
TRUSTED_PROXIES = env_list("PORTAL_TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as error:
        raise ImproperlyConfigured(f"PORTAL_TRUSTED_PROXIES: {error}") from error

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
if not DEBUG:
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)

# No inline scripts or styles anywhere; everything from this host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)

# --- Logging ------------------------------------------------------------------------------
# One JSON object per line on stderr; no IP addresses or form contents. Every request gives
# one line from "oschatzerland.requests" (method, path without query string, status,
# duration_ms); the client's IP address only with DJANGO_LOG_CLIENT_IP=true.
LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "INFO")
LOG_CLIENT_IP = env_bool("DJANGO_LOG_CLIENT_IP", False)
LOG_REQUESTS = env_bool("DJANGO_LOG_REQUESTS", True)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's request logger would record the full path and status of every 4xx/5xx.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # The development server's access line carries the client's address and port; the
        # request log below has every request (and django.request every error) without them.
        "django.server": {"handlers": [], "level": "CRITICAL", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # The results report: WeasyPrint logs every layout step at INFO, fontTools each
        # font subset; only their warnings (e.g. a URL the report refused) are of interest.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # One line per request (oschatzerland.middleware.RequestLogMiddleware).
        "oschatzerland.requests": {
            "handlers": ["console"],
            "level": "INFO" if LOG_REQUESTS else "WARNING",
            "propagate": False,
        },
    },
}

# Messages travel in a cookie, so rendering a page never touches the session.
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

# --- Survey participation -----------------------------------------------------------------
# Complete questionnaires of one open survey accepted per client address (rate limit, in the
# cache): generous per hour, so a school class or a library PC can take part together, and
# capped per day and per survey, so a script cannot flood the survey
# (survey/participation.py). Surveys with access codes are limited by their codes.
SURVEY_SUBMISSIONS_PER_HOUR = env_int("SURVEY_SUBMISSIONS_PER_HOUR", 40)
SURVEY_SUBMISSIONS_PER_DAY = env_int("SURVEY_SUBMISSIONS_PER_DAY", 100)
SURVEY_SUBMISSIONS_PER_ADDRESS = env_int("SURVEY_SUBMISSIONS_PER_ADDRESS", 300)
# Wrong access codes per client address and hour (guessing protection; right ones are free).
SURVEY_CODE_ATTEMPTS_PER_HOUR = env_int("SURVEY_CODE_ATTEMPTS_PER_HOUR", 30)
# Online responses wait in a mixing pool until this many have arrived, then are written in
# random order in one batch (the rest daily by `survey_flush_pool`); see README, "Zugangscodes".
SURVEY_POOL_SIZE = env_int("SURVEY_POOL_SIZE", 10)

# --- Events -------------------------------------------------------------------------------
# Registrants' personal data is deleted this many days after the event
# (`manage.py purge_registrations`, daily cron job; see README, "Termine").
EVENTS_REGISTRATION_RETENTION_DAYS = env_int("EVENTS_REGISTRATION_RETENTION_DAYS", 30)
# Double opt-in: a registration counts once the address is confirmed by the link in the mail
# within this many minutes; unconfirmed ones take no place and are deleted afterwards. An
# address gets at most one confirmation request in this time.
EVENTS_REGISTRATION_CONFIRM_MINUTES = env_int("EVENTS_REGISTRATION_CONFIRM_MINUTES", 60)
# --- Survey results -----------------------------------------------------------------------
# Groups with fewer responses than this are never shown on their own in result breakdowns.
SURVEY_MIN_GROUP_SIZE = env_int("SURVEY_MIN_GROUP_SIZE", 5)
# Computed results are cached until a response arrives or coding changes; this is a ceiling.
# The results version lives in the database, so invalidation reaches every worker and app
# server, with or without a shared cache (Redis).
SURVEY_RESULTS_CACHE_SECONDS = env_int("SURVEY_RESULTS_CACHE_SECONDS", 60 * 60 * 24)
# Every questionnaire page reads the survey definition from the cache, keyed by the content
# version (in the database): saving a survey, section, question or option replaces it at
# once on every worker and app server.
SURVEY_DEFINITION_CACHE_SECONDS = env_int("SURVEY_DEFINITION_CACHE_SECONDS", 60 * 60)

# --- Audit log (django-auditlog; see README, "Protokoll der Redaktionsarbeit") -------------
# Which models keep a history of who changed what, with old and new values. Deliberately NOT
# tracked: survey responses, answers, access codes, submission locks, answer coding and
# tallies (a history would break the anonymity of the survey: who/when next to a response),
# and the users' passwords. Personal data of residents (ideas) and registrants is masked:
# the log says that a name changed and who changed it, never the name.
_PERSONAL = {"mask_fields": ["name", "email", "accessibility_needs"]}
_PERSONAL["mask_callable"] = "portal.audit.hide_value"
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    {
        "model": "portal.newsarticle",
        "exclude_fields": ["updated_at"],
        "m2m_fields": ["topics", "municipalities"],
        "serialize_data": True,
        "serialize_kwargs": {
            "fields": ["title", "slug", "teaser", "body", "image", "status", "published_at"]
        },
    },
    {
        "model": "portal.page",
        "exclude_fields": ["updated_at"],
        "serialize_data": True,
        "serialize_kwargs": {
            "fields": [
                "title",
                "slug",
                "description",
                "body",
                "is_published",
                "position",
            ]
        },
    },
    "portal.municipality",
    "portal.topic",
    "portal.menuitem",
    # A resident's idea text is theirs: when staff delete an idea, no copy stays in the log.
    {
        "model": "portal.idea",
        "exclude_fields": ["created_at"],
        **_PERSONAL,
        "mask_fields": [*_PERSONAL["mask_fields"], "text"],
    },
    "portal.editorprofile",
    {
        "model": "events.event",
        # SEQUENCE and the timestamps follow from the other fields; uid never changes.
        "exclude_fields": ["sequence", "created_at", "updated_at", "uid"],
        "m2m_fields": ["topics"],
        "serialize_data": True,
        "serialize_kwargs": {
            "fields": [
                "title",
                "slug",
                "kind",
                "status",
                "status_note",
                "starts_at",
                "ends_at",
                "venue_name",
                "address",
                "municipality",
                "venue_accessibility",
                "online_url",
                "description",
                "related_survey",
                "results",
                "takes_registrations",
                "capacity",
                "registration_deadline",
            ]
        },
    },
    "events.eventdocument",
    # The cancel token is a secret; the personal fields are masked (and purged with the rest).
    {"model": "events.registration", "exclude_fields": ["cancel_token"], **_PERSONAL},
    {"model": "survey.survey", "exclude_fields": ["created_at"], "m2m_fields": ["topics"]},
    "survey.section",
    "survey.question",
    "survey.option",
    "survey.matrixitem",
    {"model": "survey.resultspublication", "m2m_fields": ["hidden_questions"]},
    # Who may see which survey (per-survey permissions of limited analysts).
    "survey.surveyassignment",
    "survey.theme",
    # Whether a quote is released, and that (not how) its text changed: its first text is a
    # raw answer, deleted with them. The object text is "Quote #id" (portal.audit).
    {
        "model": "survey.quote",
        "include_fields": ["is_released", "text"],
        "mask_fields": ["text"],
        "mask_callable": "portal.audit.hide_value",
    },
    # Rights and passwords: who gave whom which group or permission, and that a password
    # was set (masked: never the hash).
    {
        "model": "auth.user",
        "exclude_fields": ["last_login"],
        "mask_fields": ["password"],
        "mask_callable": "portal.audit.hide_value",
        "m2m_fields": ["groups", "user_permissions"],
    },
    {"model": "auth.group", "m2m_fields": ["permissions"]},
    "redirects.redirect",
    "sites.site",
)
# Foreign keys appear by name ("Oschatz"), not by number.
AUDITLOG_USE_FK_STRING_REPRESENTATION = True
# No IP addresses: auditlog would take them from X-Forwarded-For unchecked, and who acted is
# known from the login.
AUDITLOG_DISABLE_REMOTE_ADDR = True
# Entries written by one admin action share a correlation id (filter "Vorgang" in the log).
AUDITLOG_CID_GETTER = "portal.audit.current_cid"
