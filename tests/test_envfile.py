"""The env file example is rendered from the Settings model: every setting, its description, type
and default, and never a secret's value."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from deploy.envfile import HEADER, render, setting_names
from infra.settings import Settings


class Sample(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_")

    port: int = Field(default=8000, ge=1, le=65535, description="Port the service listens on.")
    token: SecretStr = Field(default=SecretStr("s3cret"), description="Token callers present.")
    url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("APP_URL", "URL"),
        description="Where it is reached.",
    )
    origins: list[str] = Field(
        default_factory=lambda: ["http://localhost"], description="Allowed origins."
    )


def test_each_setting_is_described_with_its_type_and_default_commented_out() -> None:
    assert render(Sample) == HEADER.rstrip("\n") + "\n" + (
        "\n"
        "# Port the service listens on.\n"
        "# (integer; >= 1; <= 65535)\n"
        "# APP_PORT=8000\n"
        "\n"
        "# Token callers present.\n"
        "# (text; secret)\n"
        "# APP_TOKEN=\n"
        "\n"
        "# Where it is reached.\n"
        "# (text; also read as URL)\n"
        "# APP_URL=\n"
        "\n"
        "# Allowed origins.\n"
        "# (JSON list)\n"
        '# APP_ORIGINS=["http://localhost"]\n'
    )


def test_a_secret_s_default_never_reaches_the_example() -> None:
    assert "s3cret" not in render(Sample)


def test_every_setting_of_waypost_is_in_the_example_under_the_name_it_is_read_from() -> None:
    text = render(Settings)

    for name in Settings.model_fields:
        assert f"# WAYPOST_{name.upper()}=" in text


def test_aliases_are_names_of_the_setting_they_set() -> None:
    names = setting_names(Settings)

    assert names["DATABASE_URL"] == names["WAYPOST_DATABASE_URL"] == "database_url"
    assert names["WAYPOST_TASK_QUEUE"] == "task_queue"
