"""Settings for the forum, read from the environment with safe development defaults."""

import base64
import hashlib
import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.retry import Retry

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    return env_bool_text(os.environ.get(name), default, name=name)


TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def env_bool_text(value: str | None, default: bool, *, name: str = "the value") -> bool:
    if value is None or value.strip() == "":
        return default
    word = value.strip().lower()
    # A typo must not turn a safeguard off (FORUM_TREE_LOCK=flase) or debug pages on.
    if word not in TRUE_WORDS | FALSE_WORDS:
        raise ImproperlyConfigured(
            f"{name} must be one of 1, true, yes, on, 0, false, no, off; not {value!r}."
        )
    return word in TRUE_WORDS


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# FORUM_ENV=production turns on every safeguard and refuses the development defaults. Only the
# two names are accepted: a misspelt "prod" must not quietly run with the development key.
FORUM_ENVIRONMENTS = ("development", "production")
FORUM_ENV = os.environ.get("FORUM_ENV", "development").strip().lower()
if FORUM_ENV not in FORUM_ENVIRONMENTS:
    raise ImproperlyConfigured(
        f"FORUM_ENV must be development or production, not {os.environ['FORUM_ENV']!r}."
    )
PRODUCTION = FORUM_ENV == "production"
DEBUG = env_bool("DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "FORUM_ENV=production refuses DEBUG=true: debug pages show settings and source code "
        "to anyone."
    )

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET_KEY)
if PRODUCTION and (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or SECRET_KEY == _DEV_SECRET_KEY
    or SECRET_KEY.startswith("django-insecure-")
):
    raise ImproperlyConfigured(
        "FORUM_ENV=production needs SECRET_KEY: a random string of at least 50 characters "
        '(python -c "import secrets; print(secrets.token_urlsafe(50))").'
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1]")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("FORUM_ENV=production needs ALLOWED_HOSTS (comma separated).")
if PRODUCTION and any("*" in host for host in ALLOWED_HOSTS):
    raise ImproperlyConfigured(
        "FORUM_ENV=production refuses ALLOWED_HOSTS=*: name the site's hosts, so that forged "
        "Host headers cannot reach password-reset links."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
if PRODUCTION and any(not origin.startswith("https://") for origin in CSRF_TRUSTED_ORIGINS):
    raise ImproperlyConfigured(
        "FORUM_ENV=production refuses CSRF_TRUSTED_ORIGINS that are not https:// origins: "
        "the cookies are sent over HTTPS only."
    )

FORUM_SITE_NAME = os.environ.get("FORUM_SITE_NAME", "zlacker")
# Names the code, templates and static files that build the pages: cached pages and their ETags
# carry it, so after a deploy no reader gets HTML (and static file names) from before it.
# Empty: a hash of those files, taken when a process first needs it.
FORUM_RELEASE = os.environ.get("FORUM_RELEASE", "")
# The forum's address as readers reach it, for links in the emails it sends.
FORUM_SITE_URL = os.environ.get("FORUM_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The most one entry of the page cache may take, as stored (a page gzipped for readers who take
# gzip, plain for the others): a bigger page is sent without being kept, never evicting the rest.
FORUM_CACHE_MAX_ENTRY_BYTES = int(os.environ.get("FORUM_CACHE_MAX_ENTRY_BYTES", 8_000_000))
FORUM_THREADS_PER_PAGE = 30
# Flags from this many distinct readers hide a post until a moderator decides.
FORUM_FLAGS_TO_HIDE = int(os.environ.get("FORUM_FLAGS_TO_HIDE", 5))
# Rate limits on writing, room for a new community to grow: new accounts (under a day old)
# get half, staff none. Sign-ups are counted per client address.
FORUM_COMMENTS_PER_MINUTE = int(os.environ.get("FORUM_COMMENTS_PER_MINUTE", 5))
FORUM_THREADS_PER_HOUR = int(os.environ.get("FORUM_THREADS_PER_HOUR", 2))
FORUM_SIGNUPS_PER_HOUR = int(os.environ.get("FORUM_SIGNUPS_PER_HOUR", 3))
# Karma a user needs before they may downvote posts (Hacker News asks for 500).
FORUM_DOWNVOTE_KARMA = int(os.environ.get("FORUM_DOWNVOTE_KARMA", 500))
# The front page ranks this many most recent threads; older ones are on /newest and /best.
FORUM_RANK_WINDOW = int(os.environ.get("FORUM_RANK_WINDOW", 500))
# How many reverse proxies stand in front of gunicorn: the client's address for the rate
# limits is then read from X-Forwarded-For, that many hops from the right. 0: REMOTE_ADDR.
FORUM_PROXY_COUNT = int(os.environ.get("FORUM_PROXY_COUNT", "0"))
if FORUM_PROXY_COUNT < 0:
    raise ImproperlyConfigured("FORUM_PROXY_COUNT must be 0 or more proxies.")
# The thread row lock that keeps comment trees whole. Only the concurrency bench turns it off,
# to show what happens without it; production refuses to run so.
FORUM_TREE_LOCK = env_bool("FORUM_TREE_LOCK", True)
if PRODUCTION and not FORUM_TREE_LOCK:
    raise ImproperlyConfigured("FORUM_TREE_LOCK=0 corrupts comment trees: it is for the bench.")

INSTALLED_APPS = [
    "forum.accounts",
    "threads",
    "mptt",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "forum.compression.AcceptingWhiteNoiseMiddleware",
    "forum.compression.AcceptingGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "forum.middleware.ErrorPageMiddleware",
]

ROOT_URLCONF = "forum.urls"
WSGI_APPLICATION = "forum.wsgi.application"

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
                "forum.context_processors.site",
                "threads.pages.context_processors.unread_replies",
            ],
        },
    },
]

