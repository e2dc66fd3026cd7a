"""`Component`: the base every component of this library (and the stack's own) is built on.

It carries what each component would otherwise repeat, so the conventions live in one place:

* **the type token**, ``streaming:index:<KIND>`` (`type_token`), the package name the components
  are registered under (``TYPE_PACKAGE``). Tools that read a plan never match on it: a plan
  records whether each resource is a component (``custom: false``);
* **child options**: `child_opts` is ``ResourceOptions(parent=self, …)``, so a provider, a
  ``transforms`` list or ``protect`` given to the component reaches every child;
* **lookup options**: `lookup_opts` / `lookup_output_opts` are ``InvokeOptions(parent=self)``.
  Every ``aws.get_*`` a component makes passes them: a lookup without a parent asks the
  *default* provider, so a component given an ``eu-west-1`` provider would read another
  region's availability zones. Lookups made while validating, before the component exists, use
  `validation_lookup_opts`, which resolves the same provider from the options the caller gave;
* **tags**: `tags` layers ``Name``, the common tags and the caller's, after `validate_tags`
  checked the caller's against AWS's limits before anything was registered;
* **one way to refuse an argument**: `fail` raises `ComponentArgsError` naming the component,
  the instance, the argument, the value and the fix.

A component subclasses it, sets ``KIND`` and calls ``super().__init__(name, opts, tags=args.tags)``
after validating its arguments (validation registers nothing)::

    class Queue(Component):
        KIND = "Queue"

        def __init__(self, name: str, args: QueueArgs, opts: pulumi.ResourceOptions | None = None) -> None:
            _validate(name, args)
            super().__init__(name, opts, tags=args.tags)
            region = aws.get_region(opts=self.lookup_opts()).region
            aws.sqs.Queue(f"{name}-queue", tags=self.tags(name), opts=self.child_opts())
            self.register_outputs({})
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, NoReturn

import pulumi

from components.errors import ComponentArgsError
from components.tags import layered_tags, validate_tags

__all__ = ["TYPE_PACKAGE", "Component", "type_token", "validation_lookup_opts"]

#: The package part of every component's type token.
TYPE_PACKAGE = "streaming"


def type_token(kind: str) -> str:
    """The Pulumi type token of component class ``kind``: ``streaming:index:<kind>``."""
    return f"{TYPE_PACKAGE}:index:{kind}"


def _provider_for(opts: pulumi.ResourceOptions, package: str) -> pulumi.ProviderResource | None:
    if opts.provider is not None:
        return opts.provider
    providers = opts.providers
    if isinstance(providers, Mapping):
        return providers.get(package)
    if isinstance(providers, Sequence):
        return next((p for p in providers if getattr(p, "package", None) == package), None)
    return None


def validation_lookup_opts(opts: pulumi.ResourceOptions | None, package: str = "aws") -> pulumi.InvokeOptions:
    """Invoke options for a lookup made while validating, before the component is registered.

    The lookup reaches the provider the component will use: the one given for ``package`` in
    ``opts`` (``provider=`` or ``providers=``), else the parent's, as a child would inherit it.
    """
    opts = opts or pulumi.ResourceOptions()
    return pulumi.InvokeOptions(parent=opts.parent, provider=_provider_for(opts, package))


class Component(pulumi.ComponentResource):
    """The base of every component: type token, child and lookup options, tags, `fail`."""

    KIND: ClassVar[str]
    """The component's class name in its type token and its ``Component`` tag (e.g. "Vpc")."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "KIND" not in cls.__dict__:
            cls.KIND = cls.__name__

    def __init__(
        self,
        name: str,
        opts: pulumi.ResourceOptions | None = None,
        *,
        tags: Mapping[str, str] | None = None,
        props: Mapping[str, Any] | None = None,
    ) -> None:
        """Register the component; ``tags`` are the caller's extra tags (checked here, before
        anything is registered), ``props`` the inputs recorded on the component itself."""
        validate_tags(self.KIND, name, tags or {})
        super().__init__(type_token(self.KIND), name, dict(props) if props is not None else None, opts)
        self._component_name = name
        self._extra_tags: dict[str, str] = dict(tags or {})

    @classmethod
    def type_token(cls) -> str:
        """This component's Pulumi type token."""
        return type_token(cls.KIND)

    @classmethod
    def fail(cls, name: str, argument: str, message: str) -> NoReturn:
        """Refuse ``argument`` of instance ``name``: raise `ComponentArgsError` with the rule and the fix."""
        raise ComponentArgsError(cls.KIND, name, argument, message) from None

    def child_opts(self, **options: Any) -> pulumi.ResourceOptions:
        """``ResourceOptions(parent=self, **options)``: what every child is created with."""
        return pulumi.ResourceOptions(parent=self, **options)

    def lookup_opts(self) -> pulumi.InvokeOptions:
        """``InvokeOptions(parent=self)`` for a plain ``aws.get_*(...)`` lookup: the component's provider answers."""
        return pulumi.InvokeOptions(parent=self)

    def lookup_output_opts(self) -> pulumi.InvokeOutputOptions:
        """``InvokeOutputOptions(parent=self)`` for an ``aws.get_*_output(...)`` lookup."""
        return pulumi.InvokeOutputOptions(parent=self)

    def tags(self, name_tag: str, extra: Mapping[str, str] | None = None, /, **more: str) -> dict[str, str]:
        """``{"Name": name_tag, **common, **caller's tags, **extra, **more}`` for a child."""
        return layered_tags(self.KIND, name_tag, {**self._extra_tags, **dict(extra or {})}, **more)
