"""Settings for the forum, read from the environment with safe development defaults."""

import base64
import hashlib
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from forum.environment import (
    cache_config,
    env_bool,
    env_list,
    mailer_from_url,
    matches_a_whole_domain,
)

BASE_DIR = Path(__file__).resolve().parent.parent


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


if PRODUCTION:
    for host in ALLOWED_HOSTS:
        if matches_a_whole_domain(host):
            raise ImproperlyConfigured(
                f"FORUM_ENV=production refuses ALLOWED_HOSTS entry {host!r}: it matches every "
                "site of a top-level domain, whose Host headers would reach password-reset "
                "links. Name the site (forum.example.org, or .example.org for its subdomains)."
            )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
if PRODUCTION and any(not origin.startswith("https://") for origin in CSRF_TRUSTED_ORIGINS):
    raise ImproperlyConfigured(
        "FORUM_ENV=production refuses CSRF_TRUSTED_ORIGINS that are not https:// origins: "
        "the cookies are sent over HTTPS only."
    )
if PRODUCTION:
    for origin in CSRF_TRUSTED_ORIGINS:
        host = origin.removeprefix("https://")
        if "*" in host.removeprefix("*.") or matches_a_whole_domain(host):
            raise ImproperlyConfigured(
                f"FORUM_ENV=production refuses CSRF_TRUSTED_ORIGINS entry {origin!r}: it trusts "
                "every site of a top-level domain to post forms here. Name the site "
                "(https://forum.example.org, or https://*.example.org for its subdomains)."
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
# Flags a day: enough for a reader who moderates by flagging, too few for one to hide pages of
# posts with a handful of accounts.
FORUM_FLAGS_PER_DAY = int(os.environ.get("FORUM_FLAGS_PER_DAY", 20))
# Karma a user needs before they may downvote posts (Hacker News asks for 500).
FORUM_DOWNVOTE_KARMA = int(os.environ.get("FORUM_DOWNVOTE_KARMA", 500))
# The front page ranks this many most recent threads; older ones are on /newest and /best.
FORUM_RANK_WINDOW = int(os.environ.get("FORUM_RANK_WINDOW", 500))
# Keys each kind of rate-limit counter (log-in failures per address, API requests per
# address, ...) may make in one of its windows: a flood of distinct clients meets 429 for that
# kind once its budget is spent, instead of filling the limits' store for every kind (503).
# A counter takes about 250 bytes in Redis, and a kind at most twice its budget at once.
FORUM_LIMIT_KEYS_PER_KIND = int(os.environ.get("FORUM_LIMIT_KEYS_PER_KIND", 5_000))
# How many reverse proxies stand in front of gunicorn: the client's address for the rate
# limits is then read from X-Forwarded-For, that many hops from the right. 0: REMOTE_ADDR.
FORUM_PROXY_COUNT = int(os.environ.get("FORUM_PROXY_COUNT", "0"))
if FORUM_PROXY_COUNT < 0:
    raise ImproperlyConfigured("FORUM_PROXY_COUNT must be 0 or more proxies.")
# A bearer token that /metrics asks for; empty: it answers only requests that reach gunicorn
# straight from a private address (nginx never passes /metrics on).
FORUM_METRICS_TOKEN = os.environ.get("FORUM_METRICS_TOKEN", "")
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
    "forum.metrics.MetricsMiddleware",
    "forum.middleware.ReplicaMiddleware",
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
else:
    # A database that does not answer costs a request seconds, not the OS's minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)

# Read replicas of a PostgreSQL primary (streaming replication), comma separated: reads go to
# one that is up, within FORUM_REPLICA_MAX_LAG seconds and past the reader's own last write
# (forum/replicas.py); with the primary lost, the forum reads from them and is read-only.
DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS", "")
FORUM_REPLICA_MAX_LAG = float(os.environ.get("FORUM_REPLICA_MAX_LAG", "5"))
if DATABASE_REPLICA_URLS and not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured("DATABASE_REPLICA_URLS needs a PostgreSQL DATABASE_URL.")
for _number, _url in enumerate(DATABASE_REPLICA_URLS):
    _replica = dj_database_url.parse(_url, conn_max_age=60)
    _replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    # Tests read the primary through every alias: a test database has no replica.
    _replica |= {"CONN_HEALTH_CHECKS": True, "TEST": {"MIRROR": "default"}}
    DATABASES[f"replica{_number}"] = _replica
DATABASE_ROUTERS = ["forum.replicas.ReplicaRouter"] if DATABASE_REPLICA_URLS else []

# Two caches. "default" holds pages: any reader fills it, and entries may be evicted at will.
# "limits" holds the rate limits and log-in lockouts, which a flood of pages must never evict:
# in production a Redis of its own with maxmemory-policy noeviction (LIMITS_REDIS_URL). Each
# falls back to the one before it, down to local memory (one process only: make run).
REDIS_URL = os.environ.get("REDIS_URL", "")
LIMITS_REDIS_URL = os.environ.get("LIMITS_REDIS_URL", "") or REDIS_URL
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "forum")


CACHES = {
    "default": cache_config(REDIS_URL, location="pages", max_entries=300, prefix=CACHE_KEY_PREFIX),
    # Six entries per failed log-in: room for thousands of them within the lockout window.
    "limits": cache_config(
        LIMITS_REDIS_URL, location="limits", max_entries=100_000, prefix=CACHE_KEY_PREFIX
    ),
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
# characters percent-encoded; a larger body is refused with 413 before it is read
# (forum.errors). The forum takes no files: a multipart body is held to the same limit and file
# parts are dropped, so nothing is spooled to disk. nginx refuses the same bodies, 413 too,
# before they reach gunicorn (client_max_body_size in deploy/nginx.conf, a test holds them equal).
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


# Password-reset mail goes to the SMTP server EMAIL_URL names; without one, development
# prints it on the console and production hands it to the local mail server (localhost:25).
EMAIL_URL = os.environ.get("EMAIL_URL", "smtp://localhost:25" if PRODUCTION else "")
MAILERS = {
    "default": mailer_from_url(EMAIL_URL)
    if EMAIL_URL
    else {
        "BACKEND": os.environ.get("EMAIL_BACKEND", "forum.mail.ConsoleBackend"),
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "forum@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
