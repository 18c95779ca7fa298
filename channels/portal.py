"""The customer portal as a channel: the message is already stored, so it is delivered.

The outbox row is the portal's copy; the portal shows a customer the outbound messages of
their threads. Nothing leaves the process and nothing can fail.
"""

from __future__ import annotations

from channels.base import OutboundMessage, SendResult


class PortalChannel:
    """Accepts every message at once with status ``delivered`` and no provider id."""

    name = "portal"

    async def send(self, message: OutboundMessage) -> SendResult:
        return SendResult(message_id=message.id, provider_id=None, status="delivered")

    async def aclose(self) -> None:
        return None
