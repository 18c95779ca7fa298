"""Extract a promise to pay (date, amount) from a customer's reply.

Only dates about paying count: "paid on Sept 2", "delivered on 4/18" or "invoice
dated March 1" are not promises. A date is preferred when it shares a sentence
with a verb of paying in the future; past dates never qualify.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from service.disputes.amounts import Amount, find_amounts
from service.disputes.dates import DateMention, day_first, find_dates
from service.disputes.text import clean, is_question, sentences


@dataclass(frozen=True)
class Promise:
    """What the customer committed to: a day, and an amount when they named one."""

    date: date | None
    amount: Decimal | None
    currency: str | None


_PAY_CUE = re.compile(
    r"\b(?:pay|paying|paid|payment|send|sending|mail|mailing|check|cheque|wire|wiring|transfer\w*|"
    r"remit\w*|deposit\w*|zelle|venmo|ach|settle|cover|scheduled|run|released?|process\w*|"
    r"pago|pagar\w*|pagare|pagaremos|pagamos|pagara|pagad[oa]|deposito|depositar\w*|transfiero|"
    r"consign\w*|abon\w*|liquid\w*|cubr\w*|bizum|programad\w*|remesa|corte|efectivo|"
    r"le (?:hago|mando)|te (?:hago|mando)|cancel(?:o|amos|are|aremos|ara|aran)|"
    r"(?:do|give|send) \$?\d+|get you|send you|give you)\b"
)
# Words right before a date that tie it to something other than a coming payment.
_NOT_PROMISE = re.compile(
    r"(?:\b(?:(?<!be )(?<!get )(?<!gets )paid|(?<!be )sent|(?<!be )mailed|delivered|received|"
    r"recibimos|recibi|"
    r"shipped|dated|issued|emitid\w*|fechad\w*|since|desde|was due|were due|due|vencio|vence|"
    r"vencimiento|vencida|cleared|realizad\w*|returned|llego|llegaron|entregad\w*|entregaron|"
    r"out of (?:the )?office|back|return|regreso|fuera|vacaciones|closed|cerrad\w*|ordered|"
    r"pedimos|from|invoice|factura|effective|last|past|previous|horario|hours|every|each|cada)"
    r"\s*(?:on|el|the|"
    r"el dia|in|en|de|del)?\s*|(?<!quedaria )(?<!quedara )(?<!sera )(?<!estara )\bpagad[oa]\s+"
    r"(?:el\s+)?|\b(?:lunes|martes|miercoles|jueves|viernes|sabado|domingo|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri)\s*(?:a|to|-|thru|through|al)"
    r"\s+)$"
)
_AFTER_NOT_PROMISE = re.compile(
    r"^\s*(?:pasad[oa]|ago|deposite|pague|pagamos|paid|(?:of\s+)?(?:each|every)\s+(?:month|week)|"
    r"de\s+cada\s+mes|(?:a|to|-|thru|through|al)\s*(?:lunes|"
    r"martes|miercoles|jueves|viernes|sabado|domingo|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|mon|tue|wed|thu|fri))\b"
)
# A sentence that reports the past and promises nothing.
_PAST = re.compile(
    r"\b(?:(?<!be )(?<!get )(?<!gets )paid|pague|se pago|deposite|depositamos|transferi|shipped|"
    r"mailed|salio|cobraron|received|recibimos|was|were|did|dijo|said|vino|cancelled|"
    r"canceled|hicimos|hice|realice|realizamos|ago|yesterday|ayer|last|pasad[oa](?! manana)|"
    r"se (?:liquido|pago|transfirio|deposito|abono|cancelo|realizo|hizo|efectuo|envio|giro)|"
    r"fue (?:cobrad|pagad|depositad|liquidad)[oa]|cobrado)\b"
)
_FUTURE = re.compile(
    r"\b(?:will|ill|well|going to|gonna|voy|vamos|va a|pagare|pagaremos|se pagara|quedara|"
    r"quedaria|sera|estara|scheduled|programad\w*|previst\w*|then|sin falta|se realizara|"
    r"se hara|realizaremos|efectuaremos|haremos|transferiremos|depositaremos|abonaremos|"
    r"consignaremos|enviaremos|mandaremos|saldra|se transferira\w*|se abonara\w*)\b"
)
# Questions, proposals and conditions are not commitments yet.
_NOT_COMMITTED = re.compile(
    r"\b(?:can i|could i|can we|could we|may i|would you|would it be|is it ok|puedo|podemos|"
    r"can you|could you|will you|give (?:me|us)|dame|danos|deme|denme|denos|"
    r"(?:need|needs|necesito|necesitamos) (?:\w+ )?(?:until|till|til|hasta)|"
    r"(?:me|nos) (?:da|dan|das|de|den|dais|dejas|dejan|dejais|esperas|esperan)|"
    r"podria|podriamos|me (?:puede|pueden|permite)|propon\w*|propose|proposal|if you (?:agree|"
    r"accept)|si (?:estan|esta|estas) de acuerdo|si (?:me|nos) (?:lo )?aceptan)\b"
)
_WORDS = re.compile(r"\w+")
# A reply this short that names a day is about paying even when it does not say so.
_SHORT_WORDS = 12
_NOW = re.compile(r"(?:ahorita|ahora|hoy|today|now|right now)")
# Short replies about doing something else on a day: "will look at it tonight".
_OTHER_ACTION = re.compile(
    r"\b(?:look|check|review|call|talk|speak|reply|answer|get back|confirm|revis\w*|mir\w*|veo|"
    r"llam\w*|marc\w*|habl\w*|contest\w*|respond\w*|aviso|checo)\b"
)


def extract_promise(
    text: str, *, received_at: datetime, language: str | None = None, locale: str | None = None
) -> Promise:
    """Return the date and amount the customer commits to pay, resolved against `received_at`.

    `received_at` must be aware; its own local date is "today". `locale`
    ("en_US", "es-MX", "en_GB") decides "03/04" and the meaning of "$" and
    "pesos"; without it `language` does ("es" reads day-first). Anything that
    cannot be pinned down is None.
    """
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    folded = clean(text)
    received = received_at.date()
    order = day_first(locale=locale, language=language)
    mentions = find_dates(folded, received=received, day_first_order=order)
    chosen = _choose_date(folded, mentions, received)
    amounts = find_amounts(folded, locale=locale, language=language)
    amount = _choose_amount(folded, amounts, chosen)
    return Promise(
        date=chosen.day if chosen else None,
        amount=amount.value if amount else None,
        currency=amount.currency if amount else None,
    )


# What a commitment sentence pays with: verbs and nouns of paying, both languages.
_COMMIT_CUE = re.compile(
    r"\b(?:pay|paying|payment|payments|check|cheque|wire|ach|transfer\w*|transfier\w*|remit\w*|"
    r"deposit\w*|"
    r"zelle|venmo|bizum|money|funds|balance|settle|sort|release\w*|drop off|pago|pagar\w*|"
    r"pagare\w*|pagara\w*|pagamos|pagan|consign\w*|abon\w*|liquid\w*|cancel(?:o|amos|are|aremos|"
    r"ara|aran|ar)|ingreso|transferencia|giro|efectivo|plata|lana|dinero|guita|cubr\w*|"
    r"do it|get it done|take care of it|handle it|lo hago|se lo hago)\b"
)
_NEGATED = re.compile(
    r"\b(?:cant|cannot|can not|wont|will not|unable|not able|dont|do not|didnt|no puedo|"
    r"no podemos|no voy|no vamos|no podre|no podremos|imposible|not paying|no pago|no pagamos|"
    r"no pagare|no pagaremos|not until|until|hasta que|unless|a menos que|si no)\b"
)


def commitment(folded: str) -> tuple[str, bool] | None:
    """The sentence of `folded` (see `clean`) that commits to pay on a named day, if any.

    A sentence commits when it names a day ("el 16/11", "this Friday", "a fin de
    mes"), speaks of paying, and neither reports the past, asks, proposes,
    negates nor sets a condition. The day itself is not resolved: this is
    evidence for the classifier, which does not know when the reply arrived.
    The flag is False when the sentence names no payment and only the brevity of
    the reply ("friday for sure") suggests one: weaker evidence.
    """
    short = len(_WORDS.findall(folded)) <= _SHORT_WORDS
    mentions = find_dates(folded, received=date(2000, 1, 1), day_first_order=True)
    for mention in mentions:
        start, sentence = _sentence_of(folded, mention.start)
        clause = _clause_of(sentence, mention.start - start)
        paying = _COMMIT_CUE.search(sentence) is not None
        if not (paying or short) or _NEGATED.search(clause):
            continue
        if not paying and (
            _NOW.fullmatch(folded[mention.start : mention.end]) or _OTHER_ACTION.search(sentence)
        ):
            continue
        if _not_committed(sentence) or (_PAST.search(sentence) and not _FUTURE.search(sentence)):
            continue
        if _NOT_PROMISE.search(folded[max(start, mention.start - 30) : mention.start]):
            continue
        return sentence, paying
    return None


def _not_committed(sentence: str) -> bool:
    return is_question(sentence) or _NOT_COMMITTED.search(sentence) is not None


# "Can't this week but definitely Friday": a negation stays in its own clause.
_CLAUSE_BREAK = re.compile(r",|;| but | pero | although | aunque | sino | however ")


def _clause_of(sentence: str, offset: int) -> str:
    start = 0
    for match in _CLAUSE_BREAK.finditer(sentence):
        if match.end() <= offset:
            start = match.end()
        elif match.start() >= offset:
            return sentence[start : match.start()]
    return sentence[start:]


def _sentence_of(folded: str, offset: int) -> tuple[int, str]:
    for start, sentence in reversed(sentences(folded)):
        if start <= offset:
            return start, sentence
    return 0, folded


def _choose_date(folded: str, mentions: list[DateMention], received: date) -> DateMention | None:
    short = len(_WORDS.findall(folded)) <= _SHORT_WORDS
    best: tuple[int, DateMention] | None = None
    for mention in mentions:
        if mention.day is None or mention.day < received or not _about_paying(folded, mention):
            continue
        _, sentence = _sentence_of(folded, mention.start)
        # "ahorita" or "now" alone says when something happens, not that it is paid.
        vague = _NOW.fullmatch(folded[mention.start : mention.end]) is not None or bool(
            _OTHER_ACTION.search(sentence)
        )
        score = 2 if _PAY_CUE.search(sentence) else (1 if short and not vague else 0)
        if score and (best is None or score > best[0]):
            best = (score, mention)
    return best[1] if best else None


def _about_paying(folded: str, mention: DateMention) -> bool:
    """False when the date belongs to the past, a request, or something other than paying."""
    if _NOT_PROMISE.search(folded[max(0, mention.start - 30) : mention.start]):
        return False
    if _AFTER_NOT_PROMISE.search(folded[mention.end : mention.end + 15]):
        return False
    _, sentence = _sentence_of(folded, mention.start)
    if _PAST.search(sentence) and not _FUTURE.search(sentence):
        return False
    return not _not_committed(sentence)


def _choose_amount(folded: str, amounts: list[Amount], chosen: DateMention | None) -> Amount | None:
    if not amounts:
        return None
    if chosen is not None:
        start, sentence = _sentence_of(folded, chosen.start)
        near = [a for a in amounts if start <= a.start < start + len(sentence)]
        if near:
            return near[0]
    for amount in amounts:
        if _NOT_PROMISE.search(folded[max(0, amount.start - 20) : amount.start]):
            continue
        _, sentence = _sentence_of(folded, amount.start)
        if _PAY_CUE.search(sentence):
            return amount
    return amounts[0] if len(amounts) == 1 and chosen is not None else None
