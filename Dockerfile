# syntax=docker/dockerfile:1
#
# Key Messages: production image. Build:  docker compose build   (or: docker build -t keymessages .)
# Configuration comes from the environment at run time (see .env.example and docs/DEPLOYMENT.md).
#
# BASE_IMAGE: any Debian bookworm image with Python 3.11 as `python` (venv and pip included). CI, where
# no registry serves python:3.11-slim, builds a stand-in from Debian's packages (.ci/image-smoke).
# Behind a TLS-intercepting proxy, give pip the proxy's CA bundle as a secret; it is not kept in the image:
#   docker build --secret id=pip_cert,src=/etc/ssl/certs/ca-certificates.crt -t keymessages .
ARG BASE_IMAGE=python:3.11-slim

# --- Stage 1: install the runtime dependencies into a virtualenv -----------------------------
FROM ${BASE_IMAGE} AS deps

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"

# Runtime requirements only (requirements-dev.txt is not installed, nor copied). pip's cache is a build
# cache mount: kept between builds on the build host, never in the image.
COPY requirements.txt /tmp/requirements.txt
RUN --mount=type=cache,target=/root/.cache/pip \
    --mount=type=secret,id=pip_cert \
    if [ -s /run/secrets/pip_cert ]; then export PIP_CERT=/run/secrets/pip_cert; fi \
    && pip install -r /tmp/requirements.txt


# --- Stage 2: the image that runs ------------------------------------------------------------
FROM ${BASE_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH="/opt/venv/bin:$PATH" \
    DJANGO_SETTINGS_MODULE=config.settings.production

# WeasyPrint (the PDFs) needs Pango and a font; the same packages as the Makefile's system-deps,
# without gettext (the compiled .mo files are in the repository).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Unprivileged user that runs the application; the code stays owned by root (read-only for it).
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin app

WORKDIR /app
COPY --from=deps /opt/venv /opt/venv
COPY . /app

# collectstatic imports the production settings, which refuse to load without a long secret:
# give it a throwaway value for this one command only (it is not kept in the image's ENV).
RUN DJANGO_SECRET_KEY="build-only-throwaway-key-for-collectstatic-never-used-at-run-time-0000" \
    python manage.py collectstatic --noinput \
    && chmod -R a+rX /app

# The one place the app's user writes: beat's schedule and the access-log archives (volumes in
# docker-compose.yml; a new named volume takes this folder's owner).
RUN mkdir -p /app/var/archive && chown -R app:app /app/var

USER app

EXPOSE 8000

# /healthz answers 200 "ok" when the database answers. The request carries an allowed Host
# (the first concrete entry of DJANGO_ALLOWED_HOSTS) and X-Forwarded-Proto: https, so that
# neither the host check nor the HTTPS redirect of the production settings gets in the way.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request as u; hosts = [h.strip().lstrip('.') for h in os.environ.get('DJANGO_ALLOWED_HOSTS', 'localhost').split(',') if h.strip() and '*' not in h]; req = u.Request('http://127.0.0.1:8000/healthz', headers={'Host': (hosts or ['localhost'])[0], 'X-Forwarded-Proto': 'https'}); sys.exit(0 if u.urlopen(req, timeout=4).status == 200 else 1)"]

# Migrations, cache table and canonical content are applied at each start, then CMD runs.
ENTRYPOINT ["/bin/sh", "/app/docker/entrypoint.sh"]
CMD ["gunicorn", "config.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--workers", "3", \
     "--timeout", "60", \
     "--graceful-timeout", "25", \
     "--keep-alive", "5", \
     "--max-requests", "1000", \
     "--max-requests-jitter", "100", \
     "--worker-tmp-dir", "/dev/shm", \
     "--no-control-socket", \
     "--access-logfile", "-", \
     "--error-logfile", "-"]
