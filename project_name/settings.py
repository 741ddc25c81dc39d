"""Settings, read from the environment.

With nothing set, the project runs on the embedded defaults: SQLite next to manage.py and the
in-memory channel layer (one process). `DATABASE_URL` and `REDIS_URL` switch to PostgreSQL and
channels-redis for several processes.
"""

import base64
import hashlib
import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from whitenoise.compress import Compressor

from project_name.email_url import mailer
from project_name.env import env_bool, env_float, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", True)
# HTTPS-only settings are on in production mode unless DJANGO_SECURE=0 (plain HTTP on loopback).
SECURE = env_bool("DJANGO_SECURE", not DEBUG)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Before the API packages: its versions of their pages put the CSP nonce on inline code.
    "documents",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
]

MIDDLEWARE = [
    # First, so that every response carries the policy, the error pages put in below included.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Outermost but for the policy: it sees the error pages of everything inside it.
    "documents.error_pages.ProductErrorPages",
    "django.middleware.security.SecurityMiddleware",
    # Static files before anything else looks at the request (sessions, CSRF, the database).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "project_name.urls"
CSRF_FAILURE_VIEW = "documents.error_pages.csrf_failure"
ASGI_APPLICATION = "project_name.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]


def _database_from_url(url: str) -> dict:
    # Persistent connections: the writer thread reuses one instead of reconnecting per batch.
    config = dj_database_url.parse(url, conn_max_age=None if url.startswith("sqlite") else 60)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Django's backend, retrying what the tests' in-memory database refuses at once.
        config["ENGINE"] = "project_name.sqlite"
        # IMMEDIATE takes the write lock when a transaction begins, so concurrent writers queue
        # instead of failing with "database is locked" halfway through; WAL lets readers continue.
        # read_uncommitted only acts on a shared-cache database, the tests' in-memory one: there
        # a reader meeting a writer's table lock fails at once ("table is locked"), timeout or not.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA read_uncommitted=1;"
            ),
        }
    return config


DATABASES = {
    "default": _database_from_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    )
}
if "postgresql" not in DATABASES["default"]["ENGINE"]:
    # DRF imports django.contrib.postgres.fields whenever it can, and with it psycopg and libpq:
    # about 10 MiB of every process's memory that nothing uses without PostgreSQL. A None entry
    # makes that import fail, which DRF expects and handles.
    sys.modules.setdefault("django.contrib.postgres.fields", None)

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                # One message per document per process goes through the layer, so a few thousand
                # queued messages per channel is plenty; past that the layer drops, and the
                # sessions' anti-entropy repairs what was dropped.
                "capacity": env_int("CHANNEL_LAYER_CAPACITY", 5000),
                "expiry": env_int("CHANNEL_LAYER_EXPIRY", 30),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The cache holds the throttles' counts: with several processes it must be one they share, or
# each would allow the whole rate. Redis when there is one, else this process's memory.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "collab",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated); none by
# default, so a client cannot choose its own address (documents/client_address.py).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])

