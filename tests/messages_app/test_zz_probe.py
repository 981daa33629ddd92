import pytest
from messages_app.models import Message, Section, Topic
def test_probe(library):
    for s in Section.objects.order_by("position") if hasattr(Section, "position") else Section.objects.all():
        msgs = Message.objects.filter(section=s, retired_in__isnull=True)
        print(s.key, s.parent_id, msgs.count(), sum(len(m.current_version.text) for m in msgs))
    for t in Topic.objects.all()[:50]:
        print("topic", t.slug, t.messages.count() if hasattr(t, "messages") else "")
    long = sorted(Message.objects.all(), key=lambda m: -len(m.current_version.text))[:5]
    for m in long: print(m.identifier, len(m.current_version.text))
    short = sorted(Message.objects.all(), key=lambda m: len(m.current_version.text))[:3]
    for m in short: print(m.identifier, len(m.current_version.text))
    print(Message.objects.count())
