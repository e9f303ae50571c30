"""Template helpers for the Vividly design system (form widgets styled and wired for screen readers)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django import template

register = template.Library()

_WIDGET_CLASS = {"select": "select", "selectmultiple": "select", "textarea": "textarea",
                 "checkbox": "check", "radio": "check"}


@register.filter
def ui_widget(bound_field):
    """Render a bound field's widget with design-system classes, aria-invalid and aria-describedby."""
    widget = bound_field.field.widget
    kind = getattr(widget, "input_type", None) or widget.__class__.__name__.lower()
    attrs = {"class": " ".join(filter(None, [_WIDGET_CLASS.get(kind, "input"), widget.attrs.get("class")]))}
    described = []
    if bound_field.help_text:
        described.append(f"{bound_field.auto_id}_help")
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
        described.append(f"{bound_field.auto_id}_error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return bound_field.as_widget(attrs=attrs)


_IGNORED_BY_BROWSERS = re.compile(r"[\x00-\x20\x7f]")  # browsers drop these when parsing a URL


@register.filter
def safe_url(value) -> str:
    """`value` if it is an http(s) or same-site URL, else "": stored URLs (citations, media) never
    become javascript:, data: or vbscript: links. Use on every href built from data."""
    url = str(value or "").strip()
    scheme = urlsplit(_IGNORED_BY_BROWSERS.sub("", url)).scheme.lower()
    return url if scheme in {"", "http", "https"} else ""
