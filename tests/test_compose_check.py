"""`make compose-check`: the deployment holds together, and each kind of mistake in it is caught,
named by the service (or file) it is in.

Each mistake is made in a copy of the real docker-compose.yml (or Dockerfile, env file); the test
asserts the problem the mistake introduces, so unrelated work in progress elsewhere in the tree
cannot make these pass or fail.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pydantic import Field

from deploy.check import ROOT, Project, Truth, check, load_project
from infra.settings import Settings

Services = dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def project() -> Project:
    return load_project()


@pytest.fixture(scope="module")
def truth() -> Truth:
    return Truth.of_project()


def introduced(project: Project, truth: Truth, changed: Project) -> list[str]:
    """The problems `changed` has that the committed deployment has not."""
    before = {str(p) for p in check(project, truth)}
    return [str(p) for p in check(changed, truth) if str(p) not in before]


def with_services(project: Project, change: Callable[[Services], None]) -> Project:
    compose = copy.deepcopy(project.compose)
    change(compose["services"])
    return replace(project, compose=compose)


def with_file(project: Project, path: str, edit: Callable[[str], str]) -> Project:
    return replace(project, files={**project.files, path: edit(project.files[path])})


def test_the_committed_deployment_holds_together(project: Project, truth: Truth) -> None:
    assert [str(p) for p in check(project, truth)] == []


# --- the Compose schema -------------------------------------------------------------------------


def test_a_key_compose_does_not_know_is_named_with_the_likely_one(
    project: Project, truth: Truth
) -> None:
    def typo(services: Services) -> None:
        services["worker"]["restrat"] = services["worker"].pop("restart")

    problems = introduced(project, truth, with_services(project, typo))

    assert "service worker: unknown key restrat (did you mean restart?)" in problems


def test_a_value_of_the_wrong_shape_is_refused(project: Project, truth: Truth) -> None:
    def bad(services: Services) -> None:
        services["api"]["ports"] = "8000:8000"

    problems = introduced(project, truth, with_services(project, bad))

    assert any(
        p.startswith("service api: ports: '8000:8000' is not of type 'array'") for p in problems
    )


# --- environment variables ----------------------------------------------------------------------


def test_an_unknown_waypost_variable_in_a_service_is_named(project: Project, truth: Truth) -> None:
    def typo(services: Services) -> None:
        services["api"]["environment"] = {**services["api"]["environment"], "WAYPOST_API_PROT": "1"}

    problems = introduced(project, truth, with_services(project, typo))

    assert problems == [
        "service api: WAYPOST_API_PROT is not a setting of infra/settings.py "
        "(did you mean WAYPOST_API_PORT?)"
    ]


def test_an_unknown_waypost_variable_in_an_env_file_is_named(
    project: Project, truth: Truth
) -> None:
    changed = with_file(project, "deploy/compose.env", lambda text: text + "WAYPOST_TASKQUEUE=x\n")

    problems = introduced(project, truth, changed)

    assert problems == [
        "deploy/compose.env: WAYPOST_TASKQUEUE is not a setting of infra/settings.py "
        "(did you mean WAYPOST_TASK_QUEUE?)"
    ]


def test_a_settings_alias_counts_as_a_setting(project: Project, truth: Truth) -> None:
    def alias(services: Services) -> None:
        services["api"]["environment"] = {
            **services["api"]["environment"],
            "TWILIO_AUTH_TOKEN": "",
            "WAYPOST_TWILIO_AUTH_TOKEN": "",
        }

    assert introduced(project, truth, with_services(project, alias)) == []


def test_an_env_example_out_of_date_with_the_settings_is_caught(
    project: Project, truth: Truth
) -> None:
    class NewerSettings(Settings):
        brand_new: int = Field(default=3, description="A setting added after the example.")

    problems = [str(p) for p in check(project, replace(truth, settings=NewerSettings))]

    assert (
        "deploy/waypost.env.example: out of date with infra/settings.py: run `make env-example` "
        "and commit it"
    ) in problems


def test_a_setting_without_a_description_is_named(project: Project, truth: Truth) -> None:
    class Undocumented(Settings):
        mystery: int = 3

    problems = [str(p) for p in check(project, replace(truth, settings=Undocumented))]

    assert (
        "infra/settings.py: setting mystery has no description= (the example needs it)" in problems
    )


def test_a_variable_in_the_env_example_that_is_no_setting_is_named(
    project: Project, truth: Truth
) -> None:
    changed = with_file(
        project, "deploy/waypost.env.example", lambda text: text + "# WAYPOST_GONE=1\n"
    )

    problems = introduced(project, truth, changed)

    assert any(
        p.startswith("deploy/waypost.env.example: WAYPOST_GONE is not a setting") for p in problems
    )


# --- images -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "image", "why"),
    [
        ("temporal", "temporalio/server:latest", "is `latest`: pin a version"),
        ("temporal", "temporalio/server", "has no tag, so it is whatever `latest` is that day"),
        ("temporal", "temporalio/server:1.31", "tag '1.31' is not an exact version"),
        ("temporal", "temporalio/server:${TAG}", "uses a variable: pin the version in the file"),
        ("waypost-db", "postgres:16-bookworm", "tag '16-bookworm' is not an exact version"),
    ],
)
def test_an_image_not_pinned_to_a_version_is_refused(
    project: Project, truth: Truth, service: str, image: str, why: str
) -> None:
    def unpin(services: Services) -> None:
        services[service]["image"] = image

    problems = introduced(project, truth, with_services(project, unpin))

    assert len(problems) == 1
    assert problems[0].startswith(f"service {service}: ") and why in problems[0]


def test_the_app_image_carries_the_project_version(project: Project, truth: Truth) -> None:
    problems = introduced(project, truth, replace(project, version="9.9.9"))

    assert (
        "service worker: image waypost:0.1.0 but pyproject.toml's version is 9.9.9: tag the "
        "image with it" in problems
    )


def test_an_unpinned_base_image_in_the_dockerfile_is_refused(
    project: Project, truth: Truth
) -> None:
    changed = with_file(
        project,
        "Dockerfile",
        lambda text: text.replace("python:3.11.16-slim-bookworm", "python:3.11-slim"),
    )

    problems = introduced(project, truth, changed)

    assert problems and all(
        p.startswith("Dockerfile: FROM image python:3.11-slim") for p in problems
    )


# --- commands -----------------------------------------------------------------------------------


def test_a_waypost_service_without_a_command_is_refused(project: Project, truth: Truth) -> None:
    problems = introduced(
        project, truth, with_services(project, lambda s: s["worker"].pop("command"))
    )

    assert problems == [
        "service worker: no command: say which `waypost` command it runs (e.g. worker, api)"
    ]


def test_a_command_waypost_does_not_have_is_named_with_the_likely_one(
    project: Project, truth: Truth
) -> None:
    def typo(services: Services) -> None:
        services["worker"]["command"] = ["wroker"]

    problems = introduced(project, truth, with_services(project, typo))

    assert problems == [
        "service worker: command `waypost wroker`: no such command (did you mean 'worker'?)"
    ]


def test_subcommands_and_options_are_checked_too(project: Project, truth: Truth) -> None:
    def wrong(services: Services) -> None:
        services["migrate"]["command"] = ["db", "upgrade", "--fast"]

    problems = introduced(project, truth, with_services(project, wrong))

    assert problems == [
        "service migrate: command `waypost db upgrade --fast`: No such option: --fast"
    ]


def test_a_health_check_running_a_missing_waypost_command_is_named(
    project: Project, truth: Truth
) -> None:
    def wrong(services: Services) -> None:
        services["api"]["healthcheck"] = {
            **services["api"]["healthcheck"],
            "test": ["CMD", "waypost", "healthcheck", "http", "http://127.0.0.1:8000/healthz"],
        }

    problems = introduced(project, truth, with_services(project, wrong))

    assert problems == ["service api: healthcheck `waypost healthcheck http`: no such command"]


# --- health checks and start order --------------------------------------------------------------


def test_a_long_running_service_without_a_healthcheck_is_refused(
    project: Project, truth: Truth
) -> None:
    problems = introduced(
        project, truth, with_services(project, lambda s: s["codec-server"].pop("healthcheck"))
    )

    assert problems == [
        "service codec-server: long-running service without a healthcheck: nothing can tell when "
        "it is ready (or stuck), and `condition: service_healthy` on it never holds"
    ]


def test_a_service_must_say_whether_it_stays_up_or_runs_once(
    project: Project, truth: Truth
) -> None:
    problems = introduced(project, truth, with_services(project, lambda s: s["api"].pop("restart")))

    assert problems == [
        "service api: no restart policy: `unless-stopped` for a long-running service, "
        "`on-failure` for a one-off job (the checks and start order depend on which it is)"
    ]


def test_depending_on_a_service_that_does_not_exist_is_refused(
    project: Project, truth: Truth
) -> None:
    def typo(services: Services) -> None:
        services["temporal-ui"]["depends_on"] = {"temporl": {"condition": "service_healthy"}}

    problems = introduced(project, truth, with_services(project, typo))

    assert problems == [
        "service temporal-ui: depends on 'temporl', not a service (did you mean 'temporal'?)"
    ]


@pytest.mark.parametrize(
    ("target", "condition", "wanted"),
    [
        (
            "temporal",
            "service_started",
            "temporal is a long-running service, so wait with service_healthy",
        ),
        (
            "migrate",
            "service_healthy",
            "migrate is a job service, so wait with service_completed_successfully",
        ),
    ],
)
def test_a_depends_on_condition_its_target_cannot_promise_is_refused(
    project: Project, truth: Truth, target: str, condition: str, wanted: str
) -> None:
    def wrong(services: Services) -> None:
        services["api"]["depends_on"] = {
            **services["api"]["depends_on"],
            target: {"condition": condition},
        }

    problems = introduced(project, truth, with_services(project, wrong))

    assert problems == [f"service api: depends on {target} with condition {condition}: {wanted}"]


def test_depends_on_without_conditions_is_refused(project: Project, truth: Truth) -> None:
    def bare(services: Services) -> None:
        services["temporal-ui"]["depends_on"] = ["temporal"]

    problems = introduced(project, truth, with_services(project, bare))

    assert problems[0].startswith(
        "service temporal-ui: depends_on as a list only waits for the containers to start"
    )


def test_a_start_order_cycle_is_refused(project: Project, truth: Truth) -> None:
    def cycle(services: Services) -> None:
        services["waypost-db"]["depends_on"] = {
            "migrate": {"condition": "service_completed_successfully"}
        }

    problems = introduced(project, truth, with_services(project, cycle))

    assert "service waypost-db: depends_on cycle: waypost-db -> migrate -> waypost-db" in problems


# --- scaling ------------------------------------------------------------------------------------


def test_a_worker_with_a_container_name_cannot_scale(project: Project, truth: Truth) -> None:
    def named(services: Services) -> None:
        services["worker"]["container_name"] = "waypost-worker"

    problems = introduced(project, truth, with_services(project, named))

    assert problems == [
        "service worker: container_name stops `--scale` (a container name is unique)"
    ]


def test_a_worker_publishing_a_host_port_cannot_scale(project: Project, truth: Truth) -> None:
    def published(services: Services) -> None:
        services["worker"]["ports"] = ["9464:9464"]

    problems = introduced(project, truth, with_services(project, published))

    assert problems == [
        "service worker: publishes host port 9464: a second replica could not bind it"
    ]


# --- Temporal: search attributes, namespace, codec server ---------------------------------------


def _setup_script(services: Services) -> str:
    return str(services["temporal-setup"]["command"][0])


def test_a_search_attribute_missing_from_the_setup_job_is_named(
    project: Project, truth: Truth
) -> None:
    def drop(services: Services) -> None:
        script = _setup_script(services).replace("register --name OrderId --type Keyword\n", "")
        services["temporal-setup"]["command"] = [script]

    problems = introduced(project, truth, with_services(project, drop))

    assert problems == [
        "service temporal-setup: search attribute OrderId (Keyword) is not registered"
    ]


def test_a_search_attribute_registered_with_another_type_is_named(
    project: Project, truth: Truth
) -> None:
    def retype(services: Services) -> None:
        script = _setup_script(services).replace(
            "--name Carrier --type Keyword", "--name Carrier --type Text"
        )
        services["temporal-setup"]["command"] = [script]

    problems = introduced(project, truth, with_services(project, retype))

    assert problems == [
        "service temporal-setup: search attribute Carrier is registered as Text, but "
        "infra/search_attributes.py says Keyword"
    ]


def test_a_search_attribute_the_code_does_not_know_is_named(project: Project, truth: Truth) -> None:
    def extra(services: Services) -> None:
        script = _setup_script(services) + "register --name Colour --type Keyword\n"
        services["temporal-setup"]["command"] = [script]

    problems = introduced(project, truth, with_services(project, extra))

    assert problems == [
        "service temporal-setup: search attribute Colour is registered but not in "
        "infra/search_attributes.py"
    ]


def test_the_setup_job_creates_the_namespace_waypost_uses(project: Project, truth: Truth) -> None:
    def other(services: Services) -> None:
        services["temporal-setup"]["environment"] = {
            **services["temporal-setup"]["environment"],
            "TEMPORAL_NAMESPACE": "shipments",
        }

    problems = introduced(project, truth, with_services(project, other))

    assert "service worker: uses namespace 'default', but temporal-setup sets up 'shipments'" in (
        problems
    )


def test_the_ui_must_point_at_the_codec_servers_published_port(
    project: Project, truth: Truth
) -> None:
    def moved(services: Services) -> None:
        services["codec-server"]["ports"] = ["8888:8081"]

    problems = introduced(project, truth, with_services(project, moved))

    assert problems == [
        "service temporal-ui: TEMPORAL_CODEC_ENDPOINT http://localhost:8081: no `waypost "
        "codec-server` service publishes port 8081"
    ]


def test_the_codec_server_must_allow_the_uis_origin(project: Project, truth: Truth) -> None:
    def closed(services: Services) -> None:
        env = dict(services["codec-server"]["environment"])
        env["WAYPOST_CODEC_SERVER_ORIGINS"] = '["https://cloud.temporal.io"]'
        services["codec-server"]["environment"] = env

    problems = introduced(project, truth, with_services(project, closed))

    assert problems == [
        "service codec-server: WAYPOST_CODEC_SERVER_ORIGINS must list the UI's origin "
        "http://localhost:8080 (a JSON list), or the browser may not call it"
    ]


# --- the command ------------------------------------------------------------------------------


def test_make_compose_check_exits_non_zero_naming_each_problem(tmp_path: Path) -> None:
    for name in ("docker-compose.yml", "Dockerfile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "deploy", tmp_path / "deploy", ignore=shutil.ignore_patterns("*.py*"))
    compose = tmp_path / "docker-compose.yml"
    compose.write_text(
        compose.read_text().replace("image: temporalio/ui:2.49.1", "image: temporalio/ui:latest")
    )

    done = subprocess.run(
        [sys.executable, "-m", "deploy.check", "--root", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 1
    assert "service temporal-ui: image temporalio/ui:latest is `latest`: pin a version" in (
        done.stderr
    )
