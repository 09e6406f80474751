"""Every page, as each demo role, with what a careless or hostile user sends: no 500.

The schema fuzz covers the API; this covers the pages. On the seeded demo (built once for the
module, rolled back at the end) each role starts at the home page, follows its links breadth
first (at most a few URLs of each shape), and submits every form it finds with broken values:
every field empty, text where numbers go, numbers far out of range, a NUL byte, a long string,
a repeated field. Any response of 500 or more fails, with the requests that led to it.
"""

import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from apps.accounts.models import User

ROLES = ["resident", "member", "group_leader", "grid_worker", "secretary", "administrator"]
MAX_PAGES = 160  # per role
PER_SHAPE = 2  # URLs of one shape (digits folded) visited per role
SKIP = re.compile(r"^/(logout|admin|api|static|media|i18n)/|\.(pdf|xlsx|csv|png|jpg)$")
BROKEN = [
    lambda name: "",
    lambda name: "abc",
    lambda name: "1e9",
    lambda name: "-99999999999999999999",
    lambda name: "x\x00y",
    lambda name: "长" * 5000,
]


class _Page(HTMLParser):
    """The links and forms of one HTML page (standard library only)."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self._form = {
                "action": attrs.get("action") or "",
                "method": (attrs.get("method") or "get").lower(),
                "fields": {},
            }
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea", "button"):
            name = attrs.get("name")
            if name and attrs.get("type") not in ("file",):
                self._form["fields"].setdefault(name, attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def _shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", scale=1, verbosity=0)
        yield
        transaction.set_rollback(True)


def _crawl(client: Client, start: str = "/"):
    seen_shapes: Counter = Counter()
    seen: set[str] = set()
    queue = deque([start])
    forms: dict[str, tuple[str, dict]] = {}
    failures: list[str] = []
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if path in seen or seen_shapes[_shape(path)] >= PER_SHAPE:
            continue
        seen.add(path)
        seen_shapes[_shape(path)] += 1
        response = client.get(path)
        if response.status_code >= 500:
            failures.append(f"GET {path} → {response.status_code}")
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Page()
        parser.feed(response.content.decode("utf-8", "replace"))
        for href in parser.links:
            target = urlsplit(urljoin(path, href))
            if target.netloc or SKIP.search(target.path):
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
        for form in parser.forms:
            action = urlsplit(urljoin(path, form["action"] or path))
            if action.netloc or SKIP.search(action.path):
                continue
            key = f"{form['method']} {_shape(action.path)} {sorted(form['fields'])}"
            forms.setdefault(key, (action.path, form))
    return seen, forms, failures


def _submit_broken(client: Client, path: str, form: dict) -> list[str]:
    failures = []
    fields = {k: v for k, v in form["fields"].items() if k != "csrfmiddlewaretoken"}
    for broken in BROKEN:
        data = {name: broken(name) for name in fields}
        send = client.post if form["method"] == "post" else client.get
        response = send(path, data)
        if response.status_code >= 500:
            failures.append(f"{form['method'].upper()} {path} {list(data)} = {broken('')[:20]!r}")
    # The same field twice with different values, and the form's own values but one broken.
    if fields:
        repeated = {name: ["1", "abc"] for name in fields}
        response = (client.post if form["method"] == "post" else client.get)(path, repeated)
        if response.status_code >= 500:
            failures.append(f"{form['method'].upper()} {path} repeated fields")
        for name in fields:
            data = {**fields, name: "x\x00" + "9" * 30}
            response = (client.post if form["method"] == "post" else client.get)(path, data)
            if response.status_code >= 500:
                failures.append(f"{form['method'].upper()} {path} {name} broken")
    return failures


@pytest.mark.parametrize("role", ROLES)
def test_no_page_or_form_answers_500(demo, db, role):
    user = User.objects.get(username=role)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    seen, forms, failures = _crawl(client)
    assert len(seen) >= 10, seen
    assert len(forms) > 0
    for path, form in forms.values():
        failures += _submit_broken(client, path, form)
    assert not failures, "\n".join(failures)


def test_anonymous_pages_answer_without_500(demo, db):
    client = Client(raise_request_exception=False)
    _seen, forms, failures = _crawl(client, "/login/")
    for path, form in forms.values():
        failures += _submit_broken(client, path, form)
    assert not failures, "\n".join(failures)
