"""StageCraft settings: one module, driven by environment variables.

With no environment variables at all StageCraft runs in the *embedded* mode:
SQLite (WAL), the django-q2 ORM broker, a database-backed cache shared by the
web and worker processes of one machine, local media and local AI models only.
Setting ``DATABASE_URL``, ``REDIS_URL`` and the ``AWS_*`` variables switches each
concern to its production backend (PostgreSQL, Redis, S3). Bad values raise
``ImproperlyConfigured`` at start-up instead of being silently ignored.
"""

import ipaddress
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from config.env import env, env_bool, env_float, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env("STAGECRAFT_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# Production asks for an explicit SECRET_KEY and serves collected, hashed static files.
PRODUCTION = env_bool("STAGECRAFT_PRODUCTION", False)
SECRET_KEY = env("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production.")
    # Embedded mode: a per-installation key kept outside the repository.
    from config.env import local_secret_key

    SECRET_KEY = local_secret_key(VAR_DIR / "secret_key")
# Fernet keys for secrets stored in the database (platform tokens), newest first; blank derives
# one from SECRET_KEY (see config/crypto.py). Generate one with
# python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", [])

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_q",
    "config.accounts",
    "config.ai",
    "config.jobs",
    "config.audit",
    "config.webhooks",
    "staging",
    "catalog",
    "designs",
    "personas",
    "floorplans",
]

MIDDLEWARE = [
    "config.api.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.api.ratelimit.RateLimitHeadersMiddleware",
    "config.api.query_text.QueryTextMiddleware",
    "config.views.ApplicationErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", "")
if DATABASE_URL:
    # Health checks make the psycopg pool test a connection before lending it, so the first requests
    # after a PostgreSQL restart get fresh connections instead of the dead ones the pool held.
    _db = dj_database_url.parse(DATABASE_URL, conn_health_checks=True)
    if _db["ENGINE"] == "django.db.backends.postgresql":
        _db.setdefault("OPTIONS", {})
        if sys.argv[1:2] == ["qcluster"]:
            # django-q2 forks its workers (again every `recycle` tasks) from a parent that runs the
            # scheduler. A psycopg pool made before a fork hands the child the parent's sockets, and
            # both then talk over one connection (seen as "the last operation didn't produce
            # records" after ~500 tasks). Workers keep Django's own persistent connections, which
            # django-q2 closes before each fork.
            _db["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
        else:
            # psycopg 3's pool replaces persistent connections (CONN_MAX_AGE must be 0).
            _db["CONN_MAX_AGE"] = 0
            _db["OPTIONS"]["pool"] = {
                "min_size": env_int("DATABASE_POOL_MIN", 1),
                "max_size": env_int("DATABASE_POOL_MAX", 10),
                "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),
            }
        # Parameters travel apart from the SQL, so psycopg sends each statement's text unchanged and
        # prepares those a connection repeats (after 5 runs): about a tenth of a designs request's
        # CPU went to quoting parameters into the text (docs/performance.md, "Third pass").
        _db["OPTIONS"]["server_side_binding"] = env_bool("DATABASE_SERVER_SIDE_BINDING", True)
        # Behind PgBouncer in transaction mode a session can change server between
        # transactions: no server-side cursors, no automatically prepared statements.
        if env_bool("DATABASE_TRANSACTION_POOLER", False):
            _db["DISABLE_SERVER_SIDE_CURSORS"] = True
            _db["OPTIONS"]["prepare_threshold"] = None
    DATABASES = {"default": _db}
else:
    _sqlite_path = Path(env("STAGECRAFT_SQLITE_PATH", str(VAR_DIR / "stagecraft.sqlite3")))
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": _sqlite_path,
            "OPTIONS": {
                # WAL lets the web and worker processes read while one writes;
                # IMMEDIATE transactions avoid "database is locked" upgrade races.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # A file, not :memory:, so tests can share it with real worker processes.
            "TEST": {"NAME": str(_sqlite_path.with_name("test_" + _sqlite_path.name))},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker, cache, channel layer ----------------------------------
REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "stagecraft"),
            # An unreachable Redis fails a cache call in seconds instead of hanging the request.
            "OPTIONS": {"socket_connect_timeout": env_float("REDIS_TIMEOUT", 2.0),
                        "socket_timeout": env_float("REDIS_TIMEOUT", 2.0)},
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": env("CACHE_KEY_PREFIX", "stagecraft")},
        }
    }