# SQLite is the embedded default; DATABASE_URL (postgres://...) switches to PostgreSQL.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'forum.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so
    # concurrent writers queue on the busy timeout instead of failing mid-transaction.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test.sqlite3")}

# Two caches. "default" holds pages: any reader fills it, and entries may be evicted at will.
# "limits" holds the rate limits and log-in lockouts, which a flood of pages must never evict:
# in production a Redis of its own with maxmemory-policy noeviction (LIMITS_REDIS_URL). Each
# falls back to the one before it, down to local memory (one process only: make run).
REDIS_URL = os.environ.get("REDIS_URL", "")
LIMITS_REDIS_URL = os.environ.get("LIMITS_REDIS_URL", "") or REDIS_URL
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "forum")


def cache_config(redis_url: str, *, location: str, max_entries: int) -> dict:
    """A Redis cache at redis_url, or a local-memory one of its own (its own LOCATION)."""
    if not redis_url:
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": location,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"MAX_ENTRIES": max_entries},
        }
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_url,
        "KEY_PREFIX": CACHE_KEY_PREFIX,
        # A Redis that is down costs a request one refused connection, not seconds of
        # backoff; one retry at once reconnects a connection that a restarted Redis dropped.
        # A Redis that hangs is not asked twice: it costs one socket_timeout, not two.
        "OPTIONS": {
            "socket_connect_timeout": 1,
            "socket_timeout": 2,
            "retry": Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
        },
    }


CACHES = {
    "default": cache_config(REDIS_URL, location="pages", max_entries=300),
    # Six entries per failed log-in: room for thousands of them within the lockout window.
    "limits": cache_config(LIMITS_REDIS_URL, location="limits", max_entries=100_000),
}
# Sessions (log-ins, kept drafts) live in the database, never in a cache that can evict them.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Collected files are for production; development serves straight from static/.
STATIC_ROOT = BASE_DIR / "var" / "staticfiles" if PRODUCTION else None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# Files that browsers ask for at the site's root whatever the page links (/favicon.ico: text
# pages and the admin link none).
WHITENOISE_ROOT = BASE_DIR / "static" / "root"

# Request size. The longest form, a 10,000-character post, is at most 120 KB even in 4-byte
# characters percent-encoded; a larger body is refused with 400 before it is read. The forum
# takes no files: a multipart body is held to the same limit and file parts are dropped, so
# nothing is spooled to disk. nginx refuses bodies over 1 MB before they reach gunicorn.
DATA_UPLOAD_MAX_MEMORY_SIZE = 512 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500  # the admin's bulk actions post up to 200 ids
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
FILE_UPLOAD_HANDLERS = ["forum.uploads.RefuseFiles"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Backups (manage.py backup_forum) are files named *.backup, optionally compressed (.gz).
SERIALIZATION_MODULES = {"backup": "forum.backup_format"}

# No inline script or style anywhere but templates/theme.js, allowed by its hash: it applies the
# remembered theme before the page is painted, and fetched it would hold the parser up.
THEME_SCRIPT_HASH = base64.b64encode(
    hashlib.sha256((BASE_DIR / "templates" / "theme.js").read_bytes()).digest()
).decode()
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, f"'sha256-{THEME_SCRIPT_HASH}'"],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Django's own CSRF failure page carries inline style, which the policy above refuses.
CSRF_FAILURE_VIEW = "forum.errors.csrf_failure"

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Health checks come over plain HTTP from inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True


def mailer_from_url(url: str) -> dict:
    """smtp://user:password@host:587 (STARTTLS) or smtps://...:465 (TLS) as a MAILERS entry.

    User and password are percent-encoded in the url (@ is %40)."""
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL must look like smtp://user:password@host:587.")
    secure = parts.scheme == "smtps"
    query = parse_qs(parts.query)
    port = parts.port or (465 if secure else 587)
    options = {
        "host": parts.hostname,
        "port": port,
        "username": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "use_ssl": secure,
        # STARTTLS on the submission port, not on 25 (a local server); ?tls=0/1 decides.
        "use_tls": env_bool_text(
            query.get("tls", [""])[0], not secure and port != 25, name="EMAIL_URL's tls"
        ),
        "timeout": 20,
    }
    return {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}


# Password-reset mail goes to the SMTP server EMAIL_URL names; without one, development
# prints it on the console and production hands it to the local mail server (localhost:25).
EMAIL_URL = os.environ.get("EMAIL_URL", "smtp://localhost:25" if PRODUCTION else "")
MAILERS = {
    "default": mailer_from_url(EMAIL_URL)
    if EMAIL_URL
    else {
        "BACKEND": os.environ.get(
            "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
        ),
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "forum@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
