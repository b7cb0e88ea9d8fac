"""A statement as CSV and PDF, in the buyer's language; Spanish says English prevails."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from successkit.accounts.roles import Role
from successkit.billing import exports, services
from successkit.billing.tests.helpers import billable_session, contract_starting, finance, rate
from successkit.conftest import ApiClient
from successkit.contracts.rules import local_date
from successkit.core.formats import format_day
from successkit.factories import StaffFactory

pytestmark = pytest.mark.django_db

SPANISH_NOTICE = (
    "En caso de conflicto entre la versión en inglés y las traducciones a otros idiomas, "
    "prevalecerá la versión en inglés, salvo exigencias de la ley local aplicable."
)


@pytest.fixture
def statements():
    """October (two sessions at two rates) and November (a session and a credit)."""
    rate("EUR", "150.00", since=date(2026, 1, 1))
    rate("EUR", "165.00", since=date(2026, 10, 15))
    contract = contract_starting(
        date(2026, 9, 1), organization__name="Clínica Horizonte", organization__language="es"
    )
    first = billable_session(contract, date(2026, 10, 14), 90)
    second = billable_session(contract, date(2026, 10, 20), 7)
    october = services.issue_statement(
        finance(), contract, period_start=date(2026, 10, 1), period_end=date(2026, 10, 31)
    )
    line = october.lines.get(position=1)
    services.record_adjustment(
        finance(), october, amount="-25.00", reason="Started late, agreed", line_id=line.pk
    )
    third = billable_session(contract, date(2026, 11, 3), 60)
    november = services.issue_statement(
        finance(), contract, period_start=date(2026, 11, 1), period_end=date(2026, 11, 30)
    )
    return contract, october, november, (first, second, third)


def pdf_text(content: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages
    )


def accepted(session, language: str = "en") -> str:
    """What a line says of the acceptance recorded when ``session`` was booked."""
    acceptance = session.acceptances.get()
    day = format_day(local_date(acceptance.at, "Europe/Madrid"), language)
    who = acceptance.accepted_by.name
    if language == "es":
        return f"; aceptado por {who} el {day} ({acceptance.minutes} min)"
    return f"; accepted by {who} on {day} ({acceptance.minutes} min)"


def test_the_english_csv_is_exact(statements) -> None:
    _contract, october, _november, (first, second, _third) = statements
    issued_on = local_date(october.issued_at, "Europe/Madrid").isoformat()
    text = exports.statement_csv(october, "en")
    assert text == (
        "\ufeff"
        "Statement,ST-000001\r\n"
        f"Issued on,{issued_on}\r\n"
        "Billed to,Clínica Horizonte\r\n"
        "Contract,Pro Lite,2026-09-01\r\n"
        "Period,2026-10-01,2026-10-31\r\n"
        "Currency,EUR\r\n"
        "\r\n"
        "Line,Description,Delivered on,Minutes,Hourly rate,Amount\r\n"
        f'1,"Additional training{accepted(first)}",2026-10-14,90,150.00,'
        "225.00\r\n"
        f'2,"Additional training{accepted(second)}",2026-10-20,7,165.00,'
        "19.25\r\n"
        "Total,,,,,244.25\r\n"
        "\r\n"
        "Hours beyond the package are billed at the hourly rate in force on the day the "
        "service was delivered; each line is rounded half-up to the cent.\r\n"
        "Governing terms (English): https://ouraring.com/terms-and-conditions\r\n"
    )


def test_the_spanish_csv_is_translated_and_says_english_prevails(statements) -> None:
    _contract, _october, november, (_first, _second, third) = statements
    issued_on = local_date(november.issued_at, "Europe/Madrid").isoformat()
    text = exports.statement_csv(november, "es")
    assert text == (
        "\ufeff"
        "Extracto,ST-000002\r\n"
        f"Fecha de emisión,{issued_on}\r\n"
        "Facturado a,Clínica Horizonte\r\n"
        "Contrato,Pro Lite,2026-09-01\r\n"
        "Periodo,2026-11-01,2026-11-30\r\n"
        "Moneda,EUR\r\n"
        "\r\n"
        "Línea,Descripción,Prestado el,Minutos,Tarifa horaria,Importe\r\n"
        f"1,Formación adicional{accepted(third, 'es')},2026-11-03,60,"
        "165.00,165.00\r\n"
        '2,"Corrección de ST-000001, línea 1: Started late, agreed",,,,-25.00\r\n'
        "Total,,,,,140.00\r\n"
        "\r\n"
        '"Las horas que excedan el paquete se facturan según la tarifa horaria vigente el día '
        "en que se prestó el servicio; cada línea se redondea al céntimo más próximo (los "
        'medios céntimos, hacia arriba)."\r\n'
        f'"{SPANISH_NOTICE}"\r\n'
        "Condiciones que rigen (en inglés): https://ouraring.com/terms-and-conditions\r\n"
    )


def test_the_english_pdf_shows_currency_rates_amounts_and_total(statements) -> None:
    _contract, october, _november, _sessions = statements
    content = exports.statement_pdf(october, "en")
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    for expected in (
        "Statement ST-000001",
        "Clínica Horizonte",
        "EUR",
        "Oct 14, 2026",
        "€150.00",
        "€225.00",
        "€165.00",
        "€19.25",
        "Total €244.25",
    ):
        assert expected in text, expected
    assert "English version prevails" not in text
    assert "prevalecerá" not in text


def test_the_spanish_pdf_formats_money_for_spain_and_says_english_prevails(statements) -> None:
    _contract, _october, november, _sessions = statements
    content = exports.statement_pdf(november, "es")
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    for expected in (
        "Extracto ST-000002",
        "3 nov 2026",
        "165,00 €",
        "-25,00 €",
        "Total 140,00 €",
        "Corrección de ST-000001, línea 1",
        SPANISH_NOTICE,
    ):
        assert expected in text, expected


def test_exports_are_downloaded_in_the_buyers_language_or_the_one_asked(statements) -> None:
    contract, october, _november, _sessions = statements
    buyer = ApiClient(contract.buyer_contact.user)
    csv = buyer.get(f"statements/{october.pk}/csv")
    assert csv.status_code == 200
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert csv["Content-Disposition"] == 'attachment; filename="ST-000001-es.csv"'
    assert csv.content.decode().startswith("\ufeffExtracto,ST-000001")
    assert SPANISH_NOTICE in csv.content.decode()
    english = buyer.get(f"statements/{october.pk}/csv?language=en").content.decode()
    assert english == exports.statement_csv(october, "en")
    pdf = ApiClient(StaffFactory(roles=[Role.SUPPORT])).get(f"statements/{october.pk}/pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'attachment; filename="ST-000001-es.pdf"'
    assert pdf.content.startswith(b"%PDF")
    assert SPANISH_NOTICE in pdf_text(pdf.content)


def test_an_unknown_export_language_is_a_validation_error(statements) -> None:
    contract, october, _november, _sessions = statements
    response = ApiClient(contract.buyer_contact.user).get(
        f"statements/{october.pk}/pdf?language=fr"
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_a_formula_in_an_organization_name_reaches_the_csv_as_text() -> None:
    rate("EUR", "150.00", since=date(2026, 1, 1))
    contract = contract_starting(date(2026, 9, 1), organization__name='=HYPERLINK("http://x")')
    billable_session(contract, date(2026, 10, 14), 90)
    statement = services.issue_statement(
        finance(), contract, period_start=date(2026, 10, 1), period_end=date(2026, 10, 31)
    )
    text = exports.statement_csv(statement, "en")
    assert 'Billed to,"\'=HYPERLINK(""http://x"")"\r\n' in text