else:
    # Shared by every process using this database, so rate limits hold
    # across the web server and the worker.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "stagecraft_cache",
        }
    }
    # In-process groups only; other processes' events reach WebSocket
    # clients through the persisted JobEvent rows (see config/jobs/consumers.py).
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# How often a WebSocket consumer re-reads persisted events: a safety net behind the doorbell
# (the channel layer with Redis; config/jobs/process_doorbell.py in the embedded mode).
JOBS_EVENT_POLL_SECONDS = env_float("JOBS_EVENT_POLL_SECONDS", 5.0 if REDIS_URL else 2.0)

# A processing job this long past its own timeout is failed by the sweep.
JOBS_SWEEP_GRACE_SECONDS = env_int("JOBS_SWEEP_GRACE_SECONDS", 60)
# A queued job the broker has not accepted this long after it was created is enqueued again by the sweep.
JOBS_ENQUEUE_RETRY_SECONDS = env_int("JOBS_ENQUEUE_RETRY_SECONDS", 30)

_Q_TIMEOUT = env_int("Q_TIMEOUT", 600)
Q_CLUSTER = {
    "name": "default",
    "workers": env_int("Q_WORKERS", 2),
    "timeout": _Q_TIMEOUT,
    # retry must exceed timeout, or a slow task is delivered twice.
    "retry": _Q_TIMEOUT + 60,
    "max_attempts": env_int("Q_MAX_ATTEMPTS", 2),
    # Tasks a worker process runs before django-q2 replaces it with a fresh fork.
    "recycle": env_int("Q_RECYCLE", 500),
    "catch_up": False,
    "save_limit": 500,
    "ack_failures": True,
    "label": "Task queue",
    "poll": env_float("Q_POLL", 0.2),
    "ALT_CLUSTERS": {
        "gpu": {"workers": env_int("Q_GPU_WORKERS", 1), "timeout": env_int("Q_GPU_TIMEOUT", 1800),
                "retry": env_int("Q_GPU_TIMEOUT", 1800) + 60},
    },
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# The cluster GPU tasks go to. Setting it to "default" runs them on the
# ordinary workers (the embedded mode does this so one worker serves all).
JOBS_GPU_CLUSTER = env("JOBS_GPU_CLUSTER", "gpu" if PRODUCTION else "default")

# --- Auth -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 30)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
}

