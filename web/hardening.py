"""Security headers on every response.

A small after-request hook rather than Flask-Talisman: the policy is a handful of fixed
headers, and the pages need nothing Talisman adds (no inline scripts or styles, so no
nonces). The Content-Security-Policy allows scripts, styles, images and fonts from this
site only, no inline code, no framing by another site, forms posting only here.
HSTS is sent in production (``FOLLOWUP_ENV``), where the site is served over HTTPS.

One page relaxes one directive: the drawn lifecycle diagram (:func:`inline_styles_drawn`).
mermaid.js lays the drawing out in the browser and writes style attributes while doing so,
which ``style-src 'self'`` blocks. That page still runs only this site's scripts and shows
only text the server generated from the lifecycle declaration.
"""

from __future__ import annotations

from flask import Flask, current_app, request

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
DRAWING_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self'",
                                                 "style-src 'self' 'unsafe-inline'")


def inline_styles_drawn(view):
    """Mark a page whose drawing library writes style attributes (see the module doc)."""
    view.draws_inline_styles = True
    return view


def _policy() -> str:
    view = current_app.view_functions.get(request.endpoint or "")
    return DRAWING_POLICY if getattr(view, "draws_inline_styles", False) \
        else CONTENT_SECURITY_POLICY


def init_app(app: Flask) -> None:
    strict_transport = app.config.get("FOLLOWUP_ENV") == "production"

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("Content-Security-Policy", _policy())
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if strict_transport:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
