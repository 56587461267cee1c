"""Django settings. Everything that differs between machines comes from the environment.

Defaults are safe for a developer's machine: SQLite in ``var/``, DEBUG off unless asked for.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("CIR_HOME", Path.cwd()))
VAR_DIR = Path(os.environ.get("CIR_VAR_DIR", PROJECT_DIR / "var"))


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("CIR_DEBUG", False)
SECRET_KEY = os.environ.get("CIR_SECRET_KEY") or "insecure-development-key-set-CIR_SECRET_KEY"
ALLOWED_HOSTS = [
    h for h in os.environ.get("CIR_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
    "cir.reference",
    "cir.register",
    "cir.interface",
    "cir.premium",
    "cir.migration",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "cir.urls"
WSGI_APPLICATION = "cir.wsgi.application"

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
            ]
        },
    }
]

_default_sqlite = f"sqlite:///{VAR_DIR / 'cir.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_sqlite),
        conn_max_age=int(os.environ.get("CIR_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django disables psycopg's prepared statements (threshold None). The few hot statements
    # that ask for it explicitly (prepare=True) must be prepared; nothing else is auto-prepared
    # because the threshold is out of reach.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 2**31 - 1)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database lives in var/; a fresh clone has no such folder yet.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Several writers (server, commands) share the embedded file: wait rather than fail.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "nl-be"
LANGUAGES = [("nl", "Nederlands")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
WHITENOISE_USE_FINDERS = True  # serves app static files even before collectstatic
MEDIA_ROOT = VAR_DIR / "documents"

# The migration's heap in huge pages (decision 0019): "auto" when it is large, "on", "off".
MIGRATION_HUGE_PAGES = os.environ.get("CIR_MIGRATION_HUGE_PAGES", "auto")
if MIGRATION_HUGE_PAGES not in ("auto", "on", "off"):
    raise ValueError("CIR_MIGRATION_HUGE_PAGES must be auto, on or off")

# 413 for anything bigger: the largest legitimate body is a batch of rankings, far below this.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("CIR_MAX_BODY_BYTES", str(256 * 1024)))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cir.interface.oauth.BearerTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["cir.interface.renderers.ORJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "cir.interface.problems.exception_handler",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "CIR: interface voor lokale software en dienst huurpremie",
    "DESCRIPTION": (
        "Centraal Inschrijvingsregister voor sociale huur in Vlaanderen. Dezelfde resources, "
        "namen en codes als SocZek.SocialeHuisvestingCIR; fouten als application/problem+json "
        "met een stabiele `code` en een Nederlandstalige `detail`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/v1",
    "ENUM_NAME_OVERRIDES": {"TriStateEnum": "cir.domain.statuses.TriState"},
}

OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "SCOPES": {
        "lokale-software": "Lokale software van een woonmaatschappij",
        "huurpremie": "Dienst huurpremie: gebeurtenissen lezen",
    },
    "DEFAULT_SCOPES": ["lokale-software"],
    "ALLOWED_GRANT_TYPES": ["client_credentials"],
    "PKCE_REQUIRED": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_national_numbers": {"()": "cir.logfilters.MaskNationalNumbers"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["mask_national_numbers"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("CIR_LOG_LEVEL", "WARNING")},
}
OAUTH2_PROVIDER["SCOPES_BACKEND_CLASS"] = "cir.interface.scopes.BindingScopes"
# Token lookup with the client's binding and company in one query; still no caching, so a
# revoked token is refused on the very next call.
OAUTH2_PROVIDER["OAUTH2_VALIDATOR_CLASS"] = "cir.interface.oauth.Validator"
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"
