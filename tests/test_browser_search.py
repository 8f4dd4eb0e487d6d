"""In Chromium, against gunicorn: searching from the header box and following a result."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browsing import post, seed_thread_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def seeded(transactional_db):
    call_command("seed")


def test_search_from_the_header_and_follow_a_result_to_the_post(page):
    found = post("12")  # dr_dsh+12, the post quoting the lawsuit
    page.goto(page.base + "/")
    box = page.get_by_role("searchbox", name="Search posts")
    box.fill('"five billion" author:dr_dsh')
    box.press("Enter")
    expect(page).to_have_url(page.base + "/search?q=%22five+billion%22+author%3Adr_dsh")
    result = page.locator(f"#hit-{found.pk}")
    expect(result.locator("mark", has_text="billion").first).to_be_visible()
    expect(page.get_by_role("searchbox", name="Search posts")).to_have_value(
        '"five billion" author:dr_dsh'
    )
    result.get_by_role("link", name="dr_dsh+12").click()
    expect(page).to_have_url(f"{seed_thread_url(page)}#{found.pk}")
    expect(page.locator(f'article[id="{found.pk}"]')).to_be_in_viewport()
