"""Log lines as JSON objects (LOG_FORMAT=json, the production default). Loaded by the logging set-up,
before the apps are: it imports nothing of ours until it formats a line."""

import json
import logging


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the id of the request being served (the X-Request-ID the access
    log records), so that a log line and an access-log row can be matched."""

    def format(self, record):
        from audit.context import current_request  # noqa: PLC0415  (loaded with the logging set-up, before the apps)

        # Django's request log lines carry their request; others happen while one is being served.
        request = getattr(record, "request", None) or current_request()
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(request, "audit_request_id", "") if request is not None else ""
        if request_id:
            line["request_id"] = request_id
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)
