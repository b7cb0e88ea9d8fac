"""What the synthetic portfolio is made of: places, names, packages, rates, texts."""

from __future__ import annotations

from dataclasses import dataclass

from successkit.accounts.roles import Role
from successkit.support.rules import CaseType

DOMAIN = "synthetic.successkit.test"
STAFF_PASSWORD = "demo-staff-2026"
CONTACT_PASSWORD = "demo-buyer-2026"


def staff_email(prefix: str, number: int, seed: int) -> str:
    return f"{prefix}{number:03d}.s{seed}@{DOMAIN}"


def buyers_domain(seed: int) -> str:
    """How the buyer contacts' addresses of ``seed``'s portfolio end."""
    return f".s{seed}.buyers.test"


def ascii_name(text: str) -> str:
    table = str.maketrans("áéíóúñüÁÉÍÓÚÑÜ", "aeiounuAEIOUNU")
    return text.translate(table).lower()


@dataclass(frozen=True)
class Place:
    country: str
    timezone: str
    language: str
    currency: str
    weight: int


PLACES = [
    Place("ES", "Europe/Madrid", "es", "EUR", 30),
    Place("MX", "America/Mexico_City", "es", "USD", 10),
    Place("CO", "America/Bogota", "es", "USD", 6),
    Place("AR", "America/Argentina/Buenos_Aires", "es", "USD", 4),
    Place("US", "America/New_York", "en", "USD", 20),
    Place("US", "America/Chicago", "en", "USD", 8),
    Place("US", "America/Los_Angeles", "en", "USD", 8),
    Place("GB", "Europe/London", "en", "GBP", 8),
    Place("IE", "Europe/Dublin", "en", "EUR", 3),
    Place("DE", "Europe/Berlin", "en", "EUR", 3),
]

# The rate card the history is priced at: (days before today, hourly rate). A line is
# added only where it reprices nothing delivered (``flows.rates.add_rate`` refuses it
# otherwise); billable history falls only on days with a rate in force.
RATE_CARD = {
    "EUR": [(800, "150.00")],
    "USD": [(800, "165.00")],
    "GBP": [(800, "125.00"), (300, "135.00")],
}

# (role, email prefix, one staff member per this many contracts)
STAFF_MIX = [
    (Role.ACCOUNT_MANAGER, "am", 150),
    (Role.CSM, "csm", 100),
    (Role.CS_ENGINEER, "engineer", 250),
    (Role.LD_SPECIALIST, "trainer", 250),
    (Role.SUPPORT, "support", 400),
    (Role.FINANCE, "finance", 2500),
]
PACKAGE_MIX = [("launch_kit", 35), ("pro_lite", 40), ("premium", 25)]

