"""`vxlan-inspect state ...` (filled in by the state issue)."""

import typer

app = typer.Typer(help="Parse, collect, show and diff FDB/neighbour/link/address/route state.", no_args_is_help=True)
