"""`python -m vxlan_inspect` runs the CLI."""

import sys

from vxlan_inspect.cli import main

sys.exit(main())