# Plans and their monthly AI job allowance.
PLAN_LIMITS = {"trial": env_int("PLAN_TRIAL_LIMIT", 25), "professional": env_int("PLAN_PROFESSIONAL_LIMIT", 500),
               "enterprise": env_int("PLAN_ENTERPRISE_LIMIT", 10000)}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "config.api.authentication.JWTAuthentication",
        "config.api.authentication.APIKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.StageCraftAutoSchema",
    "EXCEPTION_HANDLER": "config.api.exceptions.exception_handler",
    # DRF's JSON parser plus limits on size, depth, NaN and control characters (see the module). JSON
    # only, so the schema declares each body as the one type it is: upload views set their own
    # ``parser_classes = [MultiPartParser]``. The pages are Django views and parse their own forms.
    "DEFAULT_PARSER_CLASSES": ["config.api.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "StageCraft API",
    "DESCRIPTION": "Virtual staging, product analysis, 3D design specs, AI characters and floor plans.",
    "VERSION": "1.0.0",
    # 3.1: full JSON Schema, so the request text rule on object keys (``propertyNames``) is stated.
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "config.api.schema.add_links",
                             "config.api.schema.state_text_rules"],
    "ENUM_NAME_OVERRIDES": {"JobStatusEnum": "config.jobs.choices.JobStatus",
                            "StagingModeEnum": "staging.choices.StagingMode",
                            "StepStatusEnum": "config.jobs.choices.StepStatus",
                            "ProductStatusEnum": "catalog.choices.ProductStatus",
                            "CharacterStatusEnum": "personas.choices.CharacterStatus",
                            "GenerationStatusEnum": "personas.choices.GenerationStatus",
                            "ReviewEnum": "personas.choices.Review",
                            "WallDirectionEnum": "floorplans.choices.Direction",
                            "OpeningTypeEnum": "floorplans.api.serializers.OPENING_KINDS",
                            "AnalysisSourceEnum": "floorplans.choices.AnalysisSource",
                            "RoomKindEnum": "floorplans.choices.RoomKind",
                            "EngineStateEnum": "personas.api.system.ENGINE_STATES",
                            "PlatformEnum": "personas.choices.Platform",
                            "PersonaContentTypeEnum": "personas.choices.ContentType",
                            "TriggerTypeEnum": "personas.choices.TriggerType",
                            "RuleActionEnum": "personas.choices.RuleAction",
                            "ImageContentTypeEnum": "catalog.choices.CONTENT_TYPES",
                            "MarketplaceEnum": "catalog.choices.Marketplace"},
}

# --- Rate limits (django-ratelimit on the shared cache) -------------------
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
# With the cache (Redis) unreachable, serve requests uncounted rather than refuse them all.
RATELIMIT_FAIL_OPEN = env_bool("RATELIMIT_FAIL_OPEN", True)
RATELIMIT_USE_CACHE = "default"
RATE_LIMITS = {
    "auth": env("RATE_LIMIT_AUTH", "10/m"),
    "catalog_upload": env("RATE_LIMIT_CATALOG_UPLOAD", "30/m"),
    "catalog_analysis": env("RATE_LIMIT_CATALOG_ANALYSIS", "60/m"),
    "catalog_read": env("RATE_LIMIT_CATALOG_READ", "120/m"),
    "staging_burst": env("RATE_LIMIT_STAGING_BURST", "10/h"),
    "staging_daily": env("RATE_LIMIT_STAGING_DAILY", "100/d"),
    "designs": env("RATE_LIMIT_DESIGNS", "20/m"),
    "personas": env("RATE_LIMIT_PERSONAS", "100/m"),
    "personas_generate": env("RATE_LIMIT_PERSONAS_GENERATE", "10/m"),
    "personas_publish": env("RATE_LIMIT_PERSONAS_PUBLISH", "5/m"),
    "personas_engage": env("RATE_LIMIT_PERSONAS_ENGAGE", "20/m"),
    "floorplans": env("RATE_LIMIT_FLOORPLANS", "120/m"),
}
WEBSOCKETS_PER_USER = env_int("WEBSOCKETS_PER_USER", 5)

# The embedded cache is shared but its increment is not atomic: under a burst
# the count may lag by a request or two, which is acceptable on one machine.
# Django's own RedisCache increments atomically but is not on the package's list.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"] + ([] if REDIS_URL else ["django_ratelimit.E003"])

# --- Files ----------------------------------------------------------------
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# three.js for the designs preview, installed by `npm ci` (scripts/setup-env) rather than copied in;
# without it the pages still work and the preview explains what is missing.
_three_js_dir = BASE_DIR / "node_modules" / "three"
if _three_js_dir.is_dir():
    STATICFILES_DIRS.append(("vendor/three", _three_js_dir))

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", "") or None
    AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", "") or None
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True
    AWS_QUERYSTRING_EXPIRE = env_int("MEDIA_URL_EXPIRES", 3600)
    AWS_S3_FILE_OVERWRITE = False
    _media_storage = {"BACKEND": "storages.backends.s3.S3Storage"}
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
                    if PRODUCTION else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Outside production, serve static files straight from the source folders: no collectstatic step.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
