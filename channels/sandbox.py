"""A channel that sends nothing: it remembers what it was given.

Used in development, demos and tests. Failures can be scripted per recipient to exercise
the callers' error handling without a provider.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from channels.base import ChannelError, OutboundMessage, SendResult


class SandboxChannel:
    """Records every accepted message in ``sent``; never touches the network.

    ``failures`` maps a recipient to the error raised when sending to it; the message is then
    not recorded. The provider id is ``sandbox-<name>-<n>``.
    """

    def __init__(self, name: str, *, failures: Mapping[str, ChannelError] | None = None) -> None:
        self.name = name
        self.sent: list[OutboundMessage] = []
        self.failures: dict[str, ChannelError] = dict(failures or {})
        self._counter = itertools.count(1)

    async def send(self, message: OutboundMessage) -> SendResult:
        failure = self.failures.get(message.to)
        if failure is not None:
            raise failure
        self.sent.append(message)
        return SendResult(
            message_id=message.id,
            provider_id=f"sandbox-{self.name}-{next(self._counter)}",
            status="sent",
        )

    async def aclose(self) -> None:
        return None
