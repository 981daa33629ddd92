"""Settings of bench/sqlite_concurrency.py when it is given --sqlite-options (never used by the app).

config.settings.local — what `make run` serves — with the SQLite OPTIONS of DATABASES["default"]
replaced by the JSON in BENCH_SQLITE_OPTIONS, so that the bench can measure another configuration
(`{}`: Django's defaults, the state before config/settings/database.py) without editing the
settings everyone's working tree uses. Without BENCH_SQLITE_OPTIONS it is config.settings.local.
"""

import json
import os

from config.settings.local import *  # noqa: F403 (the settings of `make run`)
from config.settings.local import DATABASES

if os.environ.get("BENCH_SQLITE_OPTIONS") is not None:
    DATABASES = {"default": {**DATABASES["default"], "OPTIONS": json.loads(os.environ["BENCH_SQLITE_OPTIONS"])}}
