"""Template helpers for the Vividly design system (form widgets styled and wired for screen readers)."""

from __future__ import annotations

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
