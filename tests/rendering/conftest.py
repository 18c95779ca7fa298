"""Fixtures for rendering tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from service.rendering import MessageContext, Renderer, default_templates_dir
from tests.rendering.builders import make_context


@pytest.fixture(scope="session")
def renderer() -> Renderer:
    return Renderer(default_templates_dir())


@pytest.fixture
def context_factory() -> Callable[..., MessageContext]:
    return make_context
