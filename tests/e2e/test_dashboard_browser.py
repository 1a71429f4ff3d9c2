"""A real browser (Debian's chromium driven by Playwright) through the dashboard and /docs: forms
with their CSRF tokens, the key shown once, and the API reference rendered from this origin only
(no CDN, and nothing blocked by the page's Content-Security-Policy)."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
import requests
from playwright import sync_api as playwright

from tests.support.receiver import Receiver

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


SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _shoot(page, name: str) -> None:
    """Full-page screenshots at a desktop width and at a 390 px phone width; the page must not
    scroll sideways at either (tables scroll inside their own box)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height, label in ((1280, 900, "desktop"), (390, 844, "phone")):
        page.set_viewport_size({"width": width, "height": height})
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{name} scrolls sideways by {overflow} px at {width} px"
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _image_loaded(page, selector: str) -> None:
    page.wait_for_function(
        "s => { const i = document.querySelector(s); return i && i.complete && i.naturalWidth > 0; }",
        arg=selector,
        timeout=60_000,
    )


def test_the_whole_dashboard_in_a_browser(page, api_url):
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations of destructive actions
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{api_url}/signup")
    page.fill("input[name=account]", f"Full {uuid.uuid4().hex[:6]}")
    page.fill("input[name=email]", f"full-{uuid.uuid4().hex[:8]}@example.com")
    page.fill("input[name=password]", "a browser password")
    page.click("button[type=submit]")
    page.wait_for_url(f"{api_url}/app")
    assert "No renders yet" in page.text_content("main")
    _shoot(page, "overview-empty")

    page.click("nav >> text=API keys")
    page.fill("input[name=name]", "browser key")
    page.click("text=Create key")
    key = page.text_content("#new-key").strip()
    page.click("#copy-key")  # copies, or selects the key where the clipboard is not available
    _shoot(page, "api-keys")

    rendered = requests.post(
        f"{api_url}/api/v1/render",
        json={
            "type": "bar",
            "width": 400,
            "height": 300,
            "data": {"labels": ["a", "b"], "datasets": [{"label": uuid.uuid4().hex, "data": [3, 5]}]},
        },
        headers={"Authorization": f"Bearer {key}"},
        timeout=60,
    )
    assert rendered.status_code == 200, rendered.text
    job_id = rendered.headers["X-Job-Id"]

    page.click("nav >> text=Overview")
    assert page.text_content("#renders-this-month") == "1"
    page.wait_for_selector(f"#recent tr[data-job-id='{job_id}']")
    _image_loaded(page, f"#recent tr[data-job-id='{job_id}'] img.thumb")
    _shoot(page, "overview")

    page.click("nav >> text=Renders")
    page.wait_for_selector(f"#renders tr[data-job-id='{job_id}']")
    _shoot(page, "renders")
    page.click(f"#renders tr[data-job-id='{job_id}'] a")
    assert page.text_content("#render-status") == "succeeded"
    _image_loaded(page, "#render-image")
    _shoot(page, "render-detail")

    page.click("nav >> text=Usage & billing")
    _image_loaded(page, "#usage-chart")
    assert page.evaluate("document.querySelector('#usage-chart').naturalWidth") > 0
    assert page.text_content("#used") == "1"
    _shoot(page, "usage-billing")

    with Receiver([(200, {}, b"hello from the receiver")]) as receiver:
        page.click("nav >> text=Webhooks")
        assert "No webhook endpoints yet" in page.text_content("main")
        page.fill("input[name=url]", "not a url")
        page.click("#new-webhook button[type=submit]")
        page.wait_for_selector("#new-webhook #error-url")  # the message beside the field
        _shoot(page, "webhooks-validation")
        page.fill("input[name=url]", receiver.url)
        page.click("#new-webhook button[type=submit]")
        assert page.text_content("#new-secret").startswith("whsec_")
        _shoot(page, "webhooks")
        page.click("#open-created")
        page.click("#send-test")
        receiver.wait_for(1)
        for _ in range(50):
            if "hello from the receiver" in page.text_content("main"):
                break
            page.wait_for_timeout(300)
            page.reload()
        row = page.locator("#deliveries tbody tr").first
        assert "webhook.test" in row.text_content() and "200" in row.text_content()
        assert "hello from the receiver" in row.text_content()
        _shoot(page, "webhook-detail")

    page.click("nav >> text=API keys")
    page.click("#keys button.danger")  # Revoke, confirmed in the dialog
    page.wait_for_selector("#keys .status-revoked")
    refused = requests.post(
        f"{api_url}/api/v1/render",
        json={"type": "bar", "data": {"datasets": [{"data": [1]}]}},
        headers={"Authorization": f"Bearer {key}"},
        timeout=60,
    )
    assert refused.status_code == 401, refused.text
    for name, path in (("audit-log", "/app/audit-log"), ("settings", "/app/settings")):
        page.goto(f"{api_url}{path}")
        _shoot(page, name)
    assert page.foreign == [], page.foreign
    assert not [e for e in page.errors if "Content Security Policy" in e], page.errors


def _preview_bytes(page, selector: str) -> str:
    """The preview image as the browser loaded it (its pixels, as a data URL) once it is complete."""
    _image_loaded(page, selector)
    return page.evaluate(
        """s => { const i = document.querySelector(s); const c = document.createElement('canvas');
                  c.width = i.naturalWidth; c.height = i.naturalHeight;
                  c.getContext('2d').drawImage(i, 0, 0); return c.toDataURL(); }""",
        selector,
    )


