"""The generator: the staff and rate card first, then contract after contract (a new
organization, or a renewal of the one before) with its story, in rounds of bulk inserts,
then the statements of the months already billed."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from contextlib import suppress
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from tqdm import tqdm

from successkit.accounts.actors import Actor
from successkit.accounts.models import Contact, Organization, StaffRole, User
from successkit.accounts.roles import Role
from successkit.catalog.models import Package, SessionType
from successkit.catalog.services import current_version
from successkit.contracts.models import Contract, training_window_of
from successkit.core.errors import SuccessKitError
from successkit.engagements.models import PoolEntry, TrainingSession
from successkit.flows import rates
from successkit.flows.synthetic.bulk import new, own_timestamps
from successkit.flows.synthetic.checks import write_health_checks
from successkit.flows.synthetic.data import (
    CONTACT_PASSWORD,
    FIRST_NAMES,
    LAST_NAMES,
    NAME_STEMS,
    PACKAGE_MIX,
    PLACES,
    RATE_CARD,
    SECTORS,
    STAFF_MIX,
    STAFF_PASSWORD,
    TOWNS,
    Place,
    ascii_name,
    buyers_domain,
    staff_email,
)
from successkit.flows.synthetic.sessions import write_sessions
from successkit.flows.synthetic.statements import write_statements
from successkit.flows.synthetic.support import write_cases, write_orders
from successkit.flows.synthetic.world import World
from successkit.healthchecks.models import HealthCheckEvent
from successkit.pricing import rules as pricing_rules
from successkit.pricing.models import HourlyRate
from successkit.scheduling.models import Availability, WorkingHours
from successkit.support.models import Case, CaseEvent, Message, Order

CHUNK = 500  # contracts written per round of bulk inserts


class Generator(World):
    def __init__(self, contracts: int, seed: int, today: date, progress: bool) -> None:
        super().__init__(seed, today)
        self.total = contracts
        self.progress = progress
        self.names: Iterator[str] = self._organization_names()
        self.place_of: dict[int, Place] = {}
        self.contact_hash = make_password(CONTACT_PASSWORD, salt=f"synthetic{seed}contact")
        self.staff_hash = make_password(STAFF_PASSWORD, salt=f"synthetic{seed}staff")

    def run(self) -> dict[str, int]:
        version = current_version()
        self.packages = {p.code: p for p in Package.objects.filter(version=version)}
        self.types = {t.code: t for t in SessionType.objects.filter(version=version)}
        with own_timestamps(
            Organization,
            User,
            Contact,
            Contract,
            TrainingSession,
            PoolEntry,
            HealthCheckEvent,
            Order,
            Case,
            CaseEvent,
            Message,
            Availability,
        ):
            self._staff()
            self._rate_card()
            bar = tqdm(
                total=self.total,
                desc="synthetic contracts",
                unit="contract",
                file=sys.stderr,
                disable=not self.progress,
            )
            previous: tuple[Organization, Contact, Contract] | None = None
            for number in range(self.total):
                previous = self._contract(number, previous)
                if (number + 1) % CHUNK == 0:
                    self.flush()
                bar.update(1)
            self.flush()
            bar.close()
            write_statements(self)
            self.flush()
            # The sessions the statements bill are billed (as billing marks them).
            TrainingSession.objects.filter(
                contract_id__in=list(self.contract_of), statement_lines__isnull=False
            ).update(billed=True)
        return dict(self.counts)

    # -- people ------------------------------------------------------------------------------

    def _staff(self) -> None:
        for role, prefix, per in STAFF_MIX:
            members = []
            for number in range(1, max(2, math.ceil(self.total / per)) + 1):
                language = self.rng.choice(["es", "en"])
                first = self.rng.choice(FIRST_NAMES[language])
                name = f"{first} {self.rng.choice(LAST_NAMES[language])}"
                user = self.add(
                    new(
                        User,
                        email=staff_email(prefix, number, self.seed),
                        name=name,
                        language=language,
                        is_staff=True,
                        password=self.staff_hash,
                        date_joined=self.stamp(self.today - timedelta(days=900)),
                    )
                )
                self.add(new(StaffRole, user=user, role=role))
                zone_name = "Europe/Madrid" if language == "es" else "America/New_York"
                availability = self.add(
                    new(
                        Availability,
                        staff=user,
                        timezone=zone_name,
                        updated_by=user,
                        updated_at=self.stamp(self.today - timedelta(days=900)),
                    )
                )
                for weekday in range(1, 6):
                    self.add(
                        new(
                            WorkingHours,
                            availability=availability,
                            weekday=weekday,
                            start_minute=8 * 60,
                            end_minute=18 * 60,
                        )
                    )
                members.append(user)
            self.staff[role] = members
        self.flush()  # the rate card's service reads the finance roles

    def _rate_card(self) -> None:
        finance = Actor.of(self.staff[Role.FINANCE][0])
        for currency, lines in RATE_CARD.items():
            for days_before, rate in lines:
                # Refused when it would reprice something delivered, or that day has a rate.
                with suppress(SuccessKitError):
                    rates.add_rate(
                        finance,
                        currency=currency,
                        hourly_rate=rate,
                        effective_from=self.today - timedelta(days=days_before),
                    )
        for line in HourlyRate.objects.all():
            self.card[line.currency].append(
                pricing_rules.RatePeriod(line.effective_from, line.hourly_rate)
            )

    def _organization_names(self) -> Iterator[str]:
        combos = [(stem, sector) for stem in NAME_STEMS for sector in SECTORS]
        self.rng.shuffle(combos)
        round_ = 0
        while True:
            for stem, sector in combos:
                town = TOWNS[round_ % len(TOWNS)]
                suffix = f" {round_ // len(TOWNS) + 2}" if round_ >= len(TOWNS) else ""
                yield f"{sector} {stem} {town}{suffix}"
            round_ += 1

    def _organization(self, number: int, start: date) -> tuple[Organization, Contact]:
        place = self.rng.choices(PLACES, weights=[p.weight for p in PLACES])[0]
        created = self.stamp(start - timedelta(days=self.rng.randint(20, 60)))
        organization = self.add(
            new(
                Organization,
                name=next(self.names),
                country=place.country,
                timezone=place.timezone,
                language=place.language,
                created_at=created,
            )
        )
        self.place_of[organization.pk] = place
        contacts = []
        for index in range(self.rng.choice([1, 1, 2, 2, 3])):
            language = place.language if index == 0 or self.rng.random() < 0.8 else "en"
            first = self.rng.choice(FIRST_NAMES[language])
            last = self.rng.choice(LAST_NAMES[language])
            user = self.add(
                new(
                    User,
                    email=f"{ascii_name(first)}.{ascii_name(last)}.{number}.{index}{buyers_domain(self.seed)}",
                    name=f"{first} {last}",
                    language=language,
                    password=self.contact_hash,
                    date_joined=created,
                )
            )
            contacts.append(
                self.add(new(Contact, organization=organization, user=user, created_at=created))
            )
        return organization, contacts[0]

    def _contract(
        self, number: int, previous: tuple[Organization, Contact, Contract] | None
    ) -> tuple[Organization, Contact, Contract]:
        rng = self.rng
        self.number = number + 1
        renewal = (
            previous is not None
            and rng.random() < 0.12
            and previous[2].end_date + timedelta(days=1) <= self.today + timedelta(days=60)
        )
        if renewal:
            assert previous is not None
            organization, contact, before = previous
            start = before.end_date + timedelta(days=1)
            code = before.package.code
        else:
            start = self.today + timedelta(days=rng.randint(-730, 60))
            organization, contact = self._organization(number, start)
            code = rng.choices([c for c, _w in PACKAGE_MIX], [w for _c, w in PACKAGE_MIX])[0]
        package = self.packages[code]
        end = start + timedelta(days=729 if rng.random() < 0.15 else 364)
        role = Role.ACCOUNT_MANAGER if code == "launch_kit" else Role.CSM
        representative = rng.choice(self.staff[role])
        platforms = rng.choice([["hrm", "teams"], ["hrm", "teams"], ["teams"], ["hrm"]])
        contract = self.add(
            new(
                Contract,
                organization=organization,
                package=package,
                start_date=start,
                end_date=end,
                representative=representative,
                buyer_contact=contact,
                currency=self.place_of[organization.pk].currency,
                platforms=platforms,
                created_at=self.stamp(start - timedelta(days=rng.randint(5, 20))),
                training_window_end=training_window_of(package, start, end).end,
            )
        )
        self.contract_of[contract.pk] = contract
        write_sessions(self, contract)
        write_health_checks(self, contract)
        write_cases(self, contract, write_orders(self, contract))
        return organization, contact, contract
