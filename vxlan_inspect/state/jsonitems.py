"""Typed access to the objects of an iproute2 ``-j`` array.

Each getter checks the type of one key and raises :class:`ItemError` naming the
key, what was expected and what was found; :func:`parse_items` turns those into
per-item warnings so one bad object never hides the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from vxlan_inspect.state.model import ParseWarning

T = TypeVar("T")


class ItemError(ValueError):
    """One JSON object cannot become an entry (missing key, wrong type)."""


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    name = type(value).__name__
    return {"str": "string", "dict": "object", "list": "array"}.get(name, name)


def get_str(item: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    """``item[key]`` as a string (None when absent); ItemError on a wrong type."""
    if key not in item:
        if required:
            raise ItemError(f"missing key {key!r}")
        return None
    value = item[key]
    if not isinstance(value, str):
        raise ItemError(f"{key!r} should be a string, got {_type_name(value)} {str(value)[:30]}")
    return value


def get_int(item: dict[str, Any], key: str, *, required: bool = False) -> int | None:
    """``item[key]`` as an int (None when absent); ItemError on a wrong type."""
    if key not in item:
        if required:
            raise ItemError(f"missing key {key!r}")
        return None
    value = item[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ItemError(f"{key!r} should be an integer, got {_type_name(value)} {str(value)[:30]}")
    return value


def get_bool(item: dict[str, Any], key: str, default: bool) -> bool:
    """``item[key]`` as a bool; a present ``null`` (iproute2's print_null) means true."""
    if key not in item:
        return default
    value = item[key]
    if value is None:
        return True
    if not isinstance(value, bool):
        raise ItemError(f"{key!r} should be true/false, got {_type_name(value)} {str(value)[:30]}")
    return value


def get_str_list(item: dict[str, Any], key: str) -> list[str]:
    """``item[key]`` as a list of strings (empty when absent)."""
    if key not in item:
        return []
    value = item[key]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ItemError(f"{key!r} should be a list of strings, got {_type_name(value)} {str(value)[:30]}")
    return list(value)


def get_object(item: dict[str, Any], key: str) -> dict[str, Any] | None:
    """``item[key]`` as an object (None when absent)."""
    if key not in item:
        return None
    value = item[key]
    if not isinstance(value, dict):
        raise ItemError(f"{key!r} should be an object, got {_type_name(value)}")
    return value


def parse_items(data: Any, build: Callable[[dict[str, Any]], T], *, expected: str
                ) -> tuple[list[T], list[ParseWarning]]:
    """Apply ``build`` to each object of a JSON array; bad objects become warnings.

    ``ParseWarning.line`` is the 1-based position of the object in the array.
    Raises ItemError when ``data`` is not an array at all.
    """
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise ItemError(f"expected a JSON array of objects ({expected}), got {_type_name(data)}")
    entries: list[T] = []
    warnings: list[ParseWarning] = []
    for position, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            warnings.append(ParseWarning(position, f"item {position} is {_type_name(item)}, not an object"))
            continue
        try:
            entries.append(build(item))
        except ItemError as exc:
            warnings.append(ParseWarning(position, f"item {position}: {exc}"))
    return entries, warnings