# /metrics answers only `Authorization: Bearer <this>`; unset, there is no /metrics (404).
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Production serves what `collectstatic` gathered (scripts/setup.sh runs it): content-hashed
# names cached for ever, with gzip and Brotli copies. Debug mode, and DJANGO_STATIC_COLLECTED=0
# (the servers the tests start), serve the apps' folders as they are: never a stale copy.
STATIC_COLLECTED = env_bool("DJANGO_STATIC_COLLECTED", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "project_name.static_storage.HashedStaticFilesStorage"
        if STATIC_COLLECTED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# E-mail (notifications, see documents/notification_emails.py): EMAIL_URL names the mailer
# (project_name/email_url.py); the console on the embedded default. Notifications wait
# NOTIFICATION_EMAIL_DELAY seconds so that those close together go out in one e-mail.
MAILERS = {"default": mailer(os.environ.get("EMAIL_URL", "console://"))}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Docs <docs@localhost>")
NOTIFICATION_EMAIL_DELAY = env_int("NOTIFICATION_EMAIL_DELAY", 300)

# Attachments (documents/attachments/): images uploaded into documents, always served through
# the API's access check, never by a public URL. On the file system under ATTACHMENT_ROOT by
# default; with ATTACHMENT_S3_BUCKET set, in any S3-compatible store through django-storages
# (`pip install "django-storages[s3]"`; credentials from boto3's usual AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY, or the host's role).
ATTACHMENT_S3_BUCKET = os.environ.get("ATTACHMENT_S3_BUCKET", "")
if ATTACHMENT_S3_BUCKET:
    _s3_options = {
        "bucket_name": ATTACHMENT_S3_BUCKET,
        "location": os.environ.get("ATTACHMENT_S3_PREFIX", "attachments"),
        "default_acl": "private",
        "file_overwrite": False,
    }
    for _option, _variable in [
        ("endpoint_url", "ATTACHMENT_S3_ENDPOINT_URL"),
        ("region_name", "ATTACHMENT_S3_REGION"),
    ]:
        if os.environ.get(_variable):
            _s3_options[_option] = os.environ[_variable]
    STORAGES["attachments"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options}
else:
    STORAGES["attachments"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": os.environ.get("ATTACHMENT_ROOT", str(BASE_DIR / "media" / "attachments")),
        },
    }
# An upload larger than this is a 413, refused before its body is read when it says its length.
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# Images with more pixels than this (all frames of an animation together) are a 413: decoding
# one takes 4 bytes a pixel however small its file (a "decompression bomb").
ATTACHMENT_MAX_PIXELS = env_int("ATTACHMENT_MAX_PIXELS", 50_000_000)
# Uploads one user may make (to any documents) in a period, like the throttles below: each is
# kept on disk until its document goes or prune_attachments finds it unused.
ATTACHMENT_UPLOAD_RATE = os.environ.get("ATTACHMENT_UPLOAD_RATE", "200/hour")
# Fetching a pasted page's image (attachments/fetch/): connecting and reading take at most this
# many seconds in all; only public addresses are fetched, and those of these extra networks
# (comma-separated CIDRs, e.g. 127.0.0.1/32 for tests against a local server).
ATTACHMENT_FETCH_TIMEOUT = env_float("ATTACHMENT_FETCH_TIMEOUT", 10.0)
ATTACHMENT_FETCH_ALLOWED_NETWORKS = env_list("ATTACHMENT_FETCH_ALLOWED_NETWORKS", [])

# Imports and exports of files (documents/exchange/). An imported file larger than this is a 413;
# a DOCX or ODT is refused unpacked past IMPORT_MAX_UNPACKED_BYTES or with more images than
# IMPORT_MAX_IMAGES. Converting one file (pandoc, WeasyPrint) may take CONVERSION_SECONDS and,
# for pandoc, CONVERSION_MEMORY_MB of heap; past either it is stopped.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
IMPORT_MAX_UNPACKED_BYTES = env_int("IMPORT_MAX_UNPACKED_BYTES", 200 * 1024 * 1024)
IMPORT_MAX_IMAGES = env_int("IMPORT_MAX_IMAGES", 200)
IMPORT_RATE = os.environ.get("IMPORT_RATE", "60/hour")
# Requests for access per user (each may reach an owner); see documents/access_requests.py.
ACCESS_REQUEST_RATE = os.environ.get("ACCESS_REQUEST_RATE", "30/hour")
# Comments (documents/comments/): the bounds of what one person can make the server keep.
COMMENTS = {
    "MAX_BODY_CHARS": env_int("COMMENTS_MAX_BODY_CHARS", 4000),
    "MAX_MENTIONS": env_int("COMMENTS_MAX_MENTIONS", 20),
    "MAX_THREADS_PER_DOCUMENT": env_int("COMMENTS_MAX_THREADS_PER_DOCUMENT", 1000),
    "MAX_COMMENTS_PER_THREAD": env_int("COMMENTS_MAX_COMMENTS_PER_THREAD", 200),
    # A REST client's quote, and how much of the anchored text a thread keeps.
    "MAX_QUOTE_CHARS": env_int("COMMENTS_MAX_QUOTE_CHARS", 1000),
    "STORED_QUOTE_CHARS": env_int("COMMENTS_STORED_QUOTE_CHARS", 500),
}
# New comments and edits per user (each may notify people).
COMMENT_RATE = os.environ.get("COMMENT_RATE", "120/minute")
CONVERSION_SECONDS = env_float("CONVERSION_SECONDS", 30.0)
CONVERSION_MEMORY_MB = env_int("CONVERSION_MEMORY_MB", 1024)
WHITENOISE_USE_FINDERS = not STATIC_COLLECTED
# Only developer tools fetch source maps (the admin's and the API docs' packages ship some);
# compressing them took more than half of collectstatic's time.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    # Token first: an anonymous request then gets 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        # A body nested deeper than API_MAX_JSON_DEPTH is a 400, not a RecursionError's 500.
        "documents.api.parsers.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # `?format=` selects a document format (text, markdown, html, json), not a renderer.
    "URL_FORMAT_OVERRIDE": None,
    # DRF's throttles, with clients told apart by documents/client_address.py.
    "DEFAULT_THROTTLE_CLASSES": [
        "documents.throttling.AnonThrottle",
        "documents.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "100/minute"),
        "user": os.environ.get("API_THROTTLE_USER", "2000/minute"),
        # Password guessing (documents/throttling.py): failed sign-ins per account from any
        # address, sign-in attempts per client address, sign-up attempts per client address.
        "sign_in_account": os.environ.get("SIGN_IN_THROTTLE_ACCOUNT", "10/15m"),
        "sign_in_address": os.environ.get("SIGN_IN_THROTTLE_ADDRESS", "30/minute"),
        "sign_up_address": os.environ.get("SIGN_UP_THROTTLE_ADDRESS", "20/hour"),
    },
}

