"""Fitting an SMS into the tenant's segment budget.

An SMS template is rendered as written first; when the text takes more segments than the
tenant's budget, it is rendered again with the steps of `FIT_STEPS`, each shorter than the one
before: optional clauses ("Questions? Reply here.") go, then per-currency totals become one
"amounts in 3 currencies" phrase, then the customer's, the sender's and a custom referral's
names are cut at a word with an ellipsis, and at last the customer's name is left out. The
portal link and the opt-out text are never touched: the templates print the link at every step
and the renderer appends the opt-out footer after fitting.

Transliteration: with `SmsPolicy.transliterate` (the default) the text goes out in GSM-7,
keeping the accented letters GSM-7 has (é, ñ, ü, ¿, ¡ ...) and dropping only the accents it
lacks (á -> a). Without it the accents are kept (UCS-2, 67 characters a segment instead of
153) as long as some step fits the budget; when none does, the GSM-7 form is sent rather than
a message over budget, and the rendering says so in its warnings. A text that fits no step in
any encoding (an agent's long reply, a tenant's long override) is sent as a multi-part message
at the step with the fewest segments, the fullest among equals, with a warning: customer-facing
content is never cut to fit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from service.rendering.sms import SmsInfo, count_segments, to_gsm7

__all__ = [
    "DEFAULT_SMS_SEGMENTS",
    "FIT_STEPS",
    "MAX_SMS_SEGMENTS",
    "FittedSms",
    "SmsFit",
    "SmsPolicy",
    "fit_sms",
    "shorten",
]

DEFAULT_SMS_SEGMENTS = 2
MAX_SMS_SEGMENTS = 10
"""The most segments a budget may allow: Twilio refuses bodies over 1,600 characters."""

_ELLIPSIS = "..."


@dataclass(frozen=True, slots=True)
class SmsPolicy:
    """A tenant's SMS options: GSM-7 transliteration and the segment budget."""

    transliterate: bool = True
    max_segments: int = DEFAULT_SMS_SEGMENTS

    def __post_init__(self) -> None:
        if not 1 <= self.max_segments <= MAX_SMS_SEGMENTS:
            raise ValueError(f"an SMS budget is 1 to {MAX_SMS_SEGMENTS} segments")


@dataclass(frozen=True, slots=True)
class SmsFit:
    """How compact one rendering of an SMS is; templates read it as `fit`.

    `one_total`: several currencies are named as one phrase, not amount by amount. `brief`:
    optional clauses are left out. The `*_chars` limits cut names (None: whole; 0: left out,
    for the customer's name only).
    """

    one_total: bool = False
    brief: bool = False
    customer_chars: int | None = None
    sender_chars: int | None = None
    referral_chars: int | None = None


FIT_STEPS: tuple[SmsFit, ...] = (
    SmsFit(),
    SmsFit(brief=True),
    SmsFit(one_total=True, brief=True),
    SmsFit(one_total=True, brief=True, customer_chars=24, sender_chars=30, referral_chars=60),
    SmsFit(one_total=True, brief=True, customer_chars=0, sender_chars=20, referral_chars=40),
)


def shorten(text: str, limit: int | None) -> str:
    """`text` cut to at most `limit` characters at a word, ending in "..."; None keeps it."""
    if limit is None or len(text) <= limit:
        return text
    if limit <= len(_ELLIPSIS):
        return ""
    cut = text[: limit - len(_ELLIPSIS)]
    space = cut.rfind(" ")
    if space >= len(cut) // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + _ELLIPSIS


@dataclass(frozen=True, slots=True)
class FittedSms:
    """The text to send, how it travels, and what a reviewer should know about it."""

    text: str
    info: SmsInfo
    step: int
    warnings: tuple[str, ...] = ()


def fit_sms(render: Callable[[SmsFit], str], *, footer: str, policy: SmsPolicy) -> FittedSms:
    """The fullest rendering of `render` that fits `policy`, with `footer` appended.

    `render(step)` gives the message body at one step of `FIT_STEPS`; the opt-out `footer`
    follows it whole at every step.
    """
    budget = policy.max_segments
    # (step, text before transliteration, text to send, its segments), one per distinct draft.
    tried: list[tuple[int, str, str, SmsInfo]] = []
    for step, fit in enumerate(FIT_STEPS):
        body = render(fit)
        draft = f"{body} {footer}" if body else footer
        if tried and draft == tried[-1][1]:
            continue  # this step changed nothing for this message
        text = to_gsm7(draft) if policy.transliterate else draft
        info = count_segments(text)
        if info.segments <= budget:
            return FittedSms(text=text, info=info, step=step)
        tried.append((step, draft, text, info))
    if not policy.transliterate:
        for step, draft, _text, unicode_info in tried:
            text = to_gsm7(draft)
            if text == draft:
                continue
            info = count_segments(text)
            if info.segments <= budget:
                note = (
                    f"accents GSM-7 lacks were dropped so the SMS fits the budget of {budget} "
                    f"segments (with them it takes {unicode_info.segments})"
                )
                return FittedSms(text=text, info=info, step=step, warnings=(note,))
    # Nothing fits: the fewest segments, the fullest rendering among equals (min keeps the first).
    step, _draft, text, info = min(tried, key=lambda attempt: attempt[3].segments)
    note = (
        f"the SMS takes {info.segments} segments, over the budget of {budget}: "
        f"it goes out as a {info.segments}-part message"
    )
    return FittedSms(text=text, info=info, step=step, warnings=(note,))
