"""A real browser (Debian's chromium driven by Playwright) through the dashboard and /docs: forms
with their CSRF tokens, the key shown once, and the API reference rendered from this origin only
(no CDN, and nothing blocked by the page's Content-Security-Policy)."""

from __future__ import annotations

import shutil
import uuid

import pytest
from playwright import sync_api as playwright

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture()
def page(api_url):
    if CHROMIUM is None:  # never a skip: .ci/run installs it (apt-get install -y chromium)
        pytest.fail("chromium is not installed: apt-get install -y chromium")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.foreign, page.errors = [], []
        page.on("request", lambda r: None if r.url.startswith(api_url) else page.foreign.append(r.url))
        page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
        yield page
        context.close()
        browser.close()


def sign_up(page, api_url: str, who: str) -> str:
    """Sign a new account up through the form; returns its email, the page left on /app."""
    email = f"{who.lower()}-{uuid.uuid4().hex[:8]}@example.com"
    page.goto(f"{api_url}/signup")
    page.fill("input[name=account]", f"{who} {uuid.uuid4().hex[:6]}")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "a browser password")
    page.click("button[type=submit]")
    page.wait_for_url(f"{api_url}/app")
    return email


def test_sign_up_create_a_key_and_read_the_reference(page, api_url):
    email = sign_up(page, api_url, "Browser")
    assert page.text_content("#plan") == "trial"
    assert email in page.text_content("header")

    page.click("text=API keys")
    page.fill("input[name=name]", "from the browser")
    page.check("input[value=manage]")
    page.click("text=Create key")
    key = page.text_content("#new-key").strip()
    assert key.startswith("pk_live_")
    row = page.locator("#keys tbody tr").first
    assert "from the browser" in row.text_content() and "render, read, manage" in row.text_content()
    page.goto(f"{api_url}/app/api-keys")  # shown once: the page (no-store) is gone once you leave it
    assert page.locator("#new-key").count() == 0

    page.goto(f"{api_url}/docs")
    page.wait_for_selector("text=Create an API key")
    assert page.locator(".opblock").count() >= 15
    assert page.foreign == [], page.foreign
    assert not [e for e in page.errors if "Content Security Policy" in e], page.errors


def test_log_out_ends_the_session(page, api_url):
    sign_up(page, api_url, "Bye")
    page.click("text=Log out")
    page.wait_for_url(f"{api_url}/login")
    page.goto(f"{api_url}/app/settings")
    assert "/login" in page.url
