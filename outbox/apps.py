from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """Emails leave requests: the app's email backend stores them, a worker delivers them.

    A bottom layer beside the access log: it imports nothing of ours, and anything may send email
    through Django's usual `send_mail` without knowing it is there.
    """

    name = "outbox"
    verbose_name = "Outbox"
