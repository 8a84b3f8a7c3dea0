"""Security headers on every response.

A small after-request hook rather than Flask-Talisman: the policy is a handful of fixed
headers, and the pages need nothing Talisman adds (no inline scripts or styles, so no
nonces). The Content-Security-Policy allows scripts, styles, images and fonts from this
site only, no inline code, no framing by another site, forms posting only here.
HSTS is sent in production (``FOLLOWUP_ENV``), where the site is served over HTTPS.
Every page gets the same policy: even the lifecycle diagram is drawn on the server as
inline SVG coloured by the stylesheet (:mod:`workflow.lifecycle_svg`), with no style
attribute or element to allow.
"""

from __future__ import annotations

from flask import Flask

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    strict_transport = app.config.get("FOLLOWUP_ENV") == "production"

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if strict_transport:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
