"""Accounts and security (issue 6): users, passwords, sessions, lockout, rate limits, CSP."""

from datetime import timedelta

from csp.constants import NONCE, NONE, SELF

from .environment import env

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",  # axes: refuses locked-out account+IP pairs before checking
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "accounts.hashers.BCryptSHA256PasswordHasher",  # bcrypt, 12 rounds; others upgrade on login
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)  # cap for unremembered sessions
SESSION_REMEMBER_ME_SECONDS = env.int("SESSION_REMEMBER_ME_SECONDS", default=14 * 24 * 3600)
INVITATION_TTL_DAYS = env.int("INVITATION_TTL_DAYS", default=7)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=24 * 3600)
# Sign-in storms (issue 17, accounts/hashing.py): at most this many bcrypt hashes at once per process
# (gunicorn 3 processes -> 3 on the host); the rest queue. A waiter hashes anyway after
# PASSWORD_HASH_WAIT_SECONDS (never locked out).
PASSWORD_HASH_CONCURRENCY = env.int("PASSWORD_HASH_CONCURRENCY", default=1)
PASSWORD_HASH_WAIT_SECONDS = env.float("PASSWORD_HASH_WAIT_SECONDS", default=10.0)
ACCOUNTS_EMAIL_QUEUE = env.str("ACCOUNTS_EMAIL_QUEUE", default=None)  # None: the default queue

# Lockout (django-axes, database handler: lockouts survive a Redis outage). 5 failures for one
# account from one IP lock that pair for the cool-off; an IP failing AXES_IP_FAILURE_LIMIT times
# across accounts (credential stuffing) is blocked for the cool-off too (accounts/lockout.py).
AXES_VERBOSE = False  # no startup banner in every manage.py command
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=50)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "accounts.lockout.VividlyAxesHandler"
AXES_CLIENT_IP_CALLABLE = "vividly.client_ip.client_ip"  # the one client-IP function (proxy-aware)
AXES_USERNAME_CALLABLE = "accounts.lockout.get_username"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the lock lasts the window, not longer
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every attempt recorded
AXES_ENABLE_ADMIN = False  # accounts/admin.py registers district-scoped lockout admins instead
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2", "new_password1", "new_password2"]

# Rate limits (django-ratelimit counters in the shared Redis cache; fail open if Redis is down).
RATELIMIT_USE_CACHE = "default"
RATELIMIT_FAIL_OPEN = True
VIVIDLY_RATE_LIMITS = {
    "auth_ip": env.str("RATE_LIMIT_AUTH_IP", default="300/15m"),
    "api_user_minute": env.str("RATE_LIMIT_API_MINUTE", default="60/m"),
    "api_user_hour": env.str("RATE_LIMIT_API_HOUR", default="1000/h"),
    "lesson_request": env.str("RATE_LIMIT_LESSON", default="10/h"),
    "lesson_regenerate": env.str("RATE_LIMIT_REGENERATE", default="5/h"),
}

# Content Security Policy (django-csp 4): same-origin only. htmx and Plyr are served from /static/;
# Plyr plays media from our origin or blob: URLs. Inline <script>/<style> need {{ request.csp_nonce }}.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", "blob:"],
        "media-src": [SELF, "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": [NONE],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    },
}
