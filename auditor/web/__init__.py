"""The audit workbench (``auditor serve``, issue 22): accounts, sessions and the web app."""
