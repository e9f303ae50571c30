"""Paths and the environment: the one place that reads `.env`; every component takes `env` from here."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent.parent
VAR_DIR = BASE_DIR / ".var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Embedded dev services (see vividly/devservices.py) listen on these fixed loopback ports.
DEFAULT_EMBEDDED_POSTGRES_PORT, DEFAULT_EMBEDDED_REDIS_PORT = 55432, 56379
EMBEDDED_POSTGRES_PORT = env.int("EMBEDDED_POSTGRES_PORT", default=DEFAULT_EMBEDDED_POSTGRES_PORT)
EMBEDDED_REDIS_PORT = env.int("EMBEDDED_REDIS_PORT", default=DEFAULT_EMBEDDED_REDIS_PORT)
# True when the operator points us at real services; devservices then starts nothing.
EXTERNAL_DATABASE = bool(env.str("DATABASE_URL", default=""))
EXTERNAL_REDIS = bool(env.str("REDIS_URL", default=""))