# What one write of a document's content may bring (documents/content/limits.py): more bytes
# (UTF-8 text, or compact JSON) or nodes than this is a 413, deeper nesting than this a 400. The
# nodes bound the time a change takes on the event loop (some 2 ms a thousand nodes), the depth
# what the schema holds (the converters recurse once per level; at most 100).
CONTENT = {
    "MAX_BYTES": env_int("CONTENT_MAX_BYTES", 1024 * 1024),
    "MAX_NODES": env_int("CONTENT_MAX_NODES", 10_000),
    "MAX_DEPTH": env_int("CONTENT_MAX_DEPTH", 48),
}
# JSON request bodies nested deeper than this are a 400: room for any content the limits accept
# (two levels a node, and the body's own), far from Python's recursion limit.
API_MAX_JSON_DEPTH = env_int("API_MAX_JSON_DEPTH", 2 * CONTENT["MAX_DEPTH"] + 16)

SPECTACULAR_SETTINGS = {
    "TITLE": "Collaborative documents API",
    "DESCRIPTION": (
        "Documents, sharing, content in four formats, versions. Live editing happens over the "
        "WebSocket /ws/documents/<id> (the Yjs y-websocket protocol); REST edits reach it at once."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the sidecar package: the docs page works without internet access.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two sets of roles: every role (memberships), and those a link or a grant may give.
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "documents.roles.Role",
        "LinkRoleEnum": "documents.roles.LINK_ROLE_CHOICES",
    },
}

