"""CLI commands of the explain feature (being built; see its issue)."""

import typer


def register(app: typer.Typer) -> None:
    """Add this feature's commands to the app (none yet)."""
    del app
