"""The reliability suite uses the web tests' app on a fresh demo database (PostgreSQL when
DATABASE_URL names one, else SQLite)."""

from tests.web.conftest import app, app_factory, client, db_url, demo_sqlite  # noqa: F401
