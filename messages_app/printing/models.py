"""Prints and PDFs: each has a trace code printed on every page, and its watermark kept here."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Print(models.Model):
    """One print or PDF, as its pages are watermarked. Written with its access-log row, in the same
    transaction; the print's watermark stylesheet and the uniqueness of trace codes read this table,
    never the access log (whose old rows are archived away)."""

    trace_code = models.CharField(max_length=16, unique=True)
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # The watermark as printed: who, of which organisation, when, on which paper.
    reader_name = models.CharField(max_length=300)
    reader_email = models.CharField(max_length=254)
    organisation = models.CharField(max_length=200, blank=True)
    paper = models.CharField(max_length=10)
    kind = models.CharField(max_length=20)
    format = models.CharField(max_length=10)
    printed_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.trace_code
