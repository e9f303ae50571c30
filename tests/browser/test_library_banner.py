"""The "Preparing the library" banner in a real browser: shown on the catalogue while a book is
being prepared, updated by its own htmx poll (no reload) once every book is ready."""

import pytest

from content.tests.student_fixtures import make_interests
from ingestion.library_status import forget
from ingestion.models import LibraryBook
from tests.browser.conftest import audit, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BOOKS = [("physics", "physics", "ready", 100), ("chemistry-2e", "chemistry", "preparing", 40),
         ("biology-2e", "biology", "waiting", 0)]


def test_catalogue_shows_the_preparing_banner_until_the_library_is_ready(page, tenant_a):
    student = tenant_a.student
    make_interests(student)
    for position, (slug, subject, state, percent) in enumerate(BOOKS):
        LibraryBook.objects.create(book_slug=slug, subject=subject, position=position, state=state,
                                   percent=percent)
    forget()
    sign_in(page, student.email, tenant_a.password)
    page.goto("/student/topics/")
    banner = page.locator("#library-status")
    assert banner.get_attribute("data-library-status") == "preparing"
    assert "Preparing the library: Physics ready, Chemistry 40%, Biology waiting" in banner.inner_text()
    assert banner.get_attribute("role") == "status"
    audit(page, "catalogue-library-preparing", fits_phone=True)

    LibraryBook.objects.update(state=LibraryBook.State.READY, percent=100)
    forget()
    page.locator("#library-status[data-library-status=ready]").wait_for(timeout=20_000)  # the poll, no reload
    assert "The library is ready" in page.locator("#library-status").inner_text()
