"""`{% load library %}{% library_status_banner %}`: the "Preparing the library…" banner (nothing once
every book is ready). `poll=False` where htmx is off (the admin): the banner then refreshes with the page."""

from django import template

from ingestion.library_status import POLL_SECONDS, library_status

register = template.Library()


@register.inclusion_tag("ingestion/partials/library_status.html")
def library_status_banner(poll: bool = True, finished: bool = False) -> dict:
    return {"status": library_status(), "poll": poll, "finished": finished, "poll_seconds": POLL_SECONDS}


@register.inclusion_tag("admin/ingestion/library_status.html")
def library_status_admin() -> dict:
    return {"status": library_status()}
