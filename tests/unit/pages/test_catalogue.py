"""Every string the pages show goes through the one catalogue, and Ukrainian has them all."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

from services.beds.pages import i18n

PAGES = Path(__file__).resolve().parents[3] / "services" / "beds" / "pages"
TEMPLATES = PAGES / "templates"
JINJA = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)
TAG = re.compile(r"<[^>]*>", re.S)
SHOWN_ATTRIBUTES = re.compile(r'\b(?:placeholder|title|aria-label|alt|label)="([^"]*)"')
# A block that adds attributes to a tag (`{% block body_data %} data-site="…"`) leaves them loose.
LOOSE_ATTRIBUTE = re.compile(r'[\w-]+="[^"]*"')
LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


def used_messages() -> set[str]:
    found = extract_from_dir(str(TEMPLATES), method_map=[("**.html", "jinja2")], options_map={"**.html": {}})
    return {m if isinstance(m, str) else m[0] for _, _, m, _, _ in found}


def test_every_message_of_the_pages_has_a_ukrainian_translation() -> None:
    used = used_messages()
    assert len(used) > 50
    untranslated = sorted(m for m in used if i18n.translate("uk", m) == m)
    assert untranslated == []


def test_the_catalogue_keeps_no_message_nothing_uses() -> None:
    catalogue = i18n.catalogue("uk")
    assert catalogue is not None
    kept = {str(m.id) for m in catalogue if m.id}
    assert kept - used_messages() == set()


def test_no_template_shows_a_string_of_its_own() -> None:
    offenders = []
    for template in sorted(TEMPLATES.glob("*.html")):
        text = JINJA.sub("", template.read_text())
        between_tags = LOOSE_ATTRIBUTE.sub(" ", TAG.sub(" ", text))
        shown = [*between_tags.split(), *SHOWN_ATTRIBUTES.findall(text)]
        offenders += [f"{template.name}: {word}" for word in shown if LETTER.search(word)]
    assert offenders == []


def test_placeholders_survive_translation() -> None:
    for message in used_messages():
        names = set(re.findall(r"%\((\w+)\)s", message))
        assert set(re.findall(r"%\((\w+)\)s", i18n.translate("uk", message))) == names, message


def test_english_is_the_message_itself_and_unknown_languages_fall_back() -> None:
    assert i18n.translate("en", "Check in") == "Check in"
    assert i18n.translate("uk", "Check in") == "Заселити"
    assert i18n.translate("uk", "Since %(time)s", time="20:00") == "Since 20:00"
