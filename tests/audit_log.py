"""Helpers of the access-log tests: an event's actor columns, and the verifier's output."""

from io import StringIO

from django.core.management import call_command

from national_societies.models import Membership


def actor_fields(user) -> dict:
    """The actor columns of an event, as `audit_record` fills them: the user's membership as it is now."""
    if user is None:
        return {}
    membership = Membership.objects.select_related("national_society").get(user=user)
    return {
        "actor_user_id": user.pk,
        "actor_email": user.email,
        "actor_organisation_id": membership.national_society_id,
        "actor_organisation": membership.national_society.name,
        "actor_role": membership.role,
    }


def verify_command(*args):
    """(exit code, stdout, stderr) of `manage.py verify_audit_log`."""
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit_log", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()
