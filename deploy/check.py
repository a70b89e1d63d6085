"""`make compose-check` (python -m deploy.check): docker-compose.yml checked without Docker.

There is no Docker engine where the tests run, so the deployment is checked as text, against what
it must agree with: the Compose Specification's schema (deploy/schema/), the `waypost` command
(the typer app: every command a service or health check runs must exist, options included), the
Settings model (every WAYPOST_* variable must be a setting, the env file example must be what
deploy/envfile.py renders), and infra/search_attributes.py (what the setup job registers). It
also holds the stack's own rules: long-running services have health checks, start order waits
on them (or on a job's success), images are pinned, a worker can be scaled.

Each check is a pure function over the parsed files and returns problems naming where they are.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import shlex
import sys
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import typer
import typer.main
import yaml
from jsonschema import Draft7Validator
from jsonschema.exceptions import best_match
from pydantic_settings import BaseSettings
from temporalio.common import SearchAttributeKey

from deploy import envfile

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = "docker-compose.yml"
SCHEMA_FILE = "deploy/schema/compose-spec.json"
EXAMPLE_FILE = "deploy/waypost.env.example"

APP_IMAGE = "waypost"
"""The repository name of the image the Dockerfile builds; its services run `waypost ...`."""
LONG_RUNNING = ("always", "unless-stopped")
"""Restart policies of services that stay up; a one-off job restarts `on-failure` or `no`."""
TWO_PART_VERSIONS = ("postgres",)
"""Images whose releases are numbered major.minor (PostgreSQL since 10): 16.15 is exact; for the
others (3.11 of python, 1.31 of Temporal) a third part is."""
SHELL_OPERATORS = {";", "&&", "||", "|", "&"}
ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=")
COMMENTED_ENV_LINE = re.compile(r"^\s*#\s*([A-Za-z_][A-Za-z0-9_]*)=")
SEARCH_ATTRIBUTE = re.compile(r"--name[\s=]+[\"']?([\w.-]+)[\"']?\s+--type[\s=]+[\"']?(\w+)")


@dataclass(frozen=True)
class Problem:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass(frozen=True)
class Project:
    """The files the checks read, parsed: what a test mutates to prove a check catches a mistake."""

    compose: dict[str, Any]
    schema: dict[str, Any]
    version: str
    files: dict[str, str] = field(default_factory=dict)
    """Other files by path from the repository root: env files, their examples, Dockerfiles."""


@dataclass(frozen=True)
class Truth:
    """What the deployment must agree with; the real project's by default."""

    cli: Any
    settings: type[BaseSettings]
    search_attributes: Mapping[str, str]

    @classmethod
    def of_project(cls) -> Truth:
        from infra import search_attributes
        from infra.settings import Settings
        from starters.cli import app

        return cls(
            cli=typer.main.get_command(app),
            settings=Settings,
            search_attributes=registered_types(search_attributes.ALL),
        )


def registered_types(keys: Iterable[SearchAttributeKey[Any]]) -> dict[str, str]:
    """Search attribute name to the type name `temporal operator search-attribute create` takes
    (KEYWORD_LIST -> KeywordList)."""
    return {
        key.name: "".join(part.capitalize() for part in key.indexed_value_type.name.split("_"))
        for key in keys
    }


# --- reading ------------------------------------------------------------------------------------


def load_project(root: Path = ROOT) -> Project:
    compose = yaml.safe_load((root / COMPOSE_FILE).read_text(encoding="utf-8"))
    schema = json.loads((root / SCHEMA_FILE).read_text(encoding="utf-8"))
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = {EXAMPLE_FILE}
    for service in _services(compose).values():
        for path, _ in env_files(service):
            wanted |= {path, f"{path}.example"}
        dockerfile = _dockerfile(service)
        if dockerfile:
            wanted.add(dockerfile)
    files = {
        path: (root / path).read_text(encoding="utf-8")
        for path in sorted(wanted)
        if (root / path).is_file()
    }
    return Project(compose, schema, str(pyproject["project"]["version"]), files)


def _services(compose: Any) -> dict[str, dict[str, Any]]:
    services = compose.get("services") if isinstance(compose, dict) else None
    if not isinstance(services, dict):
        return {}
    return {str(name): s for name, s in services.items() if isinstance(s, dict)}