MEDIA_URL_EXPIRES = env_int("MEDIA_URL_EXPIRES", 3600)
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 50 * 1024 * 1024)
UPLOAD_MAX_PIXELS = env_int("UPLOAD_MAX_PIXELS", 50_000_000)

# Catalog duplicates: two photos of one owner whose 64-bit perceptual hashes differ in at most
# this many bits are near duplicates (0 flags only identical hashes).
CATALOG_DUPLICATE_DISTANCE = env_int("CATALOG_DUPLICATE_DISTANCE", 6)
# Catalog feeds: the currency of product prices (ISO 4217) when a product names none.
CATALOG_DEFAULT_CURRENCY = env("CATALOG_DEFAULT_CURRENCY", "USD")
# Lifetime of the signed image links inside a feed (S3 presigns at most 7 days): fetch feeds more often.
CATALOG_FEED_IMAGE_URL_EXPIRES = env_int("CATALOG_FEED_IMAGE_URL_EXPIRES", 7 * 24 * 3600)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- AI engines (config/ai) ---
# Each capability is chosen by environment; docs/ai.md describes every variable.
_AI_LLM_PROVIDERS = ("anthropic", "openai", "ollama", "none")
_AI_IMAGE_PROVIDERS = ("diffusers", "automatic1111", "none")
AI_LLM_PROVIDER = env("AI_LLM_PROVIDER", "none")  # anthropic | openai | ollama | none
AI_LLM_MODEL = env("AI_LLM_MODEL", "")
AI_LLM_BASE_URL = env("AI_LLM_BASE_URL", "")  # blank: the vendor's public API; OpenAI-compatible URLs end in /v1
AI_LLM_API_KEY = env("AI_LLM_API_KEY", "")
AI_LLM_TIMEOUT = env_float("AI_LLM_TIMEOUT", 60.0)
AI_LLM_MAX_RETRIES = env_int("AI_LLM_MAX_RETRIES", 2)
AI_IMAGE_PROVIDER = env("AI_IMAGE_PROVIDER", "none")  # diffusers | automatic1111 | none
# diffusers: hub repository id or folder; automatic1111: checkpoint title (blank keeps the loaded one).
AI_IMAGE_MODEL = env("AI_IMAGE_MODEL", "stable-diffusion-v1-5/stable-diffusion-v1-5"
                     if AI_IMAGE_PROVIDER == "diffusers" else "")
