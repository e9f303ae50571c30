"""Settings shared by every environment, split by topic under `components/` (cookiecutter-style).

All environment access happens in the components, via django-environ (`components/environment.py`).
Environment-specific modules (local, production, test) only override. One topic, one file:

  environment  paths, .env, embedded service ports      core           apps, middleware, templates
  data         database, cache, sessions                 celery         queues, task modules, beat schedule
  security     users, passwords, lockout, limits, CSP    api            DRF, JWT, API schema
  storage      static, media, private exports            mail           SMTP
  providers    VIVIDLY_PROVIDERS, Google, breakers       lessons        generation, student experience, flags
  corpus       the OpenStax corpus                       privacy        retention, erasure, exports
  observability  logs, Sentry, request ids, metrics
"""

from .components.api import *  # noqa: F403
from .components.celery import *  # noqa: F403
from .components.core import *  # noqa: F403
from .components.corpus import *  # noqa: F403
from .components.data import *  # noqa: F403
from .components.environment import *  # noqa: F403
from .components.environment import env  # noqa: F401  (local/production/test read the environment too)
from .components.lessons import *  # noqa: F403
from .components.mail import *  # noqa: F403
from .components.observability import *  # noqa: F403
from .components.observability import build_logging  # noqa: F401  (test.py rebuilds LOGGING)
from .components.privacy import *  # noqa: F403
from .components.providers import *  # noqa: F403
from .components.security import *  # noqa: F403
from .components.storage import *  # noqa: F403