def _dockerfile(service: Mapping[str, Any]) -> str | None:
    build = service.get("build")
    if isinstance(build, str):
        return _join(build, "Dockerfile")
    if isinstance(build, dict):
        return _join(str(build.get("context", ".")), str(build.get("dockerfile", "Dockerfile")))
    return None


def _join(context: str, name: str) -> str:
    return str(Path(context) / name) if context not in ("", ".") else name


def env_files(service: Mapping[str, Any]) -> list[tuple[str, bool]]:
    """(path, required) of each env file, in the order Compose reads them (later ones win)."""
    value = service.get("env_file")
    items = [value] if isinstance(value, str | dict) else value or []
    found: list[tuple[str, bool]] = []
    for item in items:
        if isinstance(item, str):
            found.append((_normal(item), True))
        elif isinstance(item, dict) and isinstance(item.get("path"), str):
            found.append((_normal(item["path"]), bool(item.get("required", True))))
    return found


def _normal(path: str) -> str:
    return str(Path(path))


def env_keys(text: str, *, commented: bool = False) -> list[str]:
    """Variable names set in an env file; `commented` also counts `# NAME=` lines (examples)."""
    keys: list[str] = []
    for line in text.splitlines():
        match = ENV_LINE.match(line) or (COMMENTED_ENV_LINE.match(line) if commented else None)
        if match:
            keys.append(match.group(1))
    return keys


