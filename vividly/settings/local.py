"""Development on one laptop: embedded Postgres/Redis (started by `manage.py devservices`)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=True)  # staff only elsewhere (vividly/api_docs.py)
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
