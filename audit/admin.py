from django.contrib import admin

from core.admin import ReadOnlyAdmin

from audit.admin_reads import RecordedReadsAdmin
from audit.models import AuditEvent, AuditFlag, AuditSeal


@admin.register(AuditEvent)
class AuditEventAdmin(RecordedReadsAdmin, ReadOnlyAdmin):
    list_display = ["occurred_at", "actor_email", "actor_organisation", "action", "outcome", "message_identifier", "ip"]
    list_filter = ["action", "outcome", "actor_role"]
    search_fields = ["actor_email", "message_identifier", "request_id"]
    date_hierarchy = None  # no COUNT over the whole table
    show_full_result_count = False


@admin.register(AuditSeal)
class AuditSealAdmin(ReadOnlyAdmin):
    list_display = ["position", "event_id", "chain_hash", "sealed_at"]
    show_full_result_count = False


@admin.register(AuditFlag)
class AuditFlagAdmin(RecordedReadsAdmin, ReadOnlyAdmin):
    list_display = ["window_start", "rule", "subject", "actor_organisation", "notified_at"]
    list_filter = ["rule"]