def env_values(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in text.splitlines():
        match = ENV_LINE.match(line)
        if match:
            values[match.group(1)] = line.split("=", 1)[1].strip().strip("'\"")
    return values


def environment(service: Mapping[str, Any]) -> dict[str, str]:
    """A service's `environment:`, whether written as a mapping or a list."""
    value = service.get("environment")
    if isinstance(value, dict):
        return {str(k): "" if v is None else str(v) for k, v in value.items()}
    if isinstance(value, list):
        pairs = (str(item).partition("=") for item in value)
        return {key: val for key, _, val in pairs}
    return {}


def effective_env(service: Mapping[str, Any], files: Mapping[str, str]) -> dict[str, str]:
    """What the container sees: its env files in order, then `environment:` over them."""
    merged: dict[str, str] = {}
    for path, _ in env_files(service):
        merged.update(env_values(files.get(path, "")))
    merged.update(environment(service))
    return merged


def tokens(value: Any) -> list[str]:
    """A command (list or shell string) as its words."""
    if isinstance(value, list):
        return [str(item) for item in value]
    if isinstance(value, str):
        try:
            return shlex.split(value)
        except ValueError:
            return value.split()
    return []


def image_name(service: Mapping[str, Any]) -> tuple[str, str | None]:
    """(repository, tag) of a service's image; the tag is None when there is none."""
    image = str(service.get("image", ""))
    image = image.split("@", 1)[0]
    repository, colon, tag = image.rpartition(":")
    if not colon or "/" in tag:
        return image, None
    return repository, tag


def is_app(service: Mapping[str, Any]) -> bool:
    repository, _ = image_name(service)
    return repository.rpartition("/")[2] == APP_IMAGE


def waypost_args(service: Mapping[str, Any]) -> list[str] | None:
    """The arguments an app service gives `waypost` (the image's entrypoint); None if it gives
    none."""
    args = tokens(service.get("command"))
    entrypoint = tokens(service.get("entrypoint"))
    if entrypoint[:1] == ["waypost"]:
        args = entrypoint[1:] + args
    return args or None


def runs(service: Mapping[str, Any], *command: str) -> bool:
    """Whether an app service runs `waypost <command>`."""
    args = waypost_args(service) if is_app(service) else None
    return args is not None and args[: len(command)] == list(command)


def kind(service: Mapping[str, Any]) -> str | None:
    """'long-running', 'job', or None when its restart policy does not say."""
    restart = str(service.get("restart", ""))
    if restart in LONG_RUNNING:
        return "long-running"
    if restart == "no" or restart.startswith("on-failure"):
        return "job"
    return None


# --- checks -------------------------------------------------------------------------------------


def schema_problems(compose: Any, schema: Mapping[str, Any]) -> list[Problem]:
    """Against the Compose Specification: unknown keys, wrong types, malformed values."""
    problems: list[Problem] = []
    errors = sorted(Draft7Validator(schema).iter_errors(compose), key=lambda e: list(e.path))
    for error in errors:
        path = [str(p) for p in error.path]
        if len(path) >= 2 and path[0] == "services":
            where, rest = f"service {path[1]}", path[2:]
        else:
            where, rest = COMPOSE_FILE, path
        message = _unknown_keys(error) or error.message
        if error.context:
            message += f" ({best_match(error.context).message})"
        at = ".".join(rest)
        problems.append(Problem(where, f"{at}: {message}" if at else message))
    return problems


def _unknown_keys(error: Any) -> str | None:
    """'unknown key restrat (did you mean restart?)' instead of jsonschema's regex talk."""
    if error.validator != "additionalProperties" or not isinstance(error.instance, dict):
        return None
    known = list(error.schema.get("properties", {}))
    patterns = list(error.schema.get("patternProperties", {}))
    unknown = [
        str(key)
        for key in error.instance
        if key not in known and not any(re.search(p, str(key)) for p in patterns)
    ]
    if not unknown:
        return None
    hints = []
    for key in unknown:
        close = difflib.get_close_matches(key, known, n=1)
        hints.append(f"{key} (did you mean {close[0]}?)" if close else key)
    return "unknown key " + ", ".join(hints)


def pinning_problem(image: str) -> str | None:
    """Why an image reference is not pinned to a version, if it is not."""
    if "$" in image:
        return f"image {image} uses a variable: pin the version in the file"
    if "@sha256:" in image:
        return None
    tag = image_name({"image": image})[1]
    if tag is None:
        return f"image {image} has no tag, so it is whatever `latest` is that day: pin a version"
    if tag == "latest":
        return f"image {image} is `latest`: pin a version"
    repository = image_name({"image": image})[0].rpartition("/")[2]
    exact = r"\d+\.\d+" if repository in TWO_PART_VERSIONS else r"\d+\.\d+\.\d+"
    if not re.search(exact, tag):
        return f"image {image}: tag {tag!r} is not an exact version (e.g. 1.31.0, 16.15-bookworm)"
    return None


def image_problems(name: str, service: Mapping[str, Any], version: str) -> list[Problem]:
    where = f"service {name}"
    if "image" not in service:
        return [Problem(where, "no image: name and pin it (a build alone gets a random name)")]
    image = str(service["image"])
    problem = pinning_problem(image)
    if problem:
        return [Problem(where, problem)]
    _, tag = image_name(service)
    if is_app(service) and tag != version:
        return [
            Problem(
                where,
                f"image {image} but pyproject.toml's version is {version}: tag the image with it",
            )
        ]
    return []


def cli_problem(cli: Any, args: Sequence[str]) -> str | None:
    """Why `waypost <args>` is not a command the typer app would run, if it is not."""
    command, path, rest = cli, ["waypost"], list(args)
    while isinstance(getattr(command, "commands", None), dict):
        names = command.commands
        if not rest or rest[0].startswith("-"):
            return f"`{' '.join(path)}` needs a subcommand: {', '.join(sorted(names))}"
        name = rest.pop(0)
        if name not in names:
            close = difflib.get_close_matches(name, list(names), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            return f"`{' '.join([*path, name])}`: no such command{hint}"
        command, path = names[name], [*path, name]
    try:
        command.make_context(" ".join(path), list(rest))
    except typer.TyperException as err:
        return f"`{' '.join([*path, *rest])}`: {err}"
    return None


def health_args(test: Any) -> list[str] | None:
    """The `waypost` arguments a health check runs, or None if it runs something else."""
    words = tokens(test)
    if words[:1] == ["CMD"]:
        words = words[1:]
    elif words[:1] == ["CMD-SHELL"]:
        words = tokens(" ".join(words[1:]))
    if "waypost" not in words:
        return None
    after = words[words.index("waypost") + 1 :]
    for i, word in enumerate(after):
        if word in SHELL_OPERATORS:
            return after[:i]
    return after


def command_problems(name: str, service: Mapping[str, Any], cli: Any) -> list[Problem]:
    """An app service runs a real `waypost` command, and so does its health check."""
    where = f"service {name}"
    problems: list[Problem] = []
    entrypoint = tokens(service.get("entrypoint"))
    if entrypoint and entrypoint[:1] != ["waypost"]:
        problems.append(Problem(where, f"entrypoint {entrypoint} replaces `waypost`"))
    args = waypost_args(service)
    if args is None:
        problems.append(
            Problem(where, "no command: say which `waypost` command it runs (e.g. worker, api)")
        )
    else:
        problem = cli_problem(cli, args)
        if problem:
            problems.append(Problem(where, f"command {problem}"))
    health = service.get("healthcheck")
    if isinstance(health, dict):
        probe = health_args(health.get("test"))
        problem = cli_problem(cli, probe) if probe is not None else None
        if problem:
            problems.append(Problem(where, f"healthcheck {problem}"))
    return problems


def healthcheck_problems(name: str, service: Mapping[str, Any]) -> list[Problem]:
    where = f"service {name}"
    what = kind(service)
    if what is None:
        return [
            Problem(
                where,
                "no restart policy: `unless-stopped` for a long-running service, `on-failure` "
                "for a one-off job (the checks and start order depend on which it is)",
            )
        ]
    health = service.get("healthcheck")
    disabled = not isinstance(health, dict) or bool(health.get("disable"))
    if not disabled and isinstance(health, dict) and tokens(health.get("test"))[:1] == ["NONE"]:
        disabled = True
    if what == "long-running" and disabled:
        return [
            Problem(
                where,
                "long-running service without a healthcheck: nothing can tell when it is ready "
                "(or stuck), and `condition: service_healthy` on it never holds",
            )
        ]
    return []


def depends_on_problems(services: Mapping[str, Mapping[str, Any]]) -> list[Problem]:
    """Start order: targets exist, and each waits for what its target can promise."""
    problems: list[Problem] = []
    for name, service in services.items():
        where = f"service {name}"
        depends = service.get("depends_on") or {}
        if isinstance(depends, list):
            problems.append(
                Problem(
                    where,
                    "depends_on as a list only waits for the containers to start: give each a "
                    "condition (service_healthy / service_completed_successfully)",
                )
            )
            depends = {str(target): {} for target in depends}
        for target, spec in depends.items():
            if target not in services:
                close = difflib.get_close_matches(str(target), list(services), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                problems.append(Problem(where, f"depends on {target!r}, not a service{hint}"))
                continue
            condition = spec.get("condition") if isinstance(spec, dict) else None
            wanted = {
                "long-running": "service_healthy",
                "job": "service_completed_successfully",
            }.get(kind(services[target]) or "")
            if wanted and condition != wanted:
                problems.append(
                    Problem(
                        where,
                        f"depends on {target} with condition {condition}: {target} is a "
                        f"{kind(services[target])} service, so wait with {wanted}",
                    )
                )
    for cycle in _cycles(services):
        problems.append(Problem(f"service {cycle[0]}", f"depends_on cycle: {' -> '.join(cycle)}"))
    return problems


def _cycles(services: Mapping[str, Mapping[str, Any]]) -> Iterator[list[str]]:
    def targets(name: str) -> list[str]:
        depends = services[name].get("depends_on") or {}
        return [str(t) for t in depends if str(t) in services]

    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> Iterator[list[str]]:
        if name in trail:
            yield [*trail[trail.index(name) :], name]
            return
        if name in done:
            return
        for target in targets(name):
            yield from visit(target, [*trail, name])
        done.add(name)

    for name in services:
        yield from visit(name, [])


def host_ports(service: Mapping[str, Any]) -> list[str]:
    """Host ports a service publishes (a published port cannot be shared by two replicas)."""
    published: list[str] = []
    for port in service.get("ports") or []:
        if isinstance(port, dict):
            if port.get("published") not in (None, ""):
                published.append(str(port["published"]))
            continue
        parts = str(port).split("/")[0].rsplit(":", 2)
        if len(parts) >= 2 and parts[-2]:
            published.append(parts[-2])
    return published


def scaling_problems(name: str, service: Mapping[str, Any]) -> list[Problem]:
    """The worker scales with `docker compose up --scale worker=N`."""
    if not runs(service, "worker"):
        return []
    where = f"service {name}"
    problems: list[Problem] = []
    if "container_name" in service:
        problems.append(
            Problem(where, "container_name stops `--scale` (a container name is unique)")
        )
    for port in host_ports(service):
        problems.append(
            Problem(where, f"publishes host port {port}: a second replica could not bind it")
        )
    return problems


def env_name_problems(
    where: str, keys: Iterable[str], settings: type[BaseSettings]
) -> list[Problem]:
    """Every WAYPOST_* variable is a setting (or a setting's alias)."""
    known = envfile.setting_names(settings)
    delimiter = settings.model_config.get("env_nested_delimiter")
    problems: list[Problem] = []
    for key in keys:
        upper = key.upper()
        if not upper.startswith("WAYPOST_") or upper in known:
            continue
        if delimiter and upper.split(str(delimiter).upper(), 1)[0] in known:
            continue
        close = difflib.get_close_matches(upper, list(known), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        problems.append(Problem(where, f"{key} is not a setting of infra/settings.py{hint}"))
    return problems


def env_problems(
    services: Mapping[str, Mapping[str, Any]],
    files: Mapping[str, str],
    settings: type[BaseSettings],
) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for name, service in services.items():
        problems += env_name_problems(f"service {name}", environment(service), settings)
        for path, required in env_files(service):
            if path in seen:
                continue
            seen.add(path)
            if path in files:
                problems += env_name_problems(path, env_keys(files[path]), settings)
            elif required and f"{path}.example" not in files:
                problems.append(
                    Problem(f"service {name}", f"env file {path} does not exist (nor an example)")
                )
    return problems


def search_attribute_problems(
    services: Mapping[str, Mapping[str, Any]], expected: Mapping[str, str]
) -> list[Problem]:
    """The setup job registers exactly the search attributes of infra/search_attributes.py."""
    registered: dict[str, str] = {}
    where = COMPOSE_FILE
    for name, service in services.items():
        text = " ".join(tokens(service.get("entrypoint")) + tokens(service.get("command")))
        if "search-attribute create" in text:
            where = f"service {name}"
            registered.update(SEARCH_ATTRIBUTE.findall(text))
    wanted = ", ".join(f"{n}={t}" for n, t in expected.items())
    if not registered:
        return [
            Problem(
                where,
                "no service registers the search attributes (`temporal operator "
                f"search-attribute create --name N --type T`); infra/search_attributes.py has "
                f"{wanted}",
            )
        ]
    problems: list[Problem] = []
    for attribute, type_ in expected.items():
        if attribute not in registered:
            problems.append(
                Problem(where, f"search attribute {attribute} ({type_}) is not registered")
            )
        elif registered[attribute] != type_:
            problems.append(
                Problem(
                    where,
                    f"search attribute {attribute} is registered as {registered[attribute]}, "
                    f"but infra/search_attributes.py says {type_}",
                )
            )
    for attribute in registered.keys() - expected.keys():
        problems.append(
            Problem(
                where,
                f"search attribute {attribute} is registered but not in infra/search_attributes.py",
            )
        )
    return problems


def namespace_problems(
    services: Mapping[str, Mapping[str, Any]],
    files: Mapping[str, str],
    settings: type[BaseSettings],
) -> list[Problem]:
    """The namespace the setup job creates is the one Waypost's processes use."""
    created = {
        name: environment(s)["TEMPORAL_NAMESPACE"]
        for name, s in services.items()
        if "TEMPORAL_NAMESPACE" in environment(s)
    }
    default = str(settings.model_fields["temporal_namespace"].default)
    problems: list[Problem] = []
    for name, service in services.items():
        if not is_app(service):
            continue
        used = effective_env(service, files).get("WAYPOST_TEMPORAL_NAMESPACE", default)
        for setup, namespace in created.items():
            if namespace != used:
                problems.append(
                    Problem(
                        f"service {name}",
                        f"uses namespace {used!r}, but {setup} sets up {namespace!r}",
                    )
                )
    return problems


def codec_problems(
    services: Mapping[str, Mapping[str, Any]], files: Mapping[str, str]
) -> list[Problem]:
    """The Temporal UI points at the codec server's published port, and the codec server lets
    the UI's origin call it."""
    codecs = {n: s for n, s in services.items() if runs(s, "codec-server")}
    uis = {n: s for n, s in services.items() if image_name(s)[0].endswith("temporalio/ui")}
    problems: list[Problem] = []
    for ui_name, ui in uis.items():
        where = f"service {ui_name}"
        endpoint = environment(ui).get("TEMPORAL_CODEC_ENDPOINT")
        if not endpoint:
            if codecs:
                problems.append(
                    Problem(where, "TEMPORAL_CODEC_ENDPOINT is not set: the UI cannot decode")
                )
            continue
        port = str(urlsplit(endpoint).port or "")
        serving = [n for n, s in codecs.items() if port in host_ports(s)]
        if not serving:
            problems.append(
                Problem(
                    where,
                    f"TEMPORAL_CODEC_ENDPOINT {endpoint}: no `waypost codec-server` service "
                    f"publishes port {port or '(none)'}",
                )
            )
            continue
        for ui_port in host_ports(ui):
            origin = f"http://localhost:{ui_port}"
            for codec_name in serving:
                raw = effective_env(codecs[codec_name], files).get("WAYPOST_CODEC_SERVER_ORIGINS")
                try:
                    origins = json.loads(raw) if raw else []
                except json.JSONDecodeError:
                    origins = None
                if not isinstance(origins, list) or origin not in origins:
                    problems.append(
                        Problem(
                            f"service {codec_name}",
                            f"WAYPOST_CODEC_SERVER_ORIGINS must list the UI's origin {origin} "
                            "(a JSON list), or the browser may not call it",
                        )
                    )
    return problems


def dockerfile_problems(path: str, text: str, settings: type[BaseSettings]) -> list[Problem]:
    """Base images pinned, `waypost` as the entrypoint, ENV names real settings."""
    lines = re.sub(r"\\\n", " ", text).splitlines()
    stages: set[str] = set()
    problems: list[Problem] = []
    entrypoint: list[str] = []
    env: list[str] = []
    for line in (raw.strip() for raw in lines):
        instruction, _, rest = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "FROM":
            words = rest.split()
            words = [w for w in words if not w.startswith("--")]
            if words and words[0] not in stages:
                problem = pinning_problem(words[0])
                if problem:
                    problems.append(Problem(path, f"FROM {problem}"))
            if len(words) >= 3 and words[1].upper() == "AS":
                stages.add(words[2])
        elif instruction == "ENTRYPOINT":
            try:
                entrypoint = [str(w) for w in json.loads(rest)]
            except (json.JSONDecodeError, TypeError):
                entrypoint = rest.split()
        elif instruction == "ENV":
            env += re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=", rest) or rest.split()[:1]
    if entrypoint != ["waypost"]:
        problems.append(
            Problem(path, f'ENTRYPOINT is {entrypoint or "not set"}; compose runs ["waypost"]')
        )
    return problems + env_name_problems(path, env, settings)


def example_problems(text: str | None, settings: type[BaseSettings]) -> list[Problem]:
    """The env file example documents every setting, and is what envfile renders today."""
    problems = [
        Problem("infra/settings.py", f"setting {name} has no description= (the example needs it)")
        for name in envfile.undocumented(settings)
    ]
    if text is None:
        return [*problems, Problem(EXAMPLE_FILE, "missing: run `make env-example`")]
    problems += env_name_problems(EXAMPLE_FILE, env_keys(text, commented=True), settings)
    if text != envfile.render(settings):
        problems.append(
            Problem(
                EXAMPLE_FILE,
                "out of date with infra/settings.py: run `make env-example` and commit it",
            )
        )
    return problems


def check(project: Project, truth: Truth) -> list[Problem]:
    """Every problem of the deployment; an empty list means it holds together."""
    problems = schema_problems(project.compose, project.schema)
    services = _services(project.compose)
    if not services:
        return [*problems, Problem(COMPOSE_FILE, "no services")]
    for name, service in services.items():
        problems += image_problems(name, service, project.version)
        problems += healthcheck_problems(name, service)
        if is_app(service):
            problems += command_problems(name, service, truth.cli)
        problems += scaling_problems(name, service)
    problems += depends_on_problems(services)
    problems += env_problems(services, project.files, truth.settings)
    problems += search_attribute_problems(services, truth.search_attributes)
    problems += namespace_problems(services, project.files, truth.settings)
    problems += codec_problems(services, project.files)
    dockerfiles = {d for s in services.values() if (d := _dockerfile(s))}
    for path in sorted(dockerfiles):
        if path not in project.files:
            problems.append(Problem(path, "missing (a service builds from it)"))
        else:
            problems += dockerfile_problems(path, project.files[path], truth.settings)
    problems += example_problems(project.files.get(EXAMPLE_FILE), truth.settings)
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository to check")
    root: Path = parser.parse_args(argv).root
    project = load_project(root)
    problems = check(project, Truth.of_project())
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"compose-check: {len(problems)} problem(s) in the deployment", file=sys.stderr)
        return 1
    services = len(_services(project.compose))
    print(f"compose-check: {COMPOSE_FILE} holds together ({services} services)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
