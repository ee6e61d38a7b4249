"""The workbench tests hash passwords with argon2id at its lowest cost (the hashes are still
argon2id; the production cost, argon2-cffi's defaults, spends ~50 ms and 64 MiB a sign-in, which
the ~100 sign-ins of the authorisation matrix would spend as seconds of CI time for nothing)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def _cheap_argon2():
    from argon2 import PasswordHasher

    from auditor.web import accounts

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(accounts, "_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        yield
