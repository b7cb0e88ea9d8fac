"""``conftest.race()`` never lets a thread's failure pass unseen."""

from __future__ import annotations

import threading

import pytest

from successkit.conftest import race


def test_an_error_in_a_thread_is_raised_in_the_test() -> None:
    def fails() -> object:
        raise ValueError("lost in a thread")

    with pytest.raises(ValueError, match="lost in a thread"):
        race([lambda: 1, fails])


def test_a_thread_still_running_fails_the_test() -> None:
    release = threading.Event()
    with pytest.raises(pytest.fail.Exception, match="still running"):
        race([lambda: release.wait(5), lambda: 2], timeout=0.2)
    release.set()


def test_results_come_back_in_order() -> None:
    assert race([lambda: "a", lambda: "b", lambda: "c"]) == ["a", "b", "c"]
