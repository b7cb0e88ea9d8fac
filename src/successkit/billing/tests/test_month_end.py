"""Month-end (``successkit issue_statements --period``) at scale: statements of many
contracts in batches, interrupted and resumed without a gap or a second bill."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from successkit.billing import services
from successkit.billing.models import Adjustment, Statement, StatementCounter, StatementLine
from successkit.billing.services import month_end
from successkit.billing.tests.helpers import billable_session, contract_starting, rate
from successkit.conftest import race
from successkit.contracts.models import Contract
from successkit.core.errors import SuccessKitError
from successkit.engagements.models import TrainingSession
from successkit.flows import synthetic

OCTOBER = "2026-10"


def october_contracts(count: int) -> list[Contract]:
    rate("EUR", "150.00", since=date(2026, 1, 1))
    contracts = []
    for n in range(count):
        contract = contract_starting(date(2026, 9, 1), organization__name=f"Buyer {n:02d}")
        billable_session(contract, date(2026, 10, 1 + n % 28), 30 + n)
        if n % 3 == 0:
            billable_session(contract, date(2026, 10, 2 + n % 27), 60, hour=15)
        contracts.append(contract)
    return contracts


def assert_billed_once_without_gaps(everything: bool = True) -> None:
    numbers = sorted(Statement.objects.values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    assert StatementCounter.objects.get().last_number == len(numbers)
    billed = list(StatementLine.objects.exclude(session=None).values_list("session", flat=True))
    assert len(billed) == len(set(billed))
    delivered = TrainingSession.objects.filter(status__in=["completed", "no_show"])
    if everything:
        assert sorted(billed) == sorted(delivered.values_list("pk", flat=True))
    for statement in Statement.objects.all():
        assert statement.total == sum(line.amount for line in statement.lines.all())


@pytest.mark.django_db(transaction=True)
def test_an_interrupted_month_end_resumes_without_a_gap_or_a_second_bill() -> None:
    contracts = october_contracts(7)
    publish = month_end.publish
    calls = {"n": 0}

    def failing_publish(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 4:  # the machine dies while the second batch is written
            raise KeyboardInterrupt
        return publish(*args, **kwargs)

    with (
        mock.patch.object(month_end, "MONTH_END_BATCH", 3),
        mock.patch.object(month_end, "publish", failing_publish),
        pytest.raises(KeyboardInterrupt),
    ):
        for _contract, _outcome in services.issue_statements_for_month(None, OCTOBER):
            pass
    # The first batch (three contracts) committed; the second left nothing behind.
    assert Statement.objects.count() == 3
    assert_billed_once_without_gaps(everything=False)

    with mock.patch.object(month_end, "MONTH_END_BATCH", 3):
        issued = list(services.issue_statements_for_month(None, OCTOBER))
    assert len(issued) == 4
    assert_billed_once_without_gaps()
    assert sorted(Statement.objects.values_list("contract", flat=True)) == sorted(
        c.pk for c in contracts
    )
    assert list(services.issue_statements_for_month(None, OCTOBER)) == []


@pytest.mark.django_db(transaction=True)
def test_a_killed_month_end_command_resumes_without_a_gap(tmp_path: Path) -> None:
    """The real thing on a file database: the command killed mid-run, then run again."""
    if connection.vendor != "sqlite":
        pytest.skip("a throw-away SQLite file; the batch logic is the same on PostgreSQL")
    env = {"SUCCESSKIT_DATA_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1", "PATH": "/usr/bin"}
    command = [sys.executable, "-m", "successkit"]
    subprocess.run(
        [*command, "demo", "--contracts", "120", "--seed", "4", "-v", "0"],
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    # A correction for every contract billed before: month-end has a statement to issue
    # for most of them (several batches).
    correct = (
        "from successkit.billing.models import *; from django.db.models import Max;"
        "last = Statement.objects.values('contract').annotate(top=Max('id'));"
        "Adjustment.objects.bulk_create(Adjustment(contract_id=r['contract'],"
        " corrects_statement_id=r['top'], amount='-1.00', reason='Goodwill') for r in last)"
    )
    subprocess.run([*command, "shell", "-v", "0", "-c", correct], env=env, check=True, timeout=300)
    month = (timezone.now().date().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    before = _statements(command, env)
    # The command, killed (SIGKILL: no clean-up of any kind) inside its second batch's
    # transaction, once that batch's statements are written and before they are committed:
    # where it dies does not depend on how fast this machine is.
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_IN_THE_SECOND_BATCH, month],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert killed.stdout.startswith("ST-")  # the first batch was committed and printed
    middle = _statements(command, env)
    assert middle[1:3] == (True, True)  # no gap, nothing billed twice
    # What was printed was committed; the second batch's statements went with the process.
    assert middle[0] - before[0] == killed.stdout.count("ST-")
    finished = subprocess.run(
        [*command, "issue_statements", "--period", month, "-v", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert finished.returncode == 0, finished.stderr
    issued_again = finished.stdout.count("\nST-") + finished.stdout.startswith("ST-")
    after = _statements(command, env)
    assert after[1:] == (True, True, 0)  # every correction billed, once, without a gap
    assert before[0] < middle[0] < after[0]  # interrupted in the middle
    assert after[0] - middle[0] == issued_again


# ``successkit issue_statements --period <month>``, whose month-end kills its own process
# when its second batch has written its statements, before the batch commits.
KILLED_IN_THE_SECOND_BATCH = """
import os, signal, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "successkit.settings")
django.setup()
from django.core.management import call_command
from successkit.billing.services.month_end import MonthEnd
write = MonthEnd._write
batches = []
def write_then_die(self, planned):
    written = write(self, planned)
    batches.append(written)
    if len(batches) == 2:
        sys.stdout.flush()
        os.kill(os.getpid(), signal.SIGKILL)
    return written
