"""Rules that flag unusual reading in the access log. Thresholds come from settings.AUDIT_ALERTS.

Each rule scans a time window of events and returns flags; `audit_flags_detect` stores new ones
(a flag is unique per rule, subject and start, and a burst overlapping an existing flag of the same
rule and subject is that flag's burst, so scanning overlapping windows is harmless).
"""

import ipaddress
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from national_societies.permissions import PRIVILEGED_ROLES

from audit.models import Action, AuditEvent, AuditFlag

VIEWS = [Action.VIEWED_MESSAGE]
EXPORTS = [Action.PRINTED, Action.EXPORTED_LOG]


class Rule:
    MANY_MESSAGES = "many_messages"
    MANY_EXPORTS = "many_exports"
    REPEATED_DENIALS = "repeated_denials"
    FAILED_LOGINS = "failed_logins"
    NEW_NETWORK = "new_network"

    LABELS = {
        MANY_MESSAGES: _("Many messages read in a short time"),
        MANY_EXPORTS: _("Many prints or exports in a day"),
        REPEATED_DENIALS: _("Repeated denied access"),
        FAILED_LOGINS: _("Repeated failed sign-ins"),
        NEW_NETWORK: _("Privileged sign-in from a new network"),
    }


@dataclass
class Finding:
    rule: str
    subject: str
    window_start: datetime
    window_end: datetime
    events: list = field(default_factory=list)  # the AuditEvent rows behind the flag
    summary: str = ""


def _events(actions, start, end):
    return (
        AuditEvent.objects.filter(action__in=actions, occurred_at__gte=start, occurred_at__lt=end)
        .only(
            "id", "occurred_at", "actor_user_id", "actor_email", "actor_organisation_id",
            "actor_organisation", "actor_role", "message_identifier", "target_id", "ip",
        )
        .order_by("occurred_at", "id")
    )


def _sliding(events_by_subject, *, window: timedelta, threshold: int, distinct, rule, describe):
    """One finding per burst: more than `threshold` (distinct) items within `window`."""
    findings = []
    for subject, events in events_by_subject.items():
        in_window = deque()
        index = 0
        while index < len(events):
            event = events[index]
            in_window.append(event)
            while in_window and event.occurred_at - in_window[0].occurred_at > window:
                in_window.popleft()
            items = {distinct(e) for e in in_window} if distinct else in_window
            if len(items) > threshold:
                burst = list(in_window)
                # Extend the burst to every event within the window of its start, then move past it.
                end = burst[0].occurred_at + window
                index += 1
                while index < len(events) and events[index].occurred_at <= end:
                    burst.append(events[index])
                    index += 1
                count = len({distinct(e) for e in burst}) if distinct else len(burst)
                findings.append(
                    Finding(rule, subject, burst[0].occurred_at, burst[-1].occurred_at, burst, describe(count, burst))
                )
                in_window.clear()
                continue
            index += 1
    return findings


def _group(events, key):
    grouped = defaultdict(list)
    for event in events:
        grouped[key(event)].append(event)
    return grouped


def many_messages(start, end, config):
    window = timedelta(minutes=config["minutes"])
    events = list(_events(VIEWS, start - window, end))
    return _sliding(
        _group(events, lambda e: e.actor_email),
        window=window,
        threshold=config["messages"],
        distinct=lambda e: e.message_identifier,
        rule=Rule.MANY_MESSAGES,
        describe=lambda n, burst: f"{n} different messages in {config['minutes']} minutes",
    )


def many_exports(start, end, config):
    day_start = start.replace(hour=0, minute=0, second=0, microsecond=0)
    findings = []
    by_actor_day = _group(_events(EXPORTS, day_start, end), lambda e: (e.actor_email, e.occurred_at.date()))
    for (email, _day), events in by_actor_day.items():
        if len(events) > config["per_day"]:
            findings.append(
                Finding(
                    Rule.MANY_EXPORTS, email, events[0].occurred_at, events[-1].occurred_at, events,
                    f"{len(events)} prints or exports in one day",
                )
            )
    return findings


