"""The account baseline's Pulumi program: ``cd baseline && pulumi stack init <account> && pulumi up``.

Deliberately its own project and stack, never part of an environment (``platform/``): GuardDuty,
Security Hub and the trail exist once per account, and two environments in one account would
fight over them. Like ``platform/``, this directory is not a package. The logic is in
`stacks.environment.baseline`, which the tests run under the mocks.
"""

from stacks.environment.baseline import main

main()
