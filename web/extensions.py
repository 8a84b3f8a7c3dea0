"""The Flask extension singletons, initialised by :func:`web.create_app`."""

from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from workflow.models import Base

# Flask-SQLAlchemy bound to the workflow's own declarative base.
db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
# Bootstrap 5's stylesheet, served from this site (the CSP allows no other origin).
bootstrap = Bootstrap5()
# Rate limits (the login's lock-out, web/throttle.py); storage from the configuration:
# memory for one server, Redis for several.
limiter = Limiter(key_func=get_remote_address)


@migrate.configure
def _alembic_url(config):
    """``flask db ...`` migrates the app's own database."""
    from flask import current_app

    config.set_main_option("sqlalchemy.url",
                           current_app.config["SQLALCHEMY_DATABASE_URI"].replace("%", "%%"))
    return config
