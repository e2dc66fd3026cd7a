"""The typed ``blueGreen`` config: one service's entry parsed by the config model, refused by the loader
with errors that name the file, the full key, the value and the fix, and turned into the component's
`BlueGreenSettings`."""

from __future__ import annotations

import json

import pytest

from components.blue_green import BlueGreenSettings, Color, ColorSettings
from stacks.environment.config import BlueGreenServiceConfig, ConfigError, PlatformConfig, load_config
from stacks.environment.profiles import deep_merge

NS = "streaming-platform"
SRC = "Pulumi.prod.yaml"
DIGEST = "123456789012.dkr.ecr.us-east-1.amazonaws.com/catalog@sha256:" + "a" * 64


def load(entries: object) -> PlatformConfig:
    """GIVEN ``streaming-platform:blueGreen`` set to ``entries`` in Pulumi.prod.yaml WHEN the stack loads it."""
    values = {f"{NS}:blueGreen": json.dumps(entries), f"{NS}:alarms": '{"email": "oncall@example.com"}'}
    return load_config(values, env="prod", source=SRC)


def parse(value: object) -> BlueGreenSettings:
    """The component settings of ``blueGreen.catalog = value``."""
    return load({"catalog": value}).blue_green_settings("catalog")


def test_a_full_entry_parses_into_typed_settings() -> None:
    # GIVEN the documented shape WHEN loaded THEN every field is typed, in the model and in the settings
    value = {
        "activeColor": "green",
        "weights": {"blue": 0, "green": 100},
        "blue": {"image": DIGEST, "desiredCount": 0},
        "green": {"image": "", "desiredCount": 3},
        "testHeader": "X-Color",
    }
    entry = load({"catalog": value}).blue_green["catalog"]
    assert isinstance(entry, BlueGreenServiceConfig)
    assert (entry.active_color, entry.weights.blue, entry.weights.green) == ("green", 0, 100)
    assert (entry.blue.image, entry.blue.desired_count, entry.green.desired_count) == (DIGEST, 0, 3)

    settings = parse(value)
    assert settings.active_color is Color.GREEN
    assert settings.weights == {Color.BLUE: 0, Color.GREEN: 100}
    assert settings.blue == ColorSettings(image=DIGEST, desired_count=0)
    assert settings.green == ColorSettings(image="", desired_count=3)
    assert settings.test_header == "X-Color"


def test_an_empty_entry_means_blue_active_with_one_task_and_green_idle_at_zero() -> None:
    settings = parse({})
    assert settings.active_color is Color.BLUE
    assert settings.weights == {Color.BLUE: 100, Color.GREEN: 0}
    assert (settings.blue.desired_count, settings.green.desired_count) == (1, 0)
    assert (settings.blue.image, settings.green.image) == ("", "")
    assert settings.test_header == "X-Deployment-Color"


def test_the_defaults_follow_the_active_colour() -> None:
    # GIVEN only activeColor: green THEN green takes 100% and runs 1 task, blue is idle at 0
    settings = parse({"activeColor": "green"})
    assert settings.weights == {Color.BLUE: 0, Color.GREEN: 100}
    assert (settings.blue.desired_count, settings.green.desired_count) == (0, 1)


def test_mid_shift_weights_are_accepted() -> None:
    settings = parse({"activeColor": "blue", "weights": {"blue": 90, "green": 10}, "green": {"desiredCount": 2}})
    assert settings.weights[Color.GREEN] == 10


def test_an_empty_test_header_disables_the_test_rules() -> None:
    assert parse({"testHeader": ""}).test_header is None
    assert parse({"testHeader": None}).test_header is None


def test_a_null_image_means_the_stacks_own_image() -> None:
    assert parse({"blue": {"image": None, "desiredCount": 1}}).blue.image == ""


def test_no_entry_means_no_blue_green_service() -> None:
    config = load({})
    assert config.blue_green == {}
    with pytest.raises(KeyError, match="has no entry 'catalog'"):
        config.blue_green_settings("catalog")


def test_both_services_can_run_blue_green() -> None:
    config = load({"catalog": {}, "accounts": {"activeColor": "green"}})
    assert config.blue_green_settings("accounts").active_color is Color.GREEN
    assert config.blue_green_settings("catalog").active_color is Color.BLUE