# The real-time engine's limits and timings (see documents/realtime/).
REALTIME = {
    # Frames larger than this close the socket with 4413.
    "MAX_MESSAGE_BYTES": env_int("REALTIME_MAX_MESSAGE_BYTES", 1024 * 1024),
    # Presence (awareness) frames larger than this close with 4413 too: an editor's presence is
    # a name, a colour and a cursor, and each one is relayed to every socket of the document.
    "MAX_PRESENCE_BYTES": env_int("REALTIME_MAX_PRESENCE_BYTES", 64 * 1024),
    # A socket with more than this queued for sending (its client stopped reading) is dropped,
    # recorded as closed with 4408; one larger message (a big document's step 2) still goes
    # out, on top. Under daphne only: other servers' send buffers are not visible to us.
    "MAX_QUEUED_SEND_BYTES": env_int("REALTIME_MAX_QUEUED_SEND_BYTES", 8 * 1024 * 1024),
    # A socket sending more than this many messages a second on average (bursts allowed)
    # is closed with 4429. Typing sends tens a second; scripts that build a document through
    # the protocol send thousands (the benchmark's 1 MiB document: ~2,700 a second).
    "MAX_MESSAGES_PER_SECOND": env_float("REALTIME_MAX_MESSAGES_PER_SECOND", 5000.0),
    "MESSAGE_BURST": env_float("REALTIME_MESSAGE_BURST", 20000.0),
    # Sockets one user may hold open in one process (4429 beyond); load tests use one user.
    "MAX_SOCKETS_PER_USER": env_int("REALTIME_MAX_SOCKETS_PER_USER", 5000),
    # Sockets of signed-out visitors of public links, per client address and process.
    "MAX_ANONYMOUS_SOCKETS_PER_ADDRESS": env_int("REALTIME_MAX_ANONYMOUS_SOCKETS_PER_ADDRESS", 20),
    # Documents one process keeps loaded at once; a join beyond closes with 1013 (try later).
    "MAX_LOADED_DOCUMENTS": env_int("REALTIME_MAX_LOADED_DOCUMENTS", 10000),
    # A document stays loaded this long after its last socket leaves; a reconnect reuses it.
    "SESSION_GRACE_SECONDS": env_float("REALTIME_SESSION_GRACE_SECONDS", 10.0),
    # Group commit: updates are written at most this long after they arrive (a transaction
    # costs the store thread about 2 ms of CPU whatever its size; a client re-sends what a
    # crash lost when it reconnects)...
    "PERSIST_INTERVAL_SECONDS": env_float("REALTIME_PERSIST_INTERVAL_SECONDS", 0.2),
    # ...or as soon as this many are pending.
    "PERSIST_MAX_BATCH": env_int("REALTIME_PERSIST_MAX_BATCH", 500),
    # The log is folded into the snapshot once this many updates have been appended.
    "COMPACT_THRESHOLD": env_int("REALTIME_COMPACT_THRESHOLD", 1000),
    # With several processes, each asks the others this often for what it lacks (the channel
    # layer may drop messages).
    "ANTI_ENTROPY_SECONDS": env_float("REALTIME_ANTI_ENTROPY_SECONDS", 3.0),
    # A loaded document's search index entry is brought up to date at most this long after a
    # write (documents/search/indexing.py), and when it is unloaded.
    "SEARCH_INDEX_SECONDS": env_float("REALTIME_SEARCH_INDEX_SECONDS", 5.0),
}


def _csp_hash(source: str) -> str:
    digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
    return f"'sha256-{digest}'"


# The fixed style attributes of pages the project does not write itself: these exact values may
# apply, a style attribute with any other value is blocked.
_ALLOWED_STYLE_ATTRIBUTES = [
    # DRF's browsable API: its filter and form widgets.
    "float: right",
    "float: right; margin-right: 10px",
    "width: 350px",
    "border-bottom: 1px solid #e5e5e5",
    "border-bottom: 0",
    # The admin's document text (documents/admin.py).
    "white-space: pre-wrap",
]

# Content-Security-Policy of every response: scripts, styles, fonts and connections (the
# WebSocket too) from this site only, no plugins, no framing, forms posted here only. Inline
# code runs only with the request's nonce, which the templates that need it render (the admin,
# the API docs, the editor for the stylesheet Tiptap injects): an injected <script>, <style> or
# event handler runs nowhere, nor does a style attribute other than those above. Swagger UI's
# icons are data: URIs.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "style-src-attr": [CSP.UNSAFE_HASHES, *map(_csp_hash, _ALLOWED_STYLE_ATTRIBUTES)],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

if SECURE:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # A TLS-terminating proxy in front tells us the original scheme.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "project_name.logformat.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": os.environ.get("DJANGO_LOG_FORMAT", "plain"),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # WeasyPrint logs each step of every PDF at INFO, and every CSS rule it skips at WARNING.
    "loggers": {"weasyprint": {"level": "ERROR"}, "weasyprint.progress": {"level": "ERROR"}},
}
