"""Examples the OpenAPI document shows for the template endpoints."""

from __future__ import annotations

from typing import Any

LIST_EXAMPLE: dict[str, Any] = {
    "templates": [
        {
            "name": "reminder_firm",
            "channels": ["email", "sms", "portal"],
            "files": [
                "reminder_firm.email.html.j2",
                "reminder_firm.email.txt.j2",
                "reminder_firm.portal.j2",
                "reminder_firm.sms.j2",
                "reminder_firm.subject.j2",
            ],
            "overridden": ["es/reminder_firm.sms.j2"],
        }
    ]
}

PREVIEW_REQUEST_EXAMPLES: dict[str, dict[str, Any]] = {
    "customer": {
        "summary": "One of your customers, in Spanish",
        "value": {"customer_external_id": "C-1042", "language": "es"},
    },
    "sample": {
        "summary": "Made-up data",
        "value": {
            "sample": {
                "customer_name": "Distribuidora Hernández S.A. de C.V.",
                "language": "es",
                "locale": "es_MX",
                "timezone": "America/Mexico_City",
                "invoices": [
                    {
                        "number": "F-2025-0187",
                        "currency": "MXN",
                        "balance": "18450.00",
                        "due_on": "2025-02-10",
                        "po_number": "OC-4471",
                    },
                    {
                        "number": "F-2025-0203",
                        "currency": "USD",
                        "balance": "2300.00",
                        "due_on": "2025-02-24",
                    },
                ],
                "referral": "agency",
            },
            "channels": ["sms", "email"],
        },
    },
    "default": {
        "summary": "Cobro's own sample customer, in the tenant's language",
        "value": {},
    },
}

PREVIEW_EXAMPLE: dict[str, Any] = {
    "name": "reminder_firm",
    "customer_external_id": None,
    "referral": "agency",
    "variants": [
        {
            "channel": "sms",
            "language": "es",
            "locale": "es_MX",
            "bilingual": False,
            "subject": None,
            "html": None,
            "text": "Acme Supplies: su cuenta tiene 2 facturas vencidas ($18,450.00 y "
            "USD2,300.00); la mas antigua tiene 45 dias de atraso. Le pedimos pagar hoy en "
            "https://cobro.example.com/portal/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_Ab "
            "Responda BAJA para no recibir mas mensajes.",
            "sms_encoding": "GSM-7",
            "sms_segments": 2,
            "sms_units": 260,
            "sms_budget": 2,
            "warnings": [],
        },
        {
            "channel": "email",
            "language": "es",
            "locale": "es_MX",
            "bilingual": False,
            "subject": "Pago vencido: 2 facturas, la más antigua con 45 días de atraso",
            "html": "<!DOCTYPE html>...",
            "text": "Cliente: Distribuidora Hernández S.A. de C.V.\n\nEstimado cliente:\n\n...",
            "sms_encoding": None,
            "sms_segments": None,
            "sms_units": None,
            "sms_budget": None,
            "warnings": [],
        },
    ],
}
