"""The one error hierarchy of vxlan-inspect.

Every user-facing failure is a subclass of :class:`VxlanInspectError`. The CLI's
outer ``main`` prints ``vxlan-inspect: <message>`` on one line of stderr and exits
with the class's ``exit_code``; ``--traceback`` shows the full stack instead.

Exit codes (documented in the README):

====  ===========================================================
0     success
1     usage error (bad option, bad filter expression, bad argument)
2     input is not a readable capture or dump
3     capture cut short or corrupt mid-file (every complete record was emitted)
4     privilege or environment (not root, namespace missing, tool missing)
====  ===========================================================
"""

from __future__ import annotations


class VxlanInspectError(Exception):
    """Base of every error the toolkit reports to a user."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        """The message and, when there is one, what to do about it, on one line."""
        text = self.message
        if self.hint:
            text = f"{text} ({self.hint})"
        return " ".join(text.split())


class UsageError(VxlanInspectError):
    """The command line is wrong: unknown option, bad value, bad expression."""

    exit_code = 1


class FilterSyntaxError(UsageError):
    """A filter expression does not parse; ``column`` is 1-based."""

    def __init__(self, message: str, *, expression: str = "", column: int = 0) -> None:
        super().__init__(message)
        self.expression = expression
        self.column = column

    def one_line(self) -> str:
        where = f" at column {self.column}" if self.column else ""
        return f"bad filter{where}: {self.message}"


class InputError(VxlanInspectError):
    """The input is not something we can read (not a capture, not a dump)."""

    exit_code = 2


class CaptureFormatError(InputError):
    """The file is not a pcap or pcapng capture, or its header is unreadable."""


class StateParseError(InputError):
    """A saved ``ip``/``bridge``/control-plane dump could not be parsed at all."""


class CaptureTruncatedError(VxlanInspectError):
    """The capture ended mid-record or is corrupt after its header.

    Raised only after every complete record before the fault was delivered.
    """

    exit_code = 3


class EnvironmentProblem(VxlanInspectError):
    """The machine cannot do what was asked: privilege, namespace, tool, kernel."""

    exit_code = 4


class PrivilegeError(EnvironmentProblem):
    """The operation needs root (CAP_NET_ADMIN / CAP_NET_RAW)."""


class NamespaceNotFound(EnvironmentProblem):
    """A network namespace named by name, path or PID does not exist."""
