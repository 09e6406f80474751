"""The English catalogues are complete and compiled, and pages follow the chosen language."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
EN_CATALOGUES = sorted(
    [
        *ROOT.glob("locale/en/LC_MESSAGES/django.po"),
        *ROOT.glob("apps/*/locale/en/LC_MESSAGES/django.po"),
    ]
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file (header and obsolete `#~` entries left out)."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip()):
        entry = {"flags": set(), "msgctxt": None, "msgid_plural": None, "msgstr": {}}
        key = None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry = None
                break
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                value = ast.literal_eval(line)
                if isinstance(key, int):
                    entry["msgstr"][key] += value
                else:
                    entry[key] += value
            else:
                keyword, _, value = line.partition(" ")
                value = ast.literal_eval(value)
                if keyword.startswith("msgstr"):
                    key = int(keyword[7:-1]) if "[" in keyword else 0
                    entry["msgstr"][key] = value
                else:
                    key = keyword
                    entry[key] = value
        if entry is not None and entry.get("msgid"):
            entries.append(entry)
    return entries


def test_every_en_catalogue_is_found():
    names = {path.relative_to(ROOT).parts[0:2] for path in EN_CATALOGUES}
    assert ("locale", "en") in names
    assert len(EN_CATALOGUES) >= 3


@pytest.mark.parametrize("path", EN_CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_en_catalogue_is_complete_and_compiled(path):
    entries = parse_po(path)
    assert entries
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    empty = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    assert not fuzzy, f"fuzzy entries in {path}: {fuzzy}"
    assert not empty, f"untranslated entries in {path}: {empty}"
    for e in entries:
        wanted = sorted(PLACEHOLDER.findall(e["msgid"]))
        for value in e["msgstr"].values():
            assert sorted(PLACEHOLDER.findall(value)) == wanted, e["msgid"]
        if e["msgid_plural"] is not None:
            assert len(e["msgstr"]) == 2, e["msgid"]

    # The committed .mo matches the .po (someone ran compilemessages after the last edit).
    with open(path.with_suffix(".mo"), "rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog
    for e in entries:
        key = e["msgid"] if e["msgctxt"] is None else f"{e['msgctxt']}\x04{e['msgid']}"
        if e["msgid_plural"] is None:
            assert catalog.get(key) == e["msgstr"][0], e["msgid"]
        else:
            assert [catalog.get((key, i)) for i in (0, 1)] == [e["msgstr"][0], e["msgstr"][1]]


@pytest.mark.django_db
def test_login_page_is_chinese_by_default(client):
    body = client.get("/login/").content.decode()
    assert "登录" in body
    assert "Log in" not in body


@pytest.mark.django_db
def test_login_page_in_english_from_accept_language(client):
    body = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Log in" in body
    assert "Username or mobile number" in body
    assert "登录" not in body


@pytest.mark.django_db
def test_language_cookie_switches_pages_to_english(client, world):
    client.force_login(world.user("resident"))
    assert "心愿墙" in client.get("/wishes/").content.decode()

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/wishes/").content.decode()
    assert "Wish hall" in body
    assert "心愿墙" not in body


@pytest.mark.django_db
def test_grid_worker_page_in_both_languages(client, world):
    client.force_login(world.user("grid_worker"))
    response = client.get("/grids/worker/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "各层级待办问题" in body and "未结对的困难群众" in body

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/grids/worker/").content.decode()
    assert "Open problems by level" in body
    assert "Unpaired vulnerable residents" in body
    assert "各层级待办问题" not in body


@pytest.mark.django_db
def test_set_language_view_switches_to_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    assert "Log in" in client.get("/login/").content.decode()
