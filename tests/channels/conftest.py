from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.channels.builders import SENDGRID_KEY, TWILIO_SID, TWILIO_TOKEN
from tests.emulators import SendGridEmulator, TwilioEmulator


@pytest.fixture
async def sendgrid() -> AsyncIterator[SendGridEmulator]:
    emulator = SendGridEmulator(SENDGRID_KEY)
    async with emulator:
        yield emulator


@pytest.fixture
async def twilio() -> AsyncIterator[TwilioEmulator]:
    emulator = TwilioEmulator(TWILIO_SID, TWILIO_TOKEN)
    async with emulator:
        yield emulator