AI_IMAGE_INPAINT_MODEL = env("AI_IMAGE_INPAINT_MODEL", "stable-diffusion-v1-5/stable-diffusion-inpainting")
AI_IMAGE_CONTROLNET_MLSD = env("AI_IMAGE_CONTROLNET_MLSD", "lllyasviel/control_v11p_sd15_mlsd")
AI_IMAGE_CONTROLNET_CANNY = env("AI_IMAGE_CONTROLNET_CANNY", "lllyasviel/control_v11p_sd15_canny")
AI_IMAGE_CONTROLNET_DEPTH = env("AI_IMAGE_CONTROLNET_DEPTH", "lllyasviel/control_v11f1p_sd15_depth")
# automatic1111: the ControlNet extension unit that carries a room set's reference image
# (reference_only needs no model; an IP-Adapter module such as ip-adapter_clip_sd15 needs its model).
AI_IMAGE_REFERENCE_MODULE = env("AI_IMAGE_REFERENCE_MODULE", "reference_only")
AI_IMAGE_REFERENCE_MODEL = env("AI_IMAGE_REFERENCE_MODEL", "None")
# diffusers: a local folder with the IP-Adapter file and its image_encoder/ (h94/IP-Adapter's models/);
# blank: diffusers cannot stage room sets (REFERENCE_NOT_SUPPORTED).
AI_IMAGE_IP_ADAPTER = env("AI_IMAGE_IP_ADAPTER", "")
AI_IMAGE_IP_ADAPTER_WEIGHTS = env("AI_IMAGE_IP_ADAPTER_WEIGHTS", "ip-adapter_sd15.safetensors")
# The model family sets the size staging generates at: sd15 (SD 1.5) or sdxl. The diffusers engine
# runs SD 1.5-family pipelines only; SDXL checkpoints are served through AUTOMATIC1111.
AI_IMAGE_MODEL_FAMILY = env("AI_IMAGE_MODEL_FAMILY", "sd15")
AI_IMAGE_DEVICE = env("AI_IMAGE_DEVICE", "auto")  # auto | cuda | mps | cpu (diffusers)
AI_IMAGE_BASE_URL = env("AI_IMAGE_BASE_URL", "")  # automatic1111 web UI, e.g. http://gpu-host:7860
AI_IMAGE_TIMEOUT = env_float("AI_IMAGE_TIMEOUT", 300.0)
AI_IMAGE_MAX_RETRIES = env_int("AI_IMAGE_MAX_RETRIES", 2)
AI_MODEL_CACHE = env("AI_MODEL_CACHE", "")  # Hugging Face cache dir for diffusers weights; blank: HF_HOME's
AI_LOCAL_MODELS = env_bool("AI_LOCAL_MODELS", True)  # EfficientNet labeler and MiniLM embedder
AI_MEMORY_BUDGET_MB = env_int("AI_MEMORY_BUDGET_MB", 0)  # local model weights per process; 0: no limit
# CPU threads per process for local models; 0: all cores in the web process, cores / Q_WORKERS in a worker.
AI_CPU_THREADS = env_int("AI_CPU_THREADS", 0)
# The image labeler's runtime: auto (onnxruntime where onnx and onnxruntime are installed), onnx, or torch.
AI_LABELER_RUNTIME = env("AI_LABELER_RUNTIME", "auto")
AI_RETRY_BACKOFF = env_float("AI_RETRY_BACKOFF", 0.5)  # first retry wait in seconds, doubled each time
AI_RETRY_MAX_WAIT = env_float("AI_RETRY_MAX_WAIT", 30.0)  # a longer Retry-After fails the call at once
AI_STATUS_TIMEOUT = env_float("AI_STATUS_TIMEOUT", 3.0)  # health probe of a remote engine
AI_STATUS_TTL = env_float("AI_STATUS_TTL", 30.0)  # how long a probe result is reused
if AI_LLM_PROVIDER not in _AI_LLM_PROVIDERS:
    raise ImproperlyConfigured(f"AI_LLM_PROVIDER must be one of {', '.join(_AI_LLM_PROVIDERS)}.")
if AI_IMAGE_PROVIDER not in _AI_IMAGE_PROVIDERS:
    raise ImproperlyConfigured(f"AI_IMAGE_PROVIDER must be one of {', '.join(_AI_IMAGE_PROVIDERS)}.")
if AI_IMAGE_MODEL_FAMILY not in ("sd15", "sdxl"):
    raise ImproperlyConfigured("AI_IMAGE_MODEL_FAMILY must be sd15 or sdxl.")
if AI_IMAGE_MODEL_FAMILY == "sdxl" and AI_IMAGE_PROVIDER == "diffusers":
    raise ImproperlyConfigured("The diffusers engine runs SD 1.5-family models; serve SDXL through automatic1111.")
if AI_IMAGE_DEVICE not in ("auto", "cuda", "mps", "cpu"):
    raise ImproperlyConfigured("AI_IMAGE_DEVICE must be auto, cuda, mps or cpu.")
# --- end AI engines ---

