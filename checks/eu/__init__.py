"""Regulation (EU) 2023/1543 (e-Evidence) checks: EPOC / EPOC-PR rules, pack ``eu2023_1543``.

Every check except EU001 (Art. 34(2)) and EU002 (territorial scope) evaluates only the orders the
Regulation governs (``_common.in_scope``), so an order outside its scope is reported once, by
EU001 or EU002, and never again by a rule that could not apply to it.
"""
