"""Every table, imported in one place so that Alembic and the tests see the whole schema."""

from service.campaigns.models import Campaign, CampaignRuleDefaults, CampaignRun, ReminderLog
from service.consent.models import ConsentRecord
from service.disputes.models import Agent, DisputePolicy, Escalation, PromiseToPay, RoutingRule
from service.inbound.models import InboundPayload
from service.ledger.models import Customer, Invoice
from service.outreach.models import DeliveryEventRecord, UnusableAddress
from service.templating.models import TemplateOverride
from service.tenancy.models import ApiKey, Tenant
from service.threads.models import Attachment, Message, Thread, ThreadEvent

__all__ = [
    "Agent",
    "DisputePolicy",
    "Escalation",
    "PromiseToPay",
    "RoutingRule",
    "Campaign",
    "CampaignRuleDefaults",
    "CampaignRun",
    "ReminderLog",
    "ApiKey",
    "Attachment",
    "ConsentRecord",
    "Customer",
    "DeliveryEventRecord",
    "InboundPayload",
    "Invoice",
    "Message",
    "TemplateOverride",
    "Tenant",
    "Thread",
    "ThreadEvent",
    "UnusableAddress",
]
