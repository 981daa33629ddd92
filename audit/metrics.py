"""The access log's counters for the metrics endpoint (config/observability.py): rows written, and
writes that failed (each failure is a page refused: the log never fails open)."""

from prometheus_client import Counter

AUDIT_ROWS_WRITTEN = Counter("km_audit_rows_written", "Access-log rows written (committed or not).")
AUDIT_WRITE_FAILURES = Counter("km_audit_write_failures", "Access-log writes the database refused.")
