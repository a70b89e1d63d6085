"""The env file example, generated from the Settings model so it never drifts from it.

`python -m deploy.envfile` (`make env-example`) rewrites deploy/waypost.env.example;
`make compose-check` fails while the file differs from what this module renders.
"""

from __future__ import annotations

import json
import sys
import textwrap
import types
import typing
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any, Union

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from pydantic import AliasChoices, SecretBytes, SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings

from infra.settings import Settings

EXAMPLE = Path(__file__).resolve().parent / "waypost.env.example"
WIDTH = 99

HEADER = """\
# Every Waypost setting, with its description and default. Generated from infra/settings.py by
# `make env-example` (python -m deploy.envfile): edit the Settings model, not this file;
# `make compose-check` fails while this file is out of date.
#
# Settings are environment variables (names are case-insensitive). A line left commented out keeps
# the default shown; secrets have none here and are never committed.
#
# docker compose: copy this file to deploy/waypost.env and uncomment what you set. It is read after
# deploy/compose.env (which wires the stack: Temporal's address, the ledger's database), so a value
# here wins. The stack needs at least WAYPOST_PAYLOAD_KEYS (`waypost codec keygen` makes one) and
# WAYPOST_CODEC_SERVER_TOKEN (the codec server listens beyond loopback).
"""


def env_names(name: str, field: FieldInfo, prefix: str) -> list[str]:
    """The variables a setting is read from: its aliases when it has any, else prefix + name."""
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return [choice for choice in alias.choices if isinstance(choice, str)]
    if isinstance(alias, str):
        return [alias]
    return [f"{prefix}{name}".upper()]


def setting_names(settings: type[BaseSettings]) -> dict[str, str]:
    """Every variable name (upper case) that sets something, mapped to the setting's field."""
    prefix = str(settings.model_config.get("env_prefix", ""))
    return {
        env.upper(): name
        for name, field in settings.model_fields.items()
        for env in env_names(name, field, prefix)
    }


def _parts(annotation: Any) -> Iterator[Any]:
    """The annotation and every type nested in it (unions, generics)."""
    yield annotation
    for arg in typing.get_args(annotation):
        yield from _parts(arg)


def is_secret(field: FieldInfo) -> bool:
    return any(part in (SecretStr, SecretBytes) for part in _parts(field.annotation))


def _type_label(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        labels = [_type_label(arg) for arg in typing.get_args(annotation) if arg is not type(None)]
        return " or ".join(labels)
    if origin is dict:
        return "JSON object"
    if origin in (list, set, tuple, frozenset):
        return "JSON list"
    if origin is typing.Literal:
        return "one of " + ", ".join(str(a) for a in typing.get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "one of " + ", ".join(str(m.value) for m in annotation)
    names: dict[Any, str] = {
        str: "text",
        int: "integer",
        float: "number",
        bool: "true or false",
        Path: "path",
        SecretStr: "text",
        SecretBytes: "text",
    }
    return names.get(annotation) or str(getattr(annotation, "__name__", annotation))


def _constraints(field: FieldInfo) -> list[str]:
    found: list[str] = []
    for item in field.metadata:
        if isinstance(item, Ge):
            found.append(f">= {item.ge}")
        elif isinstance(item, Gt):
            found.append(f"> {item.gt}")
        elif isinstance(item, Le):
            found.append(f"<= {item.le}")
        elif isinstance(item, Lt):
            found.append(f"< {item.lt}")
        elif isinstance(item, MinLen):
            found.append(f"at least {item.min_length} long")
        elif isinstance(item, MaxLen):
            found.append(f"at most {item.max_length} long")
        elif getattr(item, "pattern", None):
            found.append(f"matching {item.pattern}")
    return found


def default_text(field: FieldInfo) -> str:
    """The default as it would be written in the environment; secrets and None are blank."""
    if is_secret(field):
        return ""
    value = field.get_default(call_default_factory=True)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dict | list | tuple | set):
        return json.dumps(sorted(value) if isinstance(value, set) else value)
    return str(value)


def _comment(text: str) -> list[str]:
    return textwrap.wrap(text, WIDTH - 2, initial_indent="# ", subsequent_indent="# ") or ["#"]


def render(settings: type[BaseSettings] = Settings) -> str:
    """The whole example file: per setting, its description, type and the line to uncomment."""
    prefix = str(settings.model_config.get("env_prefix", ""))
    lines = [HEADER.rstrip("\n")]
    for name, field in settings.model_fields.items():
        names = env_names(name, field, prefix)
        lines.append("")
        lines += _comment(field.description or "(no description)")
        facts = [_type_label(field.annotation), *_constraints(field)]
        if is_secret(field):
            facts.append("secret")
        if len(names) > 1:
            facts.append("also read as " + ", ".join(names[1:]))
        lines += _comment("(" + "; ".join(facts) + ")")
        lines.append(f"# {names[0]}={default_text(field)}")
    return "\n".join(lines) + "\n"


def undocumented(settings: type[BaseSettings] = Settings) -> list[str]:
    """Settings without a description: the example cannot tell anyone what they do."""
    return [name for name, field in settings.model_fields.items() if not field.description]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = render()
    if args == ["--check"]:
        current = EXAMPLE.read_text(encoding="utf-8") if EXAMPLE.exists() else ""
        if current != text:
            print(f"{EXAMPLE.name} is out of date: run `make env-example`", file=sys.stderr)
            return 1
        return 0
    EXAMPLE.write_text(text, encoding="utf-8")
    print(f"wrote {EXAMPLE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