# --- Outbound requests (config/net.py) ---
# URLs the server fetches (platform servers, engines, satellite services) may not reach private,
# loopback or link-local addresses unless allowed here. The embedded mode allows them: a local Ollama.
OUTBOUND_ALLOW_PRIVATE = env_bool("OUTBOUND_ALLOW_PRIVATE", not PRODUCTION)
OUTBOUND_ALLOWED_HOSTS = env_list("OUTBOUND_ALLOWED_HOSTS", [])  # "ollama.lan", ".internal.example"
OUTBOUND_ALLOWED_NETWORKS = env_list("OUTBOUND_ALLOWED_NETWORKS", [])  # "10.0.5.0/24", "127.0.0.1/32"
for _cidr in OUTBOUND_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_cidr, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"OUTBOUND_ALLOWED_NETWORKS: {_cidr!r} is not a network (10.0.5.0/24).") from None

# --- Designs ----------------------------------------------------------------
# Designs require an API key *and* a JWT of the same user; this relaxes it to either.
DESIGNS_REQUIRE_KEY_AND_JWT = env_bool("DESIGNS_REQUIRE_KEY_AND_JWT", True)
# auto: the language model when one is configured, else the rules; rules: always the rules.
DESIGNS_GENERATOR = env("DESIGNS_GENERATOR", "auto")
# When the model fails (unreachable, invalid twice, physically impossible) the rules answer
# instead and say why in metadata; false answers 500 INTERNAL_ERROR.
DESIGNS_FALLBACK_TO_RULES = env_bool("DESIGNS_FALLBACK_TO_RULES", True)
DESIGNS_MAX_PROMPT_CHARS = env_int("DESIGNS_MAX_PROMPT_CHARS", 2000)
# How long a request waits for its generation job: the model call plus one repair, plus queueing.
DESIGNS_WAIT_SECONDS = env_float("DESIGNS_WAIT_SECONDS", 2 * AI_LLM_TIMEOUT + 10)

# --- Personas ---------------------------------------------------------------
# Loop guard: automation rule runs per character per hour, whatever triggered them.
PERSONAS_RULE_RUNS_PER_HOUR = env_int("PERSONAS_RULE_RUNS_PER_HOUR", 12)
# NudeNet confidence from which an exposed intimate part flags an image for review (personas/safety.py).
PERSONAS_NUDITY_THRESHOLD = env_float("PERSONAS_NUDITY_THRESHOLD", 0.45)
# Largest video a person may upload for publishing (checked with ffprobe, personas/video.py).
PERSONAS_MAX_VIDEO_BYTES = env_int("PERSONAS_MAX_VIDEO_BYTES", 100 * 1024 * 1024)
# LinkedIn's versioned API month (YYYYMM); each is served for at least a year, then answers 426.
PERSONAS_LINKEDIN_VERSION = env("PERSONAS_LINKEDIN_VERSION", "202610")
# Who sees a video StageCraft uploads to YouTube: public, unlisted or private (a brand may review first).
PERSONAS_YOUTUBE_PRIVACY = env("PERSONAS_YOUTUBE_PRIVACY", "public")

