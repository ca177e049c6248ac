"""`vxlan-inspect lab ...` (filled in by the lab issue)."""

import typer

app = typer.Typer(help="Build the seed overlay in network namespaces, break it, record scenarios.", no_args_is_help=True)
