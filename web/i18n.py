"""Languages: Dutch, French and English. The user's own setting wins, then the
language chosen in this browser session, then the browser's Accept-Language.

The catalogues (web/translations/*/LC_MESSAGES/messages.po) are compiled when
the app starts, into the instance folder, so a fresh checkout needs no extra
build step and the compiled files never go stale.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request, session
from flask_login import current_user

SOURCE = Path(__file__).resolve().parent / "translations"


def compile_catalogs(target: Path) -> Path:
    for po_path in SOURCE.glob("*/LC_MESSAGES/messages.po"):
        lang = po_path.parent.parent.name
        out = target / lang / "LC_MESSAGES" / "messages.mo"
        out.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=lang)
        with out.open("wb") as mo_file:
            write_mo(mo_file, catalog)
    return target


def select_locale() -> str:
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    if current_user.is_authenticated and getattr(current_user, "locale", None) in languages:
        return current_user.locale
    if session.get("lang") in languages:
        return session["lang"]
    return request.accept_languages.best_match(languages) or current_app.config[
        "BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask, babel) -> None:
    target = compile_catalogs(Path(app.instance_path) / "translations")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(target)
    babel.init_app(app, locale_selector=select_locale,
                   timezone_selector=lambda: app.config["BABEL_DEFAULT_TIMEZONE"])

    @app.context_processor
    def _languages():
        from flask_babel import get_locale

        return {"languages": app.config["LANGUAGES"], "current_locale": str(get_locale())}