def repeated_denials(start, end, config):
    window = timedelta(minutes=config["minutes"])
    events = list(_events([Action.ACCESS_DENIED], start - window, end))
    return _sliding(
        _group(events, lambda e: e.actor_email),
        window=window,
        threshold=config["count"],
        distinct=None,
        rule=Rule.REPEATED_DENIALS,
        describe=lambda n, burst: f"{n} denied requests in {config['minutes']} minutes",
    )


def failed_logins(start, end, config):
    window = timedelta(minutes=config["minutes"])
    events = list(_events([Action.LOGIN_FAILED], start - window, end))
    findings = _sliding(
        _group(events, lambda e: e.target_id),
        window=window,
        threshold=config["count"],
        distinct=None,
        rule=Rule.FAILED_LOGINS,
        describe=lambda n, burst: f"{n} failed sign-ins for this address in {config['minutes']} minutes",
    )
    findings += _sliding(
        _group([e for e in events if e.ip], lambda e: f"ip:{e.ip}"),
        window=window,
        threshold=config["count"] * 2,
        distinct=None,
        rule=Rule.FAILED_LOGINS,
        describe=lambda n, burst: f"{n} failed sign-ins from this address in {config['minutes']} minutes",
    )
    return findings


def _network(ip, config):
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    prefix = config["prefix_v4"] if address.version == 4 else config["prefix_v6"]
    return ipaddress.ip_network(f"{address}/{prefix}", strict=False)


def new_network(start, end, config):
    findings = []
    logins = [e for e in _events([Action.LOGGED_IN], start, end) if e.actor_role in PRIVILEGED_ROLES and e.ip]
    lookback = timedelta(days=config["lookback_days"])
    for event in logins:
        earlier = (
            AuditEvent.objects.filter(
                action=Action.LOGGED_IN,
                actor_user_id=event.actor_user_id,
                occurred_at__gte=event.occurred_at - lookback,
                occurred_at__lt=event.occurred_at,
            )
            .exclude(ip=None)
            .values_list("ip", flat=True)
        )
        networks = {_network(ip, config) for ip in earlier}
        if networks and _network(event.ip, config) not in networks:
            findings.append(
                Finding(
                    Rule.NEW_NETWORK, event.actor_email, event.occurred_at, event.occurred_at, [event],
                    f"signed in from {_network(event.ip, config)}, not seen in {config['lookback_days']} days",
                )
            )
    return findings


RULES = {
    Rule.MANY_MESSAGES: many_messages,
    Rule.MANY_EXPORTS: many_exports,
    Rule.REPEATED_DENIALS: repeated_denials,
    Rule.FAILED_LOGINS: failed_logins,
    Rule.NEW_NETWORK: new_network,
}


def _already_flagged(finding) -> bool:
    """A flag of the same rule and subject whose window overlaps this one: the same burst, seen
    again by a later run whose scan starts inside it (so the burst seems to start later)."""
    return AuditFlag.objects.filter(
        rule=finding.rule,
        subject=finding.subject[:254],
        window_start__lte=finding.window_end,
        window_end__gte=finding.window_start,
    ).exists()


def audit_flags_detect(*, start=None, end=None) -> list[AuditFlag]:
    """Run every rule over [start, end) (default: the last 26 hours) and store the new flags."""
    end = end or timezone.now()
    start = start or end - timedelta(hours=26)
    created = []
    for name, rule in RULES.items():
        for finding in rule(start, end, settings.AUDIT_ALERTS[name]):
            if _already_flagged(finding):
                continue
            first = finding.events[0]
            try:
                with transaction.atomic():
                    created.append(
                        AuditFlag.objects.create(
                            rule=finding.rule,
                            subject=finding.subject[:254],
                            actor_user_id=first.actor_user_id,
                            actor_organisation_id=first.actor_organisation_id,
                            actor_organisation=first.actor_organisation,
                            window_start=finding.window_start,
                            window_end=finding.window_end,
                            event_ids=[e.id for e in finding.events][:500],
                            summary=finding.summary[:300],
                        )
                    )
            except IntegrityError:
                continue  # found by an earlier run
    return created
