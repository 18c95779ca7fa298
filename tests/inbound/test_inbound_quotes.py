"""Reply trimming on realistic reply layouts, in English and Spanish, plain and HTML."""

from __future__ import annotations

import pytest

from service.inbound.quotes import html_to_text, strip_reply, strip_reply_html

PLAIN_CASES: list[tuple[str, str, str]] = [
    (
        "gmail_en",
        "I paid the full amount yesterday by bank transfer.\n\n"
        "Thanks,\nMark\n\n"
        "On Tue, Mar 10, 2026 at 9:02 AM Northwind Billing <billing@northwind.example> wrote:\n"
        "> Hello Mark,\n>\n> Invoice INV-2031 for $412.50 is now 15 days past due.\n",
        "I paid the full amount yesterday by bank transfer.\n\nThanks,\nMark",
    ),
    (
        "gmail_en_wrapped",
        "Can we set up a payment plan? I can do $100 a month.\n\n"
        "On Tue, Mar 10, 2026 at 9:02 AM Northwind Billing <\n"
        "billing@northwind.example> wrote:\n\n"
        "> Hello Mark,\n> Your balance is $1,240.00.\n",
        "Can we set up a payment plan? I can do $100 a month.",
    ),
    (
        "gmail_es",
        "Buenas tardes, ya realicé el pago el viernes pasado.\nAdjunto el comprobante.\n\n"
        "El mar, 10 mar 2026 a las 9:02, Cobranza Norte (<cobranza@norte.example>) escribió:\n"
        "> Estimada Sra. López:\n> Le recordamos que la factura F-0192 está vencida.\n",
        "Buenas tardes, ya realicé el pago el viernes pasado.\nAdjunto el comprobante.",
    ),
    (
        "gmail_es_wrapped",
        "No reconozco este cargo, yo nunca contraté ese servicio.\n\n"
        "El lun., 9 mar. 2026 17:45, Cobranza Norte <cobranza@norte.example>\n"
        "escribió:\n\n> Estimado cliente,\n> su saldo pendiente es de $3,200.00 MXN.\n",
        "No reconozco este cargo, yo nunca contraté ese servicio.",
    ),
    (
        "gmail_es_name_and_address",
        "Puedo pagar la mitad el día 15 y el resto a fin de mes.\n\n"
        "El 9 de marzo de 2026, 17:45, Ana Ruiz <ana.ruiz@norte.example> escribió:\n"
        "> Hola Pedro, ¿podría confirmarnos una fecha de pago?\n",
        "Puedo pagar la mitad el día 15 y el resto a fin de mes.",
    ),
    (
        "gmail_es_three_lines",
        "Ya pagué.\n\n"
        "El jue, 12 mar 2026 a las 10:14, Departamento de Cobranza de Servicios\n"
        "Integrales del Norte (<cobranza@servicios-integrales-del-norte.example>)\n"
        "escribió:\n> Aviso de pago\n",
        "Ya pagué.",
    ),
    (
        "apple_en",
        "Please call me after 6pm, I work during the day.\n\n"
        "> On 12 Mar 2026, at 10:14, Northwind Billing <billing@northwind.example> wrote:\n"
        ">\n> Dear customer,\n",
        "Please call me after 6pm, I work during the day.",
    ),
    (
        "apple_en_unquoted_attribution",
        "Please call me after 6pm.\n\n"
        "On 12 Mar 2026, at 10:14, Northwind Billing <billing@northwind.example> wrote:\n\n"
        "Dear customer, your invoice is overdue.\n",
        "Please call me after 6pm.",
    ),
    (
        "apple_es",
        "Les escribo para pedir una prórroga de dos semanas.\n\n"
        "El 12 mar 2026, a las 10:14, Cobranza Norte <cobranza@norte.example> escribió:\n\n"
        "Estimada clienta, su pago está vencido.\n",
        "Les escribo para pedir una prórroga de dos semanas.",
    ),
    (
        "outlook_original_message_en",
        "This invoice was already disputed with your colleague last month.\n\n"
        "-----Original Message-----\n"
        "From: Northwind Billing <billing@northwind.example>\n"
        "Sent: Tuesday, March 10, 2026 9:02 AM\n"
        "To: mark@example.com\nSubject: Invoice INV-2031 past due\n\nHello Mark,\n",
        "This invoice was already disputed with your colleague last month.",
    ),
    (
        "outlook_original_message_es",
        "La factura ya fue pagada, favor de verificar.\n\n"
        "-----Mensaje original-----\n"
        "De: Cobranza Norte <cobranza@norte.example>\n"
        "Enviado: martes, 10 de marzo de 2026 09:02 a. m.\n"
        "Para: cliente@example.com\nAsunto: Factura vencida\n\nEstimado cliente,\n",
        "La factura ya fue pagada, favor de verificar.",
    ),
    (
        "outlook_underscore_header_en",
        "Wrong person, I have never had an account with you.\n\n"
        "________________________________\n"
        "From: Northwind Billing <billing@northwind.example>\n"
        "Sent: Tuesday, March 10, 2026 9:02:11 AM\n"
        "To: Mark Hill <mark@example.com>\n"
        "Subject: Invoice INV-2031 past due\n\nHello Mark,\n",
        "Wrong person, I have never had an account with you.",
    ),
    (
        "outlook_underscore_header_es",
        "Me quedé sin trabajo, ¿podemos hablar de un plan de pagos?\n\n"
        "________________________________\n"
        "De: Cobranza Norte <cobranza@norte.example>\n"
        "Enviado el: martes, 10 de marzo de 2026 9:02\n"
        "Para: Juan Pérez <juan@example.com>\n"
        "Asunto: Recordatorio de pago\n\nEstimado Juan:\n",
        "Me quedé sin trabajo, ¿podemos hablar de un plan de pagos?",
    ),
    (
        "outlook_header_block_no_rule_en",
        "Payment sent today, confirmation number 88213.\n\n"
        "From: Northwind Billing [mailto:billing@northwind.example]\n"
        "Sent: Tuesday, March 10, 2026 9:02 AM\n"
        "To: Mark Hill\nCc: Accounts\nSubject: Invoice INV-2031\n\nHello,\n",
        "Payment sent today, confirmation number 88213.",
    ),
    (
        "outlook_header_block_bold_es",
        "Ya hice la transferencia.\n\n"
        "*De:* Cobranza Norte <cobranza@norte.example>\n"
        "*Fecha:* martes, 10 de marzo de 2026, 9:02\n"
        "*Para:* juan@example.com\n*Asunto:* Recordatorio\n",
        "Ya hice la transferencia.",
    ),
    (
        "outlook_fecha_first_es",
        "Gracias, pago el lunes.\n\n"
        "Fecha: martes, 10 de marzo de 2026, 9:02\n"
        "De: Cobranza Norte <cobranza@norte.example>\n"
        "Asunto: Recordatorio\n",
        "Gracias, pago el lunes.",
    ),
    (
        "iphone_signature_en",
        "Will pay on Friday when I get paid.\n\nSent from my iPhone\n\n"
        "On Mar 10, 2026, at 9:02 AM, Northwind Billing <billing@northwind.example> wrote:\n"
        "> Your payment is due.\n",
        "Will pay on Friday when I get paid.",
    ),
    (
        "iphone_signature_es",
        "Pago el viernes.\n\nEnviado desde mi iPhone\n",
        "Pago el viernes.",
    ),
    (
        "phone_signature_es",
        "¿Cuánto debo exactamente?\n\nEnviado desde mi teléfono Huawei\n",
        "¿Cuánto debo exactamente?",
    ),
    (
        "outlook_mobile_en",
        "Already paid, check your records.\n\nGet Outlook for iOS<https://aka.ms/o0ukef>\n"
        "________________________________\nFrom: Northwind Billing\nSent: Tuesday\n",
        "Already paid, check your records.",
    ),
    (
        "outlook_mobile_es",
        "Ya está pagado.\n\nObtener Outlook para iOS<https://aka.ms/o0ukef>\n",
        "Ya está pagado.",
    ),
    (
        "quoted_lines_only",
        "Yes, I agree to the plan.\n> Would you agree to pay $50 a week?\n> Reply to confirm.\n",
        "Yes, I agree to the plan.",
    ),
    (
        "forwarded_en",
        "Forwarding this to you, my accountant handles it.\n\n"
        "---------- Forwarded message ---------\n"
        "From: Northwind Billing <billing@northwind.example>\nDate: Tue, Mar 10, 2026\n",
        "Forwarding this to you, my accountant handles it.",
    ),
    (
        "forwarded_es",
        "Te reenvío esto.\n\n---------- Mensaje reenviado ---------\n"
        "De: Cobranza Norte <cobranza@norte.example>\nFecha: mar, 10 mar 2026\n",
        "Te reenvío esto.",
    ),
    (
        "signature_delimiter",
        "I will send the check on Monday.\n\n-- \nMark Hill\nHill Plumbing LLC\n(555) 010-2233\n",
        "I will send the check on Monday.",
    ),
    (
        "crlf_line_endings",
        "Pagaré mañana.\r\n\r\nEl mar, 10 mar 2026 a las 9:02, Cobranza <c@norte.example>"
        " escribió:\r\n> Hola\r\n",
        "Pagaré mañana.",
    ),
]


@pytest.mark.parametrize(
    ("message", "expected"),
    [(message, expected) for _, message, expected in PLAIN_CASES],
    ids=[name for name, _, _ in PLAIN_CASES],
)
def test_strip_reply_removes_history_and_signature(message: str, expected: str) -> None:
    assert strip_reply(message) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I got a letter From: your office last week and the amount is wrong.",
        "The charge is from: March, not February.\nPlease fix it.",
        "De: verdad no entiendo este cobro.\nPara: mí está pagado.",
        "On Monday I will pay half and the rest on the 30th.",
        "El lunes pago la mitad y el resto el día 30.",
        "On the phone your agent said:\nno late fee.",
        "On 3/15 I'll pay the rest. My wife wrote:\nthe check is in the mail",
        "El 15 pago el resto. Mi esposa les escribió:\nel cheque ya salió",
        "On Friday, my accountant wrote:\nthe transfer is scheduled",
        "Sent from my bank on the 3rd, reference 5512.",
        "I paid -- really -- last week.",
        "Question: can I pay by card?\nAnswer: please tell me.",
    ],
)
def test_strip_reply_keeps_customer_text_that_only_resembles_markers(text: str) -> None:
    assert strip_reply(text) == text


def test_bottom_posted_reply_keeps_text_below_the_quote() -> None:
    message = (
        "On Tue, Mar 10, 2026 at 9:02 AM Northwind Billing <billing@northwind.example> wrote:\n"
        "> Can you confirm the payment date?\n\n"
        "Yes, the 20th.\n"
    )
    assert strip_reply(message) == "Yes, the 20th."


def test_empty_and_whitespace_input() -> None:
    assert strip_reply("") == ""
    assert strip_reply("  \n\n ") == ""


HTML_CASES: list[tuple[str, str, str]] = [
    (
        "gmail_html_en",
        '<div dir="ltr">I already paid this on <b>March 3</b>.<br><br>Mark</div><br>'
        '<div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">'
        "On Tue, Mar 10, 2026 at 9:02 AM Northwind Billing &lt;billing@northwind.example&gt;"
        ' wrote:<br></div><blockquote class="gmail_quote" style="margin:0 0 0 .8ex">'
        "Hello Mark, invoice INV-2031 is overdue.</blockquote></div>",
        "I already paid this on March 3.\n\nMark",
    ),
    (
        "gmail_html_es",
        '<div dir="ltr"><div>Hola,</div><div>no reconozco esta deuda.</div></div><br>'
        '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">El mar, 10 mar 2026 a las'
        " 9:02, Cobranza Norte (&lt;cobranza@norte.example&gt;) escribió:<br></div>"
        "<blockquote>Estimado cliente</blockquote></div>",
        "Hola,\nno reconozco esta deuda.",
    ),
    (
        "outlook_html_en",
        '<html><head><style>p {margin:0}</style></head><body><div class="WordSection1">'
        '<p class="MsoNormal">Please send me an itemized statement.</p></div>'
        '<hr style="display:inline-block;width:98%"><div id="divRplyFwdMsg" dir="ltr">'
        "<b>From:</b> Northwind Billing<br><b>Sent:</b> Tuesday</div>"
        "<div>Hello Mark, your balance is due.</div></body></html>",
        "Please send me an itemized statement.",
    ),
    (
        "outlook_html_es_appendonsend",
        '<div style="font-family:Calibri">Ya pagué la factura completa.</div>'
        '<div id="appendonsend"></div><hr><div><b>De:</b> Cobranza Norte<br><b>Enviado:</b>'
        " martes<br><b>Para:</b> Juan<br><b>Asunto:</b> Recordatorio</div><div>Estimado Juan</div>",
        "Ya pagué la factura completa.",
    ),
    (
        "outlook_desktop_header_paragraph_es",
        '<p class="MsoNormal">Les pido que me llamen el lunes.</p><p class="MsoNormal">&nbsp;</p>'
        '<div style="border:none;border-top:solid #E1E1E1 1.0pt"><p class="MsoNormal">'
        "<b>De:</b> Cobranza Norte &lt;cobranza@norte.example&gt;<br><b>Enviado el:</b> martes,"
        " 10 de marzo de 2026 9:02<br><b>Para:</b> Juan<br><b>Asunto:</b> Aviso</p></div>"
        "<p>Estimado Juan, le recordamos...</p>",
        "Les pido que me llamen el lunes.",
    ),
    (
        "apple_html_en",
        '<html><body>Call me tomorrow please.<br><div><br><blockquote type="cite">'
        "<div>On 12 Mar 2026, at 10:14, Northwind Billing &lt;billing@northwind.example&gt;"
        " wrote:</div><div>Dear customer</div></blockquote></div></body></html>",
        "Call me tomorrow please.",
    ),
    (
        "apple_html_es_attribution_outside_quote",
        "<div>Pagaré el 20.</div><div><br><div>El 12 mar 2026, a las 10:14, Cobranza Norte"
        ' &lt;cobranza@norte.example&gt; escribió:</div><br><blockquote type="cite">'
        "<div>Estimada clienta</div></blockquote></div>",
        "Pagaré el 20.",
    ),
    (
        "iphone_html_es",
        "<div>Necesito más tiempo, por favor.</div><div><br></div><div>Enviado desde mi iPhone"
        '</div><div><br><blockquote type="cite">Estimado</blockquote></div>',
        "Necesito más tiempo, por favor.",
    ),
]


@pytest.mark.parametrize(
    ("html", "expected"),
    [(html, expected) for _, html, expected in HTML_CASES],
    ids=[name for name, _, _ in HTML_CASES],
)
def test_strip_reply_html(html: str, expected: str) -> None:
    assert strip_reply_html(html) == expected


def test_html_to_text_keeps_line_breaks_and_drops_scripts() -> None:
    html = (
        "<html><head><title>x</title><style>.a{color:red}</style></head><body>"
        "<p>First&nbsp;line</p><p>Second   line<br>Third line</p>"
        "<script>var secret = 1;</script><div>Fourth &amp; last</div></body></html>"
    )
    assert html_to_text(html) == "First line\nSecond line\nThird line\nFourth & last"


def test_html_to_text_survives_broken_markup() -> None:
    html = "<div>Unclosed <b>bold <blockquote>quoted never closed<p>still quoted"
    assert html_to_text(html) == "Unclosed bold"


def test_html_to_text_nested_blockquotes_end_at_the_right_tag() -> None:
    html = "<div>Mine</div><blockquote>a<blockquote>b</blockquote>c</blockquote><div>After</div>"
    assert html_to_text(html) == "Mine\nAfter"
