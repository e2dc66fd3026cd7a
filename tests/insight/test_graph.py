"""Architecture diagrams: Mermaid nodes and flows, DOT that Graphviz parses, SVG and PNG."""

from __future__ import annotations

import os
import subprocess

import pytest

from insight.graph import (
    architecture,
    architecture_dot,
    architecture_mermaid,
    graphviz_available,
    render,
    resource_graph,
)
from tests.insight.plans import sample_environment


def need_graphviz() -> None:
    if not graphviz_available():
        if os.environ.get("CI") == "true":
            pytest.fail("Graphviz's `dot` must be installed in CI (Debian package graphviz)")
        pytest.skip("Graphviz's `dot` is not installed here")


def test_components_are_boxes_in_their_groups() -> None:
    diagram = architecture(sample_environment())
    groups = {b.title: b.group for b in diagram.boxes}
    assert groups == {
        "Cdn 'cdn'": "edge",
        "LoadBalancer 'web'": "public",
        "Vpc 'net'": "public",
        "Cluster 'cluster'": "private",
        "FargateService 'catalog'": "private",
        "Postgres 'db'": "isolated",
        "Cache 'cache'": "isolated",
        "ContainerImage 'image'": "delivery",
        "StreamingPlatform 'app'": "shared",
    }


def test_arrows_follow_the_traffic_from_users_to_data() -> None:
    arrows = {(a.source, a.target): a.label for a in architecture(sample_environment()).arrows}
    assert arrows[("users", "Cdn_cdn")] == "HTTPS"
    assert arrows[("Cdn_cdn", "LoadBalancer_web")] == "origin"
    assert (
        arrows[("LoadBalancer_web", "FargateService_catalog")] == "HTTP :8080"
    )  # the ingress rule's tcp/8080 folds into it
    assert arrows[("FargateService_catalog", "Postgres_db")] == "tcp/5432"
    assert arrows[("FargateService_catalog", "Cache_cache")] == "tcp/6379"
    assert arrows[("ContainerImage_image", "FargateService_catalog")] == "image"
    # placement is nesting, not an arrow
    assert not any("Vpc_net" in pair or "Cluster_cluster" in pair for pair in arrows)


def test_secrets_and_listener_waits_are_not_drawn_as_traffic() -> None:
    # GIVEN the service reads the platform's JWT secret and the cache's AUTH secret
    arrows = {(a.source, a.target) for a in architecture(sample_environment()).arrows}
    # THEN no arrow points at the platform's shared box, and the data arrows carry only ports
    assert not any(target == "StreamingPlatform_app" for _, target in arrows)
    labels = {(a.source, a.target): a.label for a in architecture(sample_environment()).arrows}
    assert labels[("FargateService_catalog", "Cache_cache")] == "tcp/6379"


def test_the_mermaid_text_has_the_groups_nodes_and_edges() -> None:
    text = render(sample_environment(), "mermaid").decode()
    assert text.startswith("flowchart LR\n")
    assert '  subgraph vpc["VPC (net)"]' in text
    assert '    subgraph isolated["Isolated subnets: data"]' in text
    assert "Postgres_db[\"<b>Postgres 'db'</b><br/>postgres db.t4g.micro Single-AZ\"]" in text
    assert '  LoadBalancer_web -->|"HTTP :8080"| FargateService_catalog' in text
    assert '  ContainerImage_image -.->|"image"| FargateService_catalog' in text


def test_the_output_is_deterministic() -> None:
    assert render(sample_environment(), "dot") == render(sample_environment(), "dot")
    assert render(sample_environment(), "mermaid", resources=True) == render(
        sample_environment(), "mermaid", resources=True
    )


def test_the_resource_graph_has_every_resource_but_providers_and_every_dependency() -> None:
    plan = sample_environment()
    graph = resource_graph(plan)
    assert len(graph.ids) == len(plan.resources) - 1
    expected = sum(1 for r in plan.resources for d in r["dependencies"])
    assert len(graph.edges) == expected
    text = render(plan, "mermaid", resources=True).decode()
    assert text.count(" --> ") == expected


def test_dot_parses() -> None:
    need_graphviz()
    for resources in (False, True):
        source = render(sample_environment(), "dot", resources=resources)
        proc = subprocess.run(["dot", "-Tcanon"], input=source, capture_output=True, check=False)
        assert proc.returncode == 0, proc.stderr.decode()


def test_svg_and_png_are_rendered_by_graphviz() -> None:
    need_graphviz()
    svg = render(sample_environment(), "svg")
    assert svg.lstrip().startswith((b"<?xml", b"<svg"))
    assert b"Postgres &#39;db&#39;" in svg or b"Postgres 'db'" in svg
    assert render(sample_environment(), "png").startswith(b"\x89PNG")


def test_the_dot_source_dashes_control_edges() -> None:
    text = architecture_dot(architecture(sample_environment()))
    assert 'ContainerImage_image -> FargateService_catalog [label="image", style=dashed];' in text
    assert architecture_mermaid(architecture(sample_environment())).count("-.->") == 1