def test_brand_kits_templates_audit_log_and_settings_in_a_browser(page, api_url):
    page.on("dialog", lambda dialog: dialog.accept())
    page.set_viewport_size({"width": 1280, "height": 900})
    email = sign_up(page, api_url, "Brand")

    # a brand kit: created from a preset, then its preview follows a colour as it is typed
    page.click("nav >> text=Brand kits")
    assert "No brand kits of your own yet" in page.text_content("main")
    _shoot(page, "brand-kits-empty")
    page.click("#new-kit")
    page.fill("input[name=name]", "Acme")
    page.select_option("select[name=base]", "harbor")
    page.click("#save-kit")
    page.wait_for_selector("text=Brand kit created.")
    before_src = page.get_attribute("#kit-preview", "src")
    before = _preview_bytes(page, "#kit-preview")
    page.fill("input[name=backgroundColor]", "#ff00aa")  # the debounced live preview
    page.wait_for_function(
        "s => document.querySelector('#kit-preview').src.indexOf(s) < 0", arg=before_src[-40:]
    )
    after = _preview_bytes(page, "#kit-preview")
    assert after != before
    page.fill("input[name=textColor]", "not a colour")
    page.wait_for_function("() => document.querySelector('#preview-error').textContent.includes('textColor')")
    page.fill("input[name=textColor]", "")
    _shoot(page, "brand-kit-edit")
    page.click("#save-kit")
    page.wait_for_selector("text=Saved.")
    page.click("text=← Brand kits")
    page.wait_for_selector("#own-kits >> text=Acme")
    _shoot(page, "brand-kits")

    # a template: validation beside the field, then created with its preview
    page.click("nav >> text=Templates")
    assert "No templates of your own yet" in page.text_content("main")
    _image_loaded(page, "#builtin-templates img")
    _shoot(page, "templates-empty")
    page.click("#new-template")
    page.fill("input[name=name]", "Weekly")
    page.fill("textarea[name=spec]", "{not json")
    page.click("#save-template")
    page.wait_for_selector("#error-spec")
    _shoot(page, "template-validation")
    page.fill(
        "textarea[name=spec]",
        '{"type": "line", "width": 400, "height": 220, "data": {"labels": ["a", "b", "c"], '
        '"datasets": [{"label": "visits", "data": [3, 1, 4]}]}}',
    )
    page.select_option("select[name=brandKitId]", label="Acme")
    page.wait_for_function("() => !document.querySelector('#template-preview').hidden")
    _image_loaded(page, "#template-preview")  # the unsaved template's preview
    page.click("#save-template")
    page.wait_for_selector("text=Template created.")
    _image_loaded(page, "#template-preview")
    assert page.evaluate("document.querySelector('#template-preview').naturalWidth") > 0
    _shoot(page, "template-edit")
    page.click("text=← Templates")
    _image_loaded(page, "#own-templates img")
    _shoot(page, "templates")
    page.click("#own-templates button.danger")  # delete, confirmed
    page.wait_for_selector("text=Template deleted.")

    # the audit log, filtered
    page.click("nav >> text=Audit log")
    page.fill("input[name=action]", "brand_kit.*")
    page.click("#audit-filters button[type=submit]")
    actions = page.locator("#audit td.action").all_text_contents()
    assert actions and set(actions) == {"brand_kit.created", "brand_kit.updated"}, actions
    _shoot(page, "audit-log-filtered")
    page.fill("input[name=from]", "2026-02-01")
    page.fill("input[name=to]", "2026-01-01")
    page.click("#audit-filters button[type=submit]")
    page.wait_for_selector("#error-to")

    # settings: invite a member, change their role, remove them; change the password
    page.click("nav >> text=Settings")
    invitee = f"invitee-{uuid.uuid4().hex[:8]}@example.com"
    page.fill("#invite-form input[name=email]", invitee)
    page.select_option("#invite-form select[name=role]", "member")
    page.click("#invite-form button[type=submit]")
    link = page.text_content("#invite-link").strip()
    assert "/invite/" in link
    row = page.locator(f"#members tr[data-member='{invitee}']")
    assert row.locator(".member-status").text_content() == "invited"
    _shoot(page, "settings-invited")
    row.locator("select[name=role]").select_option("owner")
    row.locator(".role-form button").click()
    page.wait_for_selector("text=Role changed.")
    assert page.locator(f"#members tr[data-member='{invitee}'] select[name=role]").input_value() == "owner"
    page.locator(f"#members tr[data-member='{invitee}'] button.remove").click()  # confirmed
    page.wait_for_selector("text=Member removed.")
    assert page.locator(f"#members tr[data-member='{invitee}']").count() == 0
    page.fill("input[name=current_password]", "a browser password")
    page.fill("input[name=new_password]", "a brand new password")
    page.fill("input[name=confirm_password]", "a brand new password")
    page.click("#password-form button[type=submit]")
    page.wait_for_selector("#login-notice")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "a brand new password")
    page.click("button[type=submit]")
    page.wait_for_url(f"{api_url}/app")
    page.goto(f"{api_url}/app/settings")
    _shoot(page, "settings")
    assert page.foreign == [], page.foreign
    assert not [e for e in page.errors if "Content Security Policy" in e], page.errors
