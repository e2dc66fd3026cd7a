"""BlueGreenSettings.from_config: the pure parser of one service's blueGreen config."""

from __future__ import annotations

import pytest

from components.blue_green import BlueGreenConfigError, BlueGreenSettings, Color, ColorSettings

DIGEST = "123456789012.dkr.ecr.us-east-1.amazonaws.com/catalog@sha256:" + "a" * 64
SRC = "Pulumi.prod.yaml"


def parse(value: object) -> BlueGreenSettings:
    return BlueGreenSettings.from_config("catalog", value, SRC)


def test_a_full_entry_parses_into_typed_settings() -> None:
    # GIVEN the documented shape WHEN parsed THEN every field is typed
    settings = parse(
        {
            "activeColor": "green",
            "weights": {"blue": 0, "green": 100},
            "blue": {"image": DIGEST, "desiredCount": 0},
            "green": {"image": "", "desiredCount": 3},
            "testHeader": "X-Color",
        }
    )
    assert settings.active_color is Color.GREEN
    assert settings.weights == {Color.BLUE: 0, Color.GREEN: 100}
    assert settings.blue == ColorSettings(image=DIGEST, desired_count=0)
    assert settings.green == ColorSettings(image="", desired_count=3)
    assert settings.test_header == "X-Color"


def test_an_empty_entry_means_blue_active_with_one_task_and_green_idle_at_zero() -> None:
    settings = parse({})
    assert settings.weights == {Color.BLUE: 100, Color.GREEN: 0}
    assert (settings.blue.desired_count, settings.green.desired_count) == (1, 0)
    assert settings.test_header == "X-Deployment-Color"


def test_mid_shift_weights_are_accepted() -> None:
    settings = parse({"activeColor": "blue", "weights": {"blue": 90, "green": 10}, "green": {"desiredCount": 2}})
    assert settings.weights[Color.GREEN] == 10


def test_an_empty_test_header_disables_the_test_rules() -> None:
    assert parse({"testHeader": ""}).test_header is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([], r"Pulumi\.prod\.yaml: streaming-platform:blueGreen\.catalog = \[\]: must be a mapping"),
        ({"colour": "blue"}, r"blueGreen\.catalog\.colour = \"blue\": is not a known key; known keys: activeColor"),
        ({"activeColor": "red"}, r"catalog\.activeColor = \"red\": must be blue or green"),
        ({"weights": {"blue": 100}}, r"catalog\.weights = \{\"blue\": 100\}: must name exactly blue and green"),
        (
            {"weights": {"blue": 60, "green": 30}, "green": {"desiredCount": 1}},
            r"catalog\.weights = \{\"blue\": 60, \"green\": 30\}: sums to 90; .* e\.g\. \{blue: 60, green: 40\}",
        ),
        ({"weights": {"blue": 100.0, "green": 0}}, r"catalog\.weights\.blue = 100\.0: must be an integer percentage"),
        ({"weights": {"blue": True, "green": 0}}, r"catalog\.weights\.blue = true: must be an integer percentage"),
        (
            {"activeColor": "blue", "weights": {"blue": 0, "green": 100}, "green": {"desiredCount": 1}},
            r"catalog\.activeColor = \"blue\": contradicts weights \(green takes 100%\); set activeColor: green",
        ),
        ({"blue": {"image": "nginx:latest"}}, r"catalog\.blue\.image = \"nginx:latest\": must be \"\" .* by digest"),
        ({"blue": {"desiredCount": -1}}, r"catalog\.blue\.desiredCount = -1: must be an integer, 0 or more"),
        ({"blue": {"desiredCount": 0}}, r"catalog\.blue\.desiredCount = 0: is 0 but blue takes 100% of traffic"),
        (
            {"green": {"replicas": 2}},
            r"catalog\.green\.replicas = 2: is not a known key; known keys: image, desiredCount",
        ),
        ({"green": "big"}, r"catalog\.green = \"big\": must be a mapping"),
        ({"testHeader": "X Color"}, r"catalog\.testHeader = \"X Color\": must be an HTTP header name"),
    ],
)
def test_each_invalid_value_is_refused_naming_the_key_the_value_and_the_fix(value: object, message: str) -> None:
    with pytest.raises(BlueGreenConfigError, match=message):
        parse(value)