def test_a_stacks_blue_green_replaces_the_profiles_instead_of_merging_into_it() -> None:
    # GIVEN a profile with a catalog entry WHEN a stack file names only accounts THEN catalog is gone
    merged = deep_merge({"blueGreen": {"catalog": {"activeColor": "blue"}}}, {"blueGreen": {"accounts": {}}})
    assert merged["blueGreen"] == {"accounts": {}}


KEY = r"Pulumi\.prod\.yaml: streaming-platform:blueGreen\.catalog"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            [],
            KEY + r" = \[\]: has the wrong type: it must be a mapping with the keys "
            r"activeColor, weights, blue, green, testHeader$",
        ),
        (
            {"colour": "blue"},
            KEY + r"\.colour = \"blue\": is not a known key; known keys here: "
            r"activeColor, weights, blue, green, testHeader$",
        ),
        ({"activeColor": "red"}, KEY + r"\.activeColor = \"red\": must be 'blue' or 'green'$"),
        (
            {"weights": {"blue": 100}},
            KEY + r"\.weights = \{\"blue\": 100\}: must name exactly blue and green, e\.g\. \{blue: 100, green: 0\}$",
        ),
        (
            {"weights": {"blue": 60, "green": 30}, "green": {"desiredCount": 1}},
            KEY + r"\.weights = \{\"blue\": 60, \"green\": 30\}: sums to 90; weights are percentages and must sum "
            r"to 100, e\.g\. \{blue: 60, green: 40\}$",
        ),
        (
            {"weights": {"blue": 100.0, "green": 0}},
            KEY + r"\.weights\.blue = 100\.0: has the wrong type: it must be a valid integer$",
        ),
        (
            {"weights": {"blue": True, "green": 0}},
            KEY + r"\.weights\.blue = true: has the wrong type: it must be a valid integer$",
        ),
        (
            {"weights": {"blue": 120, "green": -20}},
            KEY + r"\.weights\.blue = 120: must be less than or equal to 100 \(and 1 more problem\(s\)\)$",
        ),
        (
            {"activeColor": "blue", "weights": {"blue": 0, "green": 100}, "green": {"desiredCount": 1}},
            KEY + r"\.activeColor = \"blue\": contradicts weights \(green takes 100%\); set activeColor: green or use "
            r"`python -m stacks switch` which writes both$",
        ),
        (
            {"blue": {"image": "nginx:latest"}},
            KEY + r"\.blue\.image = \"nginx:latest\": must be \"\" \(the stack's own image\) or an image by digest, "
            r"<repository>@sha256:<64 hex>$",
        ),
        ({"blue": {"desiredCount": -1}}, KEY + r"\.blue\.desiredCount = -1: must be greater than or equal to 0$"),
        (
            {"blue": {"desiredCount": "2"}},
            KEY + r"\.blue\.desiredCount = \"2\": has the wrong type: it must be a valid integer$",
        ),
        (
            {"blue": {"desiredCount": 0}},
            KEY + r"\.blue\.desiredCount = 0: is 0 but blue takes 100% of traffic; run at least 1 task or set its "
            r"weight to 0$",
        ),
        (
            {"weights": {"blue": 90, "green": 10}},
            KEY + r"\.green\.desiredCount = 0: is 0 but green takes 10% of traffic; run at least 1 task",
        ),
        (
            {"green": {"replicas": 2}},
            KEY + r"\.green\.replicas = 2: is not a known key; known keys here: image, desiredCount$",
        ),
        (
            {"green": "big"},
            KEY + r"\.green = \"big\": has the wrong type: it must be a mapping with the keys image, desiredCount$",
        ),
        (
            {"testHeader": "X Color"},
            KEY + r"\.testHeader = \"X Color\": must be an HTTP header name of at most 40 characters, "
            r"or \"\" for no test rules$",
        ),
        ({"testHeader": "X-" + "a" * 39}, KEY + r"\.testHeader = \"X-a+\": must be an HTTP header name"),
    ],
)
def test_each_invalid_value_is_refused_naming_the_key_the_value_and_the_fix(value: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse(value)


def test_only_catalog_and_accounts_can_run_blue_green() -> None:
    with pytest.raises(
        ConfigError,
        match=r"^Pulumi\.prod\.yaml: streaming-platform:blueGreen\.search = \{\}: is not a known key; "
        r"known keys here: catalog, accounts$",
    ):
        load({"search": {}})


def test_a_blue_green_value_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(
        ConfigError, match=r"streaming-platform:blueGreen = \[\]: has the wrong type: it must be a valid dictionary"
    ):
        load([])
