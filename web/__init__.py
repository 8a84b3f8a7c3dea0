"""The Flask application for the secretariat, the ministries and the auditors."""

from __future__ import annotations

from flask import Flask

from workflow import db as wdb
from workflow.deadlines import policy

from . import config, transaction
from .extensions import babel, bootstrap, csrf, db, login_manager, migrate


def create_app(test_config: dict | None = None, *, serving: bool = True) -> Flask:
    """The application; ``serving=False`` for commands that only render (no secret key)."""
    # Settings are read and validated once, here: a wrong one stops the start.
    policy.configure()
    # The app runs each view inside the request's one transaction (web/transaction.py).
    app = transaction.TransactionalFlask(__name__, instance_path=str(wdb.instance_path()))
    app.config.from_mapping(config.from_environment(wdb.instance_path(), serving=serving))
    if test_config:
        app.config.update(test_config)

    if app.config.get("FOLLOWUP_TRUSTED_PROXIES"):
        # Behind a reverse proxy: the client's address (for the log-in lock-out) and the
        # scheme come from the proxy's X-Forwarded-* headers, trusting that many hops.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["FOLLOWUP_TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(wdb.MIGRATIONS))
    csrf.init_app(app)
    login_manager.init_app(app)
    # the pages' base is Bootstrap 5 from Bootstrap-Flask, always served locally: no CDN
    app.config["BOOTSTRAP_SERVE_LOCAL"] = True
    bootstrap.init_app(app)
    with app.app_context():
        wdb.configure_engine(db.engine)

    from . import i18n

    i18n.init_app(app, babel)
    from . import labels

    labels.init_app(app)

    from . import auth, errors, hardening, input_guard, throttle

    auth.init_app(app)
    errors.init_app(app)
    input_guard.init_app(app)
    throttle.init_app(app)
    hardening.init_app(app)
    transaction.init_app(app)

    for blueprint in _blueprints():
        app.register_blueprint(blueprint)
    app.add_url_rule("/", "home", _home)
    app.add_url_rule("/favicon.ico", "favicon", _favicon)
    return app


def _favicon():
    # browsers ask for /favicon.ico by themselves, whatever the page's <link rel="icon">
    from flask import redirect, url_for

    return redirect(url_for("static", filename="favicon.svg"), code=301)


# Where each role starts; an area's blueprint registers the endpoint.
ROLE_HOME = {"secretariat": "secretariat.dashboard", "ministry": "ministry.inbox",
             "auditor": "audit.index"}


def _home():
    from flask import redirect, url_for
    from flask_login import current_user

    if not current_user.is_authenticated:  # visitors start on the public side's home
        from .public.routes import home

        return home()
    return redirect(url_for(ROLE_HOME[current_user.role]))


def _blueprints():
    """One blueprint per area; each module exposes ``bp``."""
    from .admin import bp as admin_bp
    from .api import bp as api_bp
    from .audit import bp as audit_bp
    from .auth import bp as auth_bp
    from .cases import bp as cases_bp
    from .comments import bp as comments_bp
    from .ministry import bp as ministry_bp
    from .notifications import bp as notifications_bp
    from .public import bp as public_bp
    from .questions import bp as questions_bp
    from .reports import bp as reports_bp
    from .secretariat import bp as secretariat_bp

    return [auth_bp, cases_bp, secretariat_bp, ministry_bp, audit_bp, admin_bp,
            api_bp, public_bp, notifications_bp, questions_bp, reports_bp, comments_bp]
