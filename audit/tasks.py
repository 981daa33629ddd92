"""The access log's periodic jobs (config/settings/base.py, CELERY_BEAT_SCHEDULE). Thin: each calls
the service its management command calls; both are safe to run twice or at the same time."""

from celery import shared_task

from audit.archive import audit_log_archive_expired
from audit.chain import audit_log_seal, audit_log_head_describe


@shared_task
def seal_audit_log() -> str:
    """Every minute. Sealers take turns (a lock on PostgreSQL, the write lock on SQLite): two workers
    never fork the chain. The head goes to the worker's log, a checkpoint kept outside the database."""
    sealed = audit_log_seal()
    return f"Sealed {sealed} event(s). {audit_log_head_describe()}"


# Longer than the other jobs: the first archive of an old log may move millions of rows.
@shared_task(soft_time_limit=2 * 60 * 60, time_limit=2 * 60 * 60 + 600)
def archive_audit_log() -> str:
    """Daily, on the `archive` queue (it must run as the tables' owner): what AUDIT_RETENTION_DAYS lets go."""
    report = audit_log_archive_expired()
    if report is None:
        return "Nothing to archive."
    return f"Archived {report.archived} event(s) to {report.path} (sha256 {report.sha256}); the chain resumes from seal {report.anchor_position}, hash {report.anchor_hash}."
