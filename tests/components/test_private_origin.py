"""An internal LoadBalancer behind a Cdn VPC origin, at component level."""

from __future__ import annotations

import re

import pytest

from components.cdn import Cdn, CdnArgs, OriginProtocol
from components.load_balancer import LoadBalancer, LoadBalancerArgs, Route
from components.vpc import Vpc, VpcArgs
from tests.conftest import MockRuntime

ALB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/0123456789abcdef"


def test_an_internal_alb_sits_in_the_private_subnets_and_cloudfront_reaches_it_through_a_vpc_origin(
    pulumi_mocks: MockRuntime,
) -> None:
    def program() -> None:
        net = Vpc("net", VpcArgs(cidr="10.0.0.0/16", az_count=2))
        lb = LoadBalancer(
            "web",
            LoadBalancerArgs.in_vpc(
                net,
                internal=True,
                ingress_cidrs=(),
                ingress_prefix_list_ids=("pl-3b927c52",),
                routes=[Route(name="api", path_patterns=["/api/*"])],
            ),
        )
        Cdn(
            "edge",
            CdnArgs(
                api_origin_domain=lb.dns_name,
                api_origin_protocol=OriginProtocol.HTTP_ONLY,
                api_vpc_origin_arn=lb.arn,
                access_logs=False,
            ),
        )

    run = pulumi_mocks.run(program)
    alb = run.named("web-alb")
    private = {r.id for r in run.registrations.values() if r.type.endswith("subnet:Subnet") and "private" in r.name}
    assert alb.inputs["internal"] is True and set(alb.inputs["subnets"]) == private
    origin = run.named("edge-api-vpc-origin")
    assert origin.inputs["vpcOriginEndpointConfig"]["arn"] == alb.outputs["arn"]
    assert origin.inputs["vpcOriginEndpointConfig"]["originProtocolPolicy"] == "http-only"
    api = next(o for o in run.named("edge-distribution").inputs["origins"] if o["originId"] == "api")
    assert api["vpcOriginConfig"]["vpcOriginId"] == origin.id and "customOriginConfig" not in api
    assert origin.inputs["tags"]["Component"] == "Cdn"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (CdnArgs(api_vpc_origin_arn=ALB_ARN), r"\[api_vpc_origin_arn\] is set without api_origin_domain"),
        (
            CdnArgs(api_origin_domain="o.example.com", api_vpc_origin_arn="arn:aws:s3:::bucket"),
            r"\[api_vpc_origin_arn\] 'arn:aws:s3:::bucket' is not the ARN of an ALB, NLB or EC2 instance",
        ),
    ],
)
def test_a_vpc_origin_without_a_domain_or_on_another_resource_is_refused(
    pulumi_mocks: MockRuntime, args: CdnArgs, message: str
) -> None:
    refused, run = pulumi_mocks.refusal(lambda: Cdn("edge", args))
    assert re.search(message, refused), refused
    assert run.registrations == {}
