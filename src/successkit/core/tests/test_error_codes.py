"""Every refusal code is documented (docs/errors.md), with its status, and raised from its
app's ``errors.py``; every code SPEC.md §7 names exists."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import successkit
from successkit.core.errors import SuccessKitError

REPO = Path(__file__).resolve().parents[4]
TABLE_ROW = re.compile(r"^\| `(?P<code>[a-z_]+)` \| (?P<statuses>[0-9, ]+) \| (?P<apps>[\w, ]+) \|")


def refusal_classes() -> list[type[SuccessKitError]]:
    for module in pkgutil.walk_packages(successkit.__path__, "successkit."):
        if module.name.endswith((".errors", ".api_errors")):
            importlib.import_module(module.name)

    def walk(cls: type[SuccessKitError]) -> list[type[SuccessKitError]]:
        return [cls, *(sub for child in cls.__subclasses__() for sub in walk(child))]

    return [
        cls
        for cls in walk(SuccessKitError)
        if not cls.__module__.startswith("successkit.") or ".tests." not in cls.__module__
    ]


def documented() -> dict[str, tuple[set[int], set[str]]]:
    rows = {}
    for line in (REPO / "docs" / "errors.md").read_text(encoding="utf-8").splitlines():
        if match := TABLE_ROW.match(line):
            statuses = {int(s) for s in match["statuses"].split(",")}
            rows[match["code"]] = (statuses, {a.strip() for a in match["apps"].split(",")})
    return rows


def test_every_code_in_the_code_is_documented_with_its_status_and_app() -> None:
    in_code: dict[str, tuple[set[int], set[str]]] = {}
    for cls in refusal_classes():
        statuses, apps = in_code.setdefault(cls.code, (set(), set()))
        statuses.add(cls.status)
        apps.add(cls.__module__.split(".")[1])
    docs = documented()
    assert set(in_code) == set(docs)
    for code, (statuses, apps) in in_code.items():
        assert (statuses, apps) == docs[code], code


def test_each_app_keeps_its_refusals_in_its_errors_module() -> None:
    homes = {cls.__module__ for cls in refusal_classes()}
    assert all(home.endswith((".errors", ".api_errors")) for home in homes), homes


def test_the_codes_spec_section_7_names_all_exist() -> None:
    spec = REPO.parent / "shared" / "SPEC.md"
    if not spec.exists():
        pytest.skip("the shared SPEC.md is not beside this checkout")
    section = spec.read_text(encoding="utf-8").split("## 7.")[1].split("\n## ")[0]
    named = set(re.findall(r"`([a-z_]+)`", section))
    assert named, "SPEC §7 lists codes in backticks"
    assert named <= set(documented())
