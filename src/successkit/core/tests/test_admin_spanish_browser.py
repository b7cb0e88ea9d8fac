"""The Spanish back office in Chromium speaks tú, its JavaScript included: the sign-in
error, a change list, and the date widget's calendar drawn by the admin's scripts."""

from __future__ import annotations

from playwright.sync_api import expect

from successkit.accounts.roles import Role
from successkit.factories import PASSWORD, StaffFactory
from successkit.portal.tests.browser import browser_marks, chromium, page

pytestmark = browser_marks
__all__ = ["chromium", "page"]


def test_a_spanish_admin_meets_tu_in_the_back_office(page) -> None:
    if page.width_name != "desktop":
        return  # the texts do not depend on the width
    admin = StaffFactory(roles=[Role.ADMIN], language="es")
    page.set_extra_http_headers({"Accept-Language": "es"})

    page.goto("/admin/login/")
    page.locator("#id_username").fill(admin.email)
    page.locator("#id_password").fill("not the password")
    page.locator("input[type=submit]").click()
    expect(page.locator(".errornote")).to_contain_text(
        "Por favor, introduce el correo electrónico y la contraseña correctos"
    )
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()

    page.goto("/admin/accounts/user/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Selecciona usuario para modificar")

    page.goto("/admin/contracts/contract/add/")
    calendar = page.get_by_title("Elige una fecha").first
    expect(calendar).to_be_visible()
    assert page.get_by_title("Elija una Fecha").count() == 0
    calendar.click()
    expect(page.locator(".calendarbox").first).to_contain_text("Mañana")
