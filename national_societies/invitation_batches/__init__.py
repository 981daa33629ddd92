"""Inviting many people at once (issue 16, "Onboarding 200 people").

A list is pasted or uploaded as CSV (`lists.py` reads it and checks each line against the
organisation), the report says what each line would do, and nothing is sent before the admin confirms.
Confirming stores an `InvitationBatch` with the lines to invite (`services.py`); the background job
(national_societies/tasks.py) then sends them a few at a time, each through `invitation_create`.
"""
