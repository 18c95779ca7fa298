"""Loopback emulators of the providers Cobro talks to, for tests and benchmarks.

Each one is a real server on 127.0.0.1 with an ephemeral port, speaking the provider's wire
format closely enough that the production channel code runs unchanged against it, with
scripted faults (outages, rate limits, slowness, refused recipients).
"""

from tests.emulators.faults import Fault, FaultPlan
from tests.emulators.sendgrid import AcceptedMail, SendGridEmulator
from tests.emulators.smtp import ReceivedMail, SmtpEmulator
from tests.emulators.twilio import SentSms, TwilioEmulator

__all__ = [
    "AcceptedMail",
    "Fault",
    "FaultPlan",
    "ReceivedMail",
    "SendGridEmulator",
    "SentSms",
    "SmtpEmulator",
    "TwilioEmulator",
]
