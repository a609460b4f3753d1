"""One translation catalogue for the pages (gettext `.po`, read with Babel): Ukrainian by
default, English with `?lang=en`, remembered in a cookie. Message ids are the English text, so
English needs no catalogue of its own and a missing Ukrainian entry shows (and is tested) as such."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from litestar import Request

LANGUAGES = ("uk", "en")
DEFAULT = "uk"
COOKIE = "shelterbeds_lang"
DOMAIN = "pages"


def catalogue_path(lang: str) -> Any:
    return files("services.beds.pages") / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def catalogue(lang: str) -> Catalog | None:
    if lang == "en":
        return None
    with catalogue_path(lang).open("rb") as po:
        return read_po(po, locale=lang, domain=DOMAIN)


@cache
def _messages(lang: str) -> dict[str, str]:
    found = catalogue(lang)
    if found is None:
        return {}
    return {str(m.id): str(m.string) for m in found if m.id and m.string and not m.fuzzy}


def translate(lang: str, message: str, **values: Any) -> str:
    text = _messages(lang).get(message, message)
    return text % values if values else text


def chosen(request: Request[Any, Any, Any]) -> tuple[str, bool]:
    """The page's language, and whether it was asked for just now (then it is remembered)."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked, True
    remembered = request.cookies.get(COOKIE)
    return (remembered if remembered in LANGUAGES else DEFAULT), False
