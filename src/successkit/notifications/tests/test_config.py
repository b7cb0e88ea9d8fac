from __future__ import annotations

import pytest

from successkit import config


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("", {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}),
        ("console:", {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}),
        (
            "smtp://mailer:s%40cret@mail.example.com:587?starttls=1",
            {
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "mail.example.com",
                "EMAIL_PORT": 587,
                "EMAIL_HOST_USER": "mailer",
                "EMAIL_HOST_PASSWORD": "s@cret",
                "EMAIL_USE_TLS": True,
                "EMAIL_USE_SSL": False,
            },
        ),
        (
            "smtps://mail.example.com",
            {"EMAIL_PORT": 465, "EMAIL_USE_SSL": True, "EMAIL_USE_TLS": False},
        ),
        ("smtp://127.0.0.1:2525", {"EMAIL_PORT": 2525, "EMAIL_USE_TLS": False}),
    ],
)
def test_mail_is_configured_from_one_url(monkeypatch, url, expected) -> None:
    monkeypatch.setenv("SUCCESSKIT_EMAIL_URL", url)
    monkeypatch.setenv("SUCCESSKIT_EMAIL_FROM", "Oura CS <cs@oura.test>")
    settings = config.email_settings()
    assert {key: settings[key] for key in expected} == expected
    assert settings["DEFAULT_FROM_EMAIL"] == "Oura CS <cs@oura.test>"


def test_an_unknown_mail_scheme_is_a_configuration_error(monkeypatch) -> None:
    monkeypatch.setenv("SUCCESSKIT_EMAIL_URL", "sendmail:")
    with pytest.raises(config.ConfigurationError):
        config.email_settings()