# --- Staging ---
STAGING_MAINTENANCE_MODE = env_bool("STAGING_MAINTENANCE_MODE", False)
# Stagings waiting for the GPU at most; past it a new one answers 503 with Retry-After (seed 000's queue rules).
STAGING_MAX_QUEUED = env_int("STAGING_MAX_QUEUED", 1000)
# Stagings handed to the broker beyond those running; the rest wait in the database in plan order.
STAGING_DISPATCH_AHEAD = env_int("STAGING_DISPATCH_AHEAD", 4)
STAGING_RETENTION_DAYS = env_int("STAGING_RETENTION_DAYS", 30)
STAGING_MAX_UPLOAD_BYTES = env_int("STAGING_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
STAGING_MAX_LONG_EDGE = env_int("STAGING_MAX_LONG_EDGE", 4096)
STAGING_JOB_TIMEOUT = env_int("STAGING_JOB_TIMEOUT", 900)
STAGING_INTERIOR_THRESHOLD = env_float("STAGING_INTERIOR_THRESHOLD", 0.4)
# Chosen from the calibration table in docs/ai.md (tests/benchmarks/bench_staging.py --parts calibration).
STAGING_INTEGRITY_THRESHOLD = env_float("STAGING_INTEGRITY_THRESHOLD", 0.55)
# Below this quality score after the one retry, a staging fails with QUALITY_CHECK_FAILED
# (chosen from the calibration table in docs/ai.md).
STAGING_QUALITY_FLOOR = env_float("STAGING_QUALITY_FLOOR", 0.7)
# The delivered files must keep this share of the unmasked pixels within CIEDE2000 1 of the original.
STAGING_PIXEL_LOCK_MIN_SHARE = env_float("STAGING_PIXEL_LOCK_MIN_SHARE", 0.99)
# Room sets: how strongly later photos follow the first result, and the stronger retry below
# STAGING_CONSISTENCY_MIN (similarity of the furnished areas, 0-1).
STAGING_REFERENCE_WEIGHT = env_float("STAGING_REFERENCE_WEIGHT", 0.6)
STAGING_REFERENCE_WEIGHT_RETRY = env_float("STAGING_REFERENCE_WEIGHT_RETRY", 1.0)
STAGING_CONSISTENCY_MIN = env_float("STAGING_CONSISTENCY_MIN", 0.8)
# Decluttering must remove at least this share of the furnished area's edges, else DECLUTTER_FAILED
# (staging/emptiness.py; chosen from the drawn rooms' figures in docs/ai.md).
STAGING_DECLUTTER_MIN_DROP = env_float("STAGING_DECLUTTER_MIN_DROP", 0.25)
# C2PA signing of staged files: a PEM certificate chain and its private key. The
# embedded mode makes a self-signed development pair here (manage.py
# create_provenance_certificate); production points these at a real certificate.
STAGING_C2PA_CERT_PATH = Path(env("STAGING_C2PA_CERT_PATH", str(VAR_DIR / "c2pa" / "chain.pem")))
STAGING_C2PA_KEY_PATH = Path(env("STAGING_C2PA_KEY_PATH", str(VAR_DIR / "c2pa" / "signing-key.pem")))
# Generator settings per quality mode. A mode generates at the image model's native scale
# (AI_IMAGE_MODEL_FAMILY: SD 1.5 at 512 px on the short side for standard and 768 for premium,
# SDXL at 1024; see staging/scale.py) unless its SHORT_EDGE is set, and the pipeline reaches the
# delivered size by a tiled img2img pass. Steps and guidance (classifier-free guidance scale) per mode.
STAGING_QUALITY = {
    mode: {"short_edge": env_int(f"STAGING_{mode.upper()}_SHORT_EDGE", 0),
           "steps": env_int(f"STAGING_{mode.upper()}_STEPS", steps),
           "guidance": env_float(f"STAGING_{mode.upper()}_GUIDANCE", guidance)}
    for mode, steps, guidance in (("standard", 25, 7.0), ("premium", 40, 7.5))
}
for _mode, _values in STAGING_QUALITY.items():
    if _values["short_edge"] and (_values["short_edge"] < 64 or _values["short_edge"] % 8):
        raise ImproperlyConfigured(f"STAGING_{_mode.upper()}_SHORT_EDGE must be 0 (native) or a multiple of 8 >= 64.")
    if _values["steps"] < 1 or _values["guidance"] <= 0:
        raise ImproperlyConfigured(f"STAGING_{_mode.upper()}_STEPS and _GUIDANCE must be positive.")
# The tiled img2img pass that brings a generation to the delivered size (staging/scale.py):
# how much each tile is redrawn (0 keeps the resized pixels), and the largest factor it refines
# to (a 12 MP photo from a 512 px generation would otherwise take dozens of tiles); past it the
# refined image is resized with Lanczos.
STAGING_UPSCALE_STRENGTH = env_float("STAGING_UPSCALE_STRENGTH", 0.3)
STAGING_UPSCALE_MAX_FACTOR = env_float("STAGING_UPSCALE_MAX_FACTOR", 2.0)
if not 0 <= STAGING_UPSCALE_STRENGTH <= 1:
    raise ImproperlyConfigured("STAGING_UPSCALE_STRENGTH must be between 0 and 1.")


# --- Floor plans ---
FLOORPLANS_SESSION_DAYS = env_int("FLOORPLANS_SESSION_DAYS", 30)
FLOORPLANS_PHOTO_MAX_BYTES = env_int("FLOORPLANS_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
# Satellite footprint lookup: a static-maps style HTTP API (see README); blank = unavailable.
FLOORPLANS_SATELLITE_URL = env("FLOORPLANS_SATELLITE_URL", "")
FLOORPLANS_SATELLITE_KEY = env("FLOORPLANS_SATELLITE_KEY", "")
FLOORPLANS_GEOCODER_URL = env("FLOORPLANS_GEOCODER_URL", "")
# The PNG export refuses a ?dpi= that would make a bigger image (memory guard).
FLOORPLANS_PNG_MAX_PIXELS = env_int("FLOORPLANS_PNG_MAX_PIXELS", 40_000_000)
# RoomPlan scan import: the largest JSON accepted (body or file) and the most walls, doors, windows
# and openings read from one room.
FLOORPLANS_SCAN_MAX_BYTES = env_int("FLOORPLANS_SCAN_MAX_BYTES", 2 * 1024 * 1024)
FLOORPLANS_SCAN_MAX_SURFACES = env_int("FLOORPLANS_SCAN_MAX_SURFACES", 200)

# --- Email ----------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "StageCraft <noreply@localhost>")

# --- Security (production) ------------------------------------------------
# Production defaults to HTTPS everywhere; each can still be set explicitly.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# Load balancers probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health$", r"^ready$"]
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Readable by scripts on purpose: Swagger UI's "Try it out" sends it for session-authenticated writes,
# and an HttpOnly CSRF cookie protects nothing (Django's docs): the token is in every form anyway.
CSRF_COOKIE_HTTPONLY = False
CSRF_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy of the pages (django-csp; config/security.py gives JSON and the API docs theirs).
# Scripts: same-origin files only; the one inline script (the designs import map) carries the nonce.
# Styles: same-origin files; style *attributes* are allowed because templates set computed widths and
# colours inline (progress bars, style swatches, photo aspect ratios), <style> elements are not.
# Images: data: and blob: for previews of photos being uploaded and canvas sketches, plus the media
# bucket whose presigned URLs the pages show. WebSockets: 'self' covers same-host ws/wss in current
# browsers; SITE_URL's socket origin is listed for those that do not.
_media_origins = []
if AWS_STORAGE_BUCKET_NAME:
    if AWS_S3_ENDPOINT_URL:  # S3-compatible services answer path-style on the endpoint itself
        _media_origins = ["/".join(AWS_S3_ENDPOINT_URL.split("/", 3)[:3])]  # scheme://host[:port]
    else:
        _media_origins = [f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com",
                          f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{AWS_S3_REGION_NAME or 'us-east-1'}.amazonaws.com"]
CSP_MEDIA_ORIGINS = env_list("CSP_MEDIA_ORIGINS", _media_origins)
_site_socket = SITE_URL.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:", *CSP_MEDIA_ORIGINS],
        "media-src": [SELF, "blob:", *CSP_MEDIA_ORIGINS],
        "connect-src": [SELF, _site_socket],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Their INFO line quotes each request's full URL, query string included, where some
        # services take their API key (FLOORPLANS_SATELLITE_KEY): secrets stay out of the logs.
        "httpx": {"level": "WARNING"},
        "httpx2": {"level": "WARNING"},
    },
}