MonthEnd._write = write_then_die
call_command("issue_statements", "--period", sys.argv[1], "-v", "0")
"""


def _statements(command: list[str], env: dict[str, str]) -> tuple[int, bool, bool, int]:
    """Statements, numbers gapless, each session and correction billed once, and the
    corrections still unbilled, in the database of ``env``."""
    script = (
        "from successkit.billing.models import *; from django.db.models import Count;"
        "n = sorted(Statement.objects.values_list('number', flat=True));"
        "c = StatementCounter.objects.get().last_number;"
        "twice = StatementLine.objects.exclude(session=None).values('session')"
        ".annotate(k=Count('id')).filter(k__gt=1).count();"
        "left = Adjustment.objects.filter(statement_lines__isnull=True).count();"
        "print(len(n), n == list(range(1, len(n) + 1)) and c == len(n), twice == 0, left)"
    )
    out = subprocess.run(
        [*command, "shell", "-v", "0", "-c", script],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout.split()
    return int(out[0]), out[1] == "True", out[2] == "True", int(out[3])


@pytest.mark.django_db
def test_month_end_reads_lines_in_bulk_not_per_contract() -> None:
    october_contracts(12)
    with CaptureQueriesContext(connection) as queries:
        issued = list(services.issue_statements_for_month(None, OCTOBER))
    assert len(issued) == 12
    # Publishing (an event and its job) is all that costs queries per statement.
    assert len(queries) <= 20 + 3 * len(issued)


@pytest.mark.django_db
def test_month_end_bills_the_open_month_of_the_synthetic_portfolio(
    capsys: pytest.CaptureFixture[str],
) -> None:
    today = timezone.now().date()
    synthetic.build_portfolio(30, 8, today=today)
    issued_before = Statement.objects.count()
    month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    call_command("issue_statements", "--period", month, verbosity=0)
    out = capsys.readouterr().out
    assert out.endswith(" refused.\n") and ", 0 refused" in out
    assert Statement.objects.count() > issued_before
    assert_billed_before(today.replace(day=1))
    numbers = sorted(Statement.objects.values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    call_command("issue_statements", "--period", month, verbosity=0)
    assert capsys.readouterr().out == f"Nothing to bill in {month}.\n"


def assert_billed_before(day: date) -> None:
    """Every delivered billable session that started before ``day`` (UTC, with a day's
    margin for the buyers' time zones) is on exactly one statement."""
    delivered = TrainingSession.objects.filter(
        status__in=["completed", "no_show"],
        billable_minutes__gt=0,
        starts_at__date__lt=day - timedelta(days=1),
    )
    lines = StatementLine.objects.filter(session__in=delivered)
    assert lines.count() == delivered.count() > 0
    assert not Adjustment.objects.filter(statement_lines__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.needs_row_locks
@pytest.mark.parametrize("round_", range(3))
def test_month_end_racing_a_single_issue_bills_each_minute_once(round_: int) -> None:
    contracts = october_contracts(6)
    target = contracts[3].pk

    def month_end() -> object:
        return list(services.issue_statements_for_month(None, OCTOBER))

    def single() -> object:
        contract = Contract.objects.select_related("organization").get(pk=target)
        try:
            return services.issue_statement(
                None, contract, period_start=date(2026, 10, 1), period_end=date(2026, 10, 31)
            )
        except SuccessKitError as refusal:
            return refusal

    race([month_end, single])
    assert_billed_once_without_gaps()
    assert Statement.objects.filter(contract=target).count() == 1
