"""The production image installs what the app needs at run time: the recipe is checked against the
Makefile's system packages, which this very test run proves sufficient (CI also builds the image and
smoke-tests it: .ci/image-smoke)."""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings

pytestmark = pytest.mark.db_independent  # no test here touches the database

ROOT = Path(settings.BASE_DIR)


def _makefile_packages(variable):
    match = re.search(rf"^{variable} := (.+)$", (ROOT / "Makefile").read_text(), re.M)
    return set(match.group(1).split())


def test_the_image_installs_the_system_packages_the_pdfs_need():
    dockerfile = (ROOT / "Dockerfile").read_text()
    runtime_stage = re.split(r"^FROM ", dockerfile, flags=re.M)[-1]  # the stage that runs, not the build stage
    command = re.search(r"apt-get install ([^\\\n]+)", runtime_stage).group(1)
    installed = {word for word in command.split() if not word.startswith("-")}
    assert installed == _makefile_packages("SYSTEM_PACKAGES") - {"gettext"}



def test_the_shipped_setup_runs_the_app_as_the_runtime_role_and_migrates_as_the_owner():
    """docs/DEPLOYMENT.md, "Two database roles": the owner migrates, the app connects as the role that
    may only add and read access-log rows (its grants are tested in tests/audit/test_runtime_role.py)."""
    compose = (ROOT / "docker-compose.yml").read_text()
    entrypoint = (ROOT / "docker" / "entrypoint.sh").read_text()
    assert "MIGRATION_DATABASE_URL: postgres://${POSTGRES_USER" in compose
    assert "DATABASE_URL: postgres://${DATABASE_APP_ROLE:-keymessages_app}:${DATABASE_APP_PASSWORD" in compose
    assert 'DATABASE_URL="$owner_url" python manage.py migrate' in entrypoint
    assert "grant_runtime_privileges" in entrypoint and "--password-env DATABASE_APP_PASSWORD" in entrypoint
    assert entrypoint.rstrip().endswith('exec "$@"')  # gunicorn then runs with the runtime DATABASE_URL


def test_the_shipped_setup_runs_the_jobs_worker_archiver_and_one_beat_on_redis():
    """README, "Background jobs": the worker and beat connect as the runtime role; archiving, which
    needs the archive permit, has its own worker connected as the owner; all start after `web` has
    migrated (they skip the entrypoint) and need Redis."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    runtime, owner = "postgres://${DATABASE_APP_ROLE", "postgres://${POSTGRES_USER"
    jobs = {name: services[name] for name in ("worker", "archiver", "beat")}
    assert jobs["worker"]["command"][:6] == ["celery", "-A", "config", "worker", "--queues", "celery"]
    assert jobs["archiver"]["command"][:6] == ["celery", "-A", "config", "worker", "--queues", "archive"]
    assert jobs["beat"]["command"] == ["celery", "-A", "config", "beat", "-s", "/app/var/celerybeat-schedule", "--loglevel", "INFO"]
    assert jobs["worker"]["environment"]["DATABASE_URL"].startswith(runtime)
    assert jobs["beat"]["environment"]["DATABASE_URL"].startswith(runtime)
    assert jobs["archiver"]["environment"]["DATABASE_URL"].startswith(owner)
    for job in jobs.values():
        assert job["image"] == services["web"]["image"] and job["entrypoint"] == []
        assert job["depends_on"] == {"web": {"condition": "service_healthy"}, "redis": {"condition": "service_healthy"}}
        assert job["environment"]["CELERY_BROKER_URL"] == "${CELERY_BROKER_URL:-redis://redis:6379/1}"
    assert "redis" in services and "MIGRATION_DATABASE_URL" not in jobs["worker"]["environment"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "mkdir -p /app/var/archive && chown -R app:app /app/var" in dockerfile


def test_the_shipped_topology_is_two_instances_behind_a_tls_proxy_migrated_once():
    """Issue "production on more than one machine": compose and `make cluster` describe the same
    topology — two app instances behind nginx with TLS, which retries idempotent requests only, one
    migration run before the instances start, one trusted proxy."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert services["web"]["deploy"]["replicas"] == "${WEB_REPLICAS:-2}"
    assert services["web"]["environment"]["SKIP_MIGRATIONS"] == "1" and "ports" not in services["web"]
    assert services["web"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["migrate"]["command"] == ["true"] and "MIGRATION_DATABASE_URL" in services["migrate"]["environment"]
    assert services["proxy"]["volumes"][0] == "./docker/nginx.conf:/etc/nginx/nginx.conf:ro"
    assert services["web"]["environment"]["DJANGO_TRUSTED_PROXY_COUNT"] == "${DJANGO_TRUSTED_PROXY_COUNT:-1}"
    entrypoint = (ROOT / "docker" / "entrypoint.sh").read_text()
    assert 'if [ "${SKIP_MIGRATIONS:-0}" != "1" ]; then' in entrypoint
    for config in (ROOT / "docker" / "nginx.conf", ROOT / "ops" / "nginx-cluster.conf"):
        text = config.read_text()
        assert "proxy_next_upstream error timeout http_502;" in text, config
        directives = [line.split("#", 1)[0] for line in text.splitlines()]
        assert not any("non_idempotent" in line for line in directives), config  # a POST is never replayed
        assert "X-Forwarded-For $remote_addr" in text and "X-Forwarded-Proto https" in text, config
    cluster = (ROOT / "ops" / "nginx-cluster.conf").read_text()
    assert "server 127.0.0.1:8101" in cluster and "server 127.0.0.1:8102" in cluster