FIRST_NAMES = {
    "es": [
        "Ana",
        "Carlos",
        "Lucía",
        "Javier",
        "Marta",
        "Diego",
        "Elena",
        "Pablo",
        "Sofía",
        "Andrés",
        "Carmen",
        "Raúl",
        "Isabel",
        "Miguel",
        "Laura",
        "Jorge",
        "Paula",
        "Sergio",
        "Irene",
        "Daniel",
    ],
    "en": [
        "Emma",
        "James",
        "Olivia",
        "Liam",
        "Ava",
        "Noah",
        "Mia",
        "Ethan",
        "Grace",
        "Lucas",
        "Chloe",
        "Henry",
        "Ella",
        "Jack",
        "Amelia",
        "Owen",
        "Harper",
        "Leo",
        "Ruby",
        "Samuel",
    ],
}
LAST_NAMES = {
    "es": [
        "García",
        "Martínez",
        "López",
        "Sánchez",
        "Pérez",
        "Gómez",
        "Fernández",
        "Díaz",
        "Moreno",
        "Álvarez",
        "Romero",
        "Navarro",
        "Torres",
        "Ruiz",
        "Ortega",
        "Castro",
        "Vargas",
        "Rojas",
        "Molina",
        "Herrera",
    ],
    "en": [
        "Smith",
        "Johnson",
        "Brown",
        "Taylor",
        "Wilson",
        "Davies",
        "Evans",
        "Thomas",
        "Walker",
        "Wright",
        "Hughes",
        "Green",
        "Hall",
        "Clarke",
        "Lewis",
        "Young",
        "King",
        "Baker",
        "Turner",
        "Carter",
    ],
}
NAME_STEMS = [
    "Horizonte",
    "Altamira",
    "Boreal",
    "Cumbre",
    "Delta",
    "Encina",
    "Faro",
    "Granito",
    "Hélice",
    "Iris",
    "Jara",
    "Lumen",
    "Meridiano",
    "Norte",
    "Olivo",
    "Prisma",
    "Quasar",
    "Roble",
    "Sierra",
    "Tramontana",
    "Umbral",
    "Vega",
    "Brightwater",
    "Cedar",
    "Evergreen",
    "Falcon",
    "Harbor",
    "Ironwood",
    "Juniper",
    "Keystone",
    "Lakeside",
    "Maple",
    "Northwind",
    "Oakridge",
    "Pinecrest",
    "Redwood",
    "Silverline",
    "Summit",
    "Tidewater",
    "Westfield",
]
SECTORS = [
    "Clínica",
    "Logística",
    "Seguros",
    "Ingeniería",
    "Hoteles",
    "Farmacia",
    "Consultores",
    "Construcciones",
    "Health",
    "Logistics",
    "Insurance",
    "Engineering",
    "Hospitality",
    "Pharmacy",
    "Partners",
    "Builders",
    "Dental",
    "Fitness",
    "Transport",
    "Software",
]
TOWNS = [
    "Madrid",
    "Valencia",
    "Sevilla",
    "Bilbao",
    "Málaga",
    "Zaragoza",
    "Monterrey",
    "Bogotá",
    "Austin",
    "Denver",
    "Boston",
    "Seattle",
    "Leeds",
    "Bristol",
    "Cork",
    "Hamburg",
]

SKUS = [("OURA-GEN4-SILVER", "silver"), ("OURA-GEN4-BLACK", "black"), ("OURA-GEN4-GOLD", "gold")]
SKUS += [("OURA-GEN4-ROSE", "rose"), ("OURA-GEN4-STEALTH", "stealth")]

CHECK_SUMMARIES = {
    "en": {
        "green": "Rollout on plan; adoption growing, no open cases.",
        "amber": "Distribution behind plan at one site; adoption steady.",
        "red": "Rollout stalled: many invited members never signed in.",
    },
    "es": {
        "green": "Despliegue según lo previsto; la adopción crece y no hay casos abiertos.",
        "amber": "La distribución va con retraso en un centro; adopción estable.",
        "red": "Despliegue parado: muchos miembros invitados no han iniciado sesión.",
    },
}
CHECK_ACTIONS = {
    "en": ["Share the next rollout plan", "Confirm sizes for the next site", "Re-invite members"],
    "es": ["Compartir el siguiente plan", "Confirmar tallas del próximo centro", "Reinvitar"],
}
CASE_SUBJECTS = {
    "en": {
        CaseType.PRODUCT_QUESTION: "How do members share their readiness score?",
        CaseType.TECHNICAL_ISSUE: "Members missing from their group in Oura Teams",
        CaseType.NEW_ORDER: "We need rings for a new site",
        CaseType.EXCHANGE: "Some rings are the wrong size",
        CaseType.RETURN: "Returning rings we do not need",
    },
    "es": {
        CaseType.PRODUCT_QUESTION: "¿Cómo comparten los miembros su puntuación?",
        CaseType.TECHNICAL_ISSUE: "Faltan miembros en su grupo de Oura Teams",
        CaseType.NEW_ORDER: "Necesitamos anillos para un nuevo centro",
        CaseType.EXCHANGE: "Algunos anillos no son de la talla correcta",
        CaseType.RETURN: "Devolvemos anillos que no necesitamos",
    },
}
STAFF_REPLY = {
    "en": "Thanks, we are looking into it and will come back to you.",
    "es": "Gracias, lo estamos revisando y te respondemos enseguida.",
}
CASE_MIX = [
    (CaseType.PRODUCT_QUESTION, 30),
    (CaseType.TECHNICAL_ISSUE, 30),
    (CaseType.EXCHANGE, 20),
    (CaseType.RETURN, 10),
    (CaseType.NEW_ORDER, 10),
]
