"""The rule pack: one small module per check, grouped by safeguard family.

Importing this package registers every check with ``auditor.engine.registry``.
"""

import importlib
import pkgutil

FAMILY_PACKAGES = (
    "necessity",
    "proportionality",
    "minimisation",
    "retention",
    "timeliness",
    "completeness",
    "notification",
    "onward_transfer",
    "security",
    "records",
    "eu",  # Regulation (EU) 2023/1543 checks (pack eu2023_1543)
    "reservation",
    "sensitive_data",
    "automated_decision",
)

for _family in FAMILY_PACKAGES:
    _pkg = importlib.import_module(f"checks.{_family}")
    for _mod in pkgutil.iter_modules(_pkg.__path__):
        importlib.import_module(f"checks.{_family}.{_mod.name}")
