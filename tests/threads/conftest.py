"""The inbound webhooks app (secrets configured) for tests that drive replies end to end."""

from tests.inbound.conftest import inbound_runtime, inbound_settings, webhooks

__all__ = ["inbound_runtime", "inbound_settings", "webhooks"]
