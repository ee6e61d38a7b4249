"""Intake of an authority's own export (issue 23): ``suggest`` drafts a mapping profile from the
headers and distinct values of a data folder, ``check`` says, before anything is stored, what a
profile maps, what it leaves out and which checks will not be evaluated for lack of a column.

The mapping itself (``load_profile``, ``apply``) lives in ``auditor.ingest.mapping``; the
spreadsheet reader in ``auditor.ingest.sheets``. The synonym and vocabulary tables are in
``auditor.intake.vocab``.
"""
