"""What every command shares: exit codes, the ``--db`` option, stderr/stdout lines that show
stored text safely, the quiet flag and the guard that turns typed library errors into
``Error:``/``Fix:`` and a documented exit code. ``auditor.cli`` and ``auditor.commands.*`` import
it (never each other's internals), so imports flow one way: cli -> commands -> clikit."""

from __future__ import annotations

import os
import sys

import click

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INPUT, EXIT_INTERNAL, EXIT_INCOMPLETE = 0, 1, 2, 3, 4, 5

db_option = click.option(
    "--db", "db_url", envvar="AUDITOR_DB_URL", default=None, metavar="URL",
    help="SQLAlchemy database URL [env AUDITOR_DB_URL; default sqlite:///auditor.db in the working folder].",
)


def _echo_err(msg: str) -> None:
    """A message on stderr; control characters in it (from a value it quotes) are shown as
    \\xNN (``auditor.textsafe.printable``), newlines kept."""
    from auditor.textsafe import printable  # noqa: PLC0415

    click.echo(printable(msg, lines=True), err=True)


def _say(line: str) -> None:
    """One line on stdout that shows stored text (ids, names, reasons): its control characters
    are shown as \\xNN (``auditor.textsafe.printable``), so no escape sequence reaches the
    terminal raw and the line stays one line."""
    from auditor.textsafe import printable  # noqa: PLC0415

    click.echo(printable(line))


def _ctx_obj() -> dict:
    return click.get_current_context().find_root().obj or {}


def _quiet() -> bool:
    return bool(_ctx_obj().get("quiet"))


def _guard(func):
    """Turn typed library errors into 'Error: ...' on stderr and a documented exit code."""

    def wrapper(*args, **kwargs):
        from auditor.errors import AuditorError, from_environment  # noqa: PLC0415

        try:
            return func(*args, **kwargs)
        except AuditorError as exc:
            _echo_err(f"Error: {exc.message}")
            if exc.hint:
                _echo_err(f"  Fix: {exc.hint}")
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except BrokenPipeError:  # a reader went away on a stream other than stdout/stderr: quiet
            sys.exit(EXIT_OK)
        except Exception as exc:  # noqa: BLE001
            typed = from_environment(exc)
            if typed is not None:  # a read-only disk or database met on the way: not a bug
                _echo_err(f"Error: {typed.message}")
                _echo_err(f"  Fix: {typed.hint}")
                sys.exit(typed.exit_code)
            _echo_err(f"Internal error: {type(exc).__name__}: {exc}")
            _echo_err("  This is a bug in auditor; please report it with the command you ran.")
            if os.environ.get("AUDITOR_DEBUG"):
                raise
            sys.exit(EXIT_INTERNAL)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper
