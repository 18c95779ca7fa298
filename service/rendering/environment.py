"""The Jinja environments Cobro renders with, and where its default templates live.

One sandboxed environment exists per templates folder, tenant overrides, language and locale,
shared by every renderer. A tenant's templates come first and the defaults after; the footers
and the layout (`COMPLIANCE_PARTIALS`) are never looked up among a tenant's templates, because
they carry the opt-out text, the sender's identity and its postal address.
"""

from __future__ import annotations

import sys
import sysconfig
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    DictLoader,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
)
from jinja2.environment import Environment, TemplateModule
from jinja2.runtime import Context, LoopContext, Macro
from jinja2.sandbox import SandboxedEnvironment

from service.rendering.budget import SmsFit
from service.rendering.context import Installment, InvoiceLine, Money, SenderIdentity
from service.rendering.filters import install_formatting
from service.rendering.formatting import formatter_for

__all__ = ["COMPLIANCE_PARTIALS", "Sandbox", "default_templates_dir", "environment_for"]

COMPLIANCE_PARTIALS: tuple[str, ...] = ("_footer.", "_layout.")
"""Prefixes of the partials that carry the opt-out text and the sender's identity."""


def _template_roots() -> list[Path]:
    roots = [Path(__file__).resolve().parents[2] / "templates"]  # a source checkout
    # A wheel installs them as data files under <prefix>/share/cobro/templates.
    for scheme_path in (
        sysconfig.get_path("data"),
        sys.prefix,
        sysconfig.get_path("data", "posix_user"),
    ):
        if scheme_path:
            roots.append(Path(scheme_path) / "share" / "cobro" / "templates")
    return roots


def default_templates_dir() -> Path:
    """Cobro's own templates (`en/`, `es/`): the checkout's `templates/` folder, else the copy
    a regular install puts under `<prefix>/share/cobro/templates`."""
    roots = _template_roots()
    for root in roots:
        if (root / "en").is_dir() and (root / "es").is_dir():
            return root
    raise FileNotFoundError(
        "Cobro's templates are missing; looked in " + ", ".join(str(root) for root in roots)
    )


def _autoescape(template_name: str | None) -> bool:
    return bool(template_name) and str(template_name).endswith((".html.j2", ".portal.j2"))


# Types whose every public attribute is plain data or a side-effect-free method; the generic
# sandbox check (a walk over Python's internal attribute tables) costs a fifth of a render.
_PLAIN_TYPES: frozenset[type] = frozenset(
    {InvoiceLine, Installment, Money, SenderIdentity, SmsFit, TemplateModule, LoopContext}
)


class _TenantLoader(BaseLoader):
    """A tenant's own templates, minus the partials that carry what the law requires."""

    def __init__(self, inner: BaseLoader) -> None:
        self._inner = inner

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        if template.startswith(COMPLIANCE_PARTIALS):
            raise TemplateNotFound(template)
        return self._inner.get_source(environment, template)


class Sandbox(SandboxedEnvironment):
    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._trusted: tuple[Callable[..., Any], ...] = ()
        self._trusted_ids: frozenset[int] = frozenset()

    def trust_calls(self, *functions: Callable[..., Any]) -> None:
        """Cobro's own globals (``count``, ``plural``): plain functions of their arguments that
        templates call on every line, called without the generic checks. Held here, so that
        the ids compared in :meth:`call` stay theirs."""
        self._trusted = functions
        self._trusted_ids = frozenset(id(function) for function in functions)

    def call(
        __self,  # noqa: N805 (Jinja's own signature: the double prefixes keep kwargs free)
        __context: Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        # The generic path checks the callable, then asks the context whether it wants the
        # context passed; neither applies to a trusted global or to a template's own macro.
        if id(__obj) in __self._trusted_ids or type(__obj) is Macro:
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
            return __obj(*args, **kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if type(obj) in _PLAIN_TYPES:
            return not attr.startswith("_")
        return bool(super().is_safe_attribute(obj, attr, value))

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) in _PLAIN_TYPES and not attribute.startswith("_"):
            try:
                return getattr(obj, attribute)
            except AttributeError:
                pass
        return super().getattr(obj, attribute)


@lru_cache(maxsize=512)
def environment_for(
    *,
    templates_dir: Path,
    override_dir: Path | None,
    overrides: tuple[tuple[str, str], ...],
    language: str,
    locale: str,
) -> Sandbox:
    """One environment per templates, overrides, language and locale, shared by renderers."""
    loaders: list[BaseLoader] = []
    prefix = f"{language}/"
    own = {name[len(prefix) :]: source for name, source in overrides if name.startswith(prefix)}
    if own:
        loaders.append(_TenantLoader(DictLoader(own)))
    if override_dir is not None:
        loaders.append(_TenantLoader(FileSystemLoader(override_dir / language)))
    loaders.append(FileSystemLoader(templates_dir / language))
    env = Sandbox(
        loader=ChoiceLoader(loaders),
        autoescape=_autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates are read once per process; edits on disk need a restart.
        auto_reload=False,
        # A plain dict: the template set is small and bounded, and the LRU bookkeeping is a
        # linear scan on every import.
        cache_size=-1,
    )
    install_formatting(env, formatter_for(locale))
    env.trust_calls(*(cast(Callable[..., Any], env.globals[name]) for name in ("plural", "count")))
    return env
