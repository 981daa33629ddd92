"""Load: the cluster's users at work (make loadtest; ops/loadtest runs it against https://127.0.0.1:8443).

Members read the library, search, build briefings and print PDFs; society admins open their members
pages; focal points review the access log and export it. Each simulated person is one of the accounts
bench/loadtest_setup.py signed in (their session cookie, from LOADTEST_PEOPLE). Every response is
checked (status, and that it is the page asked for, not a sign-in page); the request id of every 200
answer of an audited page is written to LOADTEST_IDS, to reconcile with the access log afterwards.
"""

import itertools
import json
import os
import random
import re
import threading

from locust import HttpUser, between, events, task

PEOPLE = json.load(open(os.environ["LOADTEST_PEOPLE"], encoding="utf-8"))
IDS_PATH = os.environ["LOADTEST_IDS"]
CA = os.environ.get("LOADTEST_CA", True)
COOKIE = "__Host-sessionid"
IDENTIFIERS = ["GEN-01", "GEN-05", "DET-01", "DET-04", "CHA-02", "BAS-03", "STA-02", "GCO-05", "PRO-01", "INC-01"]
SECTIONS = ["general-information", "detention-deportation", "challenges", "global-compact"]
QUERIES = ["detention", "children", "non-refoulement", "health", "family links", "protection of migrants", "xenophobia"]
_people = {kind: itertools.cycle([p for p in PEOPLE if p["kind"] == kind]) for kind in ("member", "society_admin", "focal_point")}
_lock = threading.Lock()
_ids = open(IDS_PATH, "a", encoding="utf-8")


def _audited(response, kind):
    if response.status_code == 200 and response.headers.get("X-Request-ID"):
        with _lock:
            _ids.write(f"{kind} {response.headers['X-Request-ID']}\n")


class _Person(HttpUser):
    abstract = True
    kind = ""

    def on_start(self):
        with _lock:
            self.person = next(_people[self.kind])
        self.client.verify = CA
        self.client.cookies.set(COOKIE, self.person["session"], domain="127.0.0.1", path="/")

    def page(self, path, name, *, audited=True, expect=200, pdf=False, csv=False):
        with self.client.get(path, name=name, catch_response=True, allow_redirects=False) as response:
            if response.status_code != expect:
                response.failure(f"HTTP {response.status_code} {response.headers.get('Location', '')}")
            elif pdf and not response.content.startswith(b"%PDF"):
                response.failure("not a PDF")
            elif csv and not response.headers.get("Content-Type", "").startswith("text/csv"):
                response.failure("not a CSV")
            elif not (pdf or csv) and expect == 200 and b"<main" not in response.content:
                response.failure("not a page")
            else:
                response.success()
                if audited:
                    _audited(response, name)
            return response


class Member(_Person):
    weight = 8
    kind = "member"
    wait_time = between(1, 4)

    @task(6)
    def read_a_message(self):
        self.page(f"/documents/migration-americas/messages/{random.choice(IDENTIFIERS)}/", "message")

    @task(2)
    def read_a_section(self):
        self.page(f"/documents/migration-americas/sections/{random.choice(SECTIONS)}/", "section")

    @task(2)
    def library_home(self):
        self.page("/", "home")

    @task(3)
    def search(self):
        self.page(f"/search/?q={random.choice(QUERIES)}", "search")

    @task(1)
    def briefing(self):
        page = self.page("/briefings/", "briefings", audited=False)  # a list of titles: no content shown
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content or b"")
        if not token:
            return
        with self.client.post(
            "/briefings/new/", name="briefing create",
            data={"csrfmiddlewaretoken": token.group(1).decode(), "title": "Load test briefing", "occasion": "meeting",
                  "message": random.sample(IDENTIFIERS, 3)},
            headers={"Referer": "https://127.0.0.1:8443/briefings/"}, catch_response=True, allow_redirects=False,
        ) as response:
            if response.status_code != 302 or "/briefings/" not in response.headers.get("Location", ""):
                response.failure(f"HTTP {response.status_code}")
            else:
                response.success()
                self.page(response.headers["Location"], "briefing")

    @task(1)
    def print_a_section(self):
        self.page(f"/documents/migration-americas/sections/{random.choice(SECTIONS)}/pdf/", "pdf", pdf=True)


class SocietyAdmin(_Person):
    weight = 1
    kind = "society_admin"
    wait_time = between(2, 6)

    @task
    def members(self):
        slug = "colombia" if "colombia" in self.person["email"] else "mexico"
        self.page(f"/society/{slug}/members/", "members", audited=False)


class FocalPoint(_Person):
    weight = 1
    kind = "focal_point"
    wait_time = between(2, 6)

    @task(4)
    def access_log(self):
        self.page("/audit/", "console", audited=False)

    @task(1)
    def export(self):
        self.page("/audit/export.csv", "export", audited=False, csv=True)


@events.quitting.add_listener
def _close(environment, **kwargs):
    _ids.close()
