"""The accounts' periodic job (config/settings/base.py, CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django.conf import settings

from national_societies.services import dormant_accounts_suspend


@shared_task
def suspend_dormant_accounts() -> str:
    """Daily. Each account is checked again under a row lock, so overlapping runs suspend it once."""
    suspended = dormant_accounts_suspend(days=settings.DORMANT_ACCOUNT_DAYS)
    return f"Deactivated {len(suspended)} account(s) unused for {settings.DORMANT_ACCOUNT_DAYS} days."
