"""Evidence that a reply is a legal matter: insolvency, representation, suits, cease and desist."""

from __future__ import annotations

from service.disputes.labels import LEGAL
from service.disputes.rules import Rule, rule

LEGAL_RULES: tuple[Rule, ...] = (
    rule(
        "legal.bankruptcy_en",
        LEGAL,
        2.0,
        r"\bbankrupt\w*",
        r"\bchapter (?:7|11|13|seven|eleven|thirteen)\b",
        r"\binsolven\w*",
        r"\b(?:entered|in|into|gone into|went into) (?:administration|receivership|liquidation)\b",
        r"\b(?:the|appointed|joint|official|bankruptcy) (?:administrators?|liquidators?|trustee|"
        r"official receiver|insolvency practitioners?)\b",
        r"\b(?:ch|chap|chapter)\.? ?(?:7|11|13)\b",
        r"\b(?:cva|iva) (?:proposal|arrangement)\b",
        r"\bvoluntary arrangement\b",
        r"\b(?:administrators?|trustee|receiver|liquidator)s? (?:have been|has been|was|were) "
        r"appointed\b",
        r"\bproof of claim\b",
        r"\bautomatic stay\b",
        r"\bcreditors? meeting\b",
        r"\bwinding[- ]up\b",
    ),
    rule(
        "legal.attorney_en",
        LEGAL,
        2.0,
        r"\b(?:my|our|an|the|a|to|with) (?:attorney|lawyer|solicitor|counsel|legal (?:team|depar"
        r"tment|"
        r"counsel|representative))\b",
        r"\bretained (?:counsel|an attorney|a lawyer)\b",
        r"\bthis (?:office|firm) represents\b",
        r"\btalk to my lawyer\b",
        r"\blegal (?:action|proceedings)\b",
        r"\b(?:law firm|law office|law group|legal group|llp|esq)\b",
        r"\b(?:getting|get|hire|hiring|call|calling|got|have) (?:a |an |my )?(?:lawyer|attorney)\b",
        r"\b(?:represents|representing|retained by|counsel for|we act for|acting for|act on behalf "
        r"of|on behalf of our client)\b",
        r"\b(?:solicitors|bufete|estudio juridico|(?:mi|nuestro|nuestra) licenciad[oa])\b",
    ),
    rule(
        "legal.sue_en",
        LEGAL,
        2.0,
        r"\b(?:sue|suing|sued|lawsuit|file suit|take you to court|see you in court|small claims|"
        r"court)\b",
        r"\b(?:report\w*|complaint|complain)\b[^.!?\n]{0,50}\b(?:cfpb|ftc|bbb|"
        r"attorney general|better business bureau|consumer protection|consumer financial)\b",
    ),
    rule(
        "legal.cease_desist_en",
        LEGAL,
        2.0,
        r"\bcease and desist\b",
        r"\bfdcpa\b",
        r"\b1692[a-z]?\b",
        r"\bu\.?s\.?c\.? ?1692",
        r"\bfair debt collection\b",
        r"\b(?:debt )?validation (?:letter|notice|request)\b",
        r"\brequest(?:ing)? (?:debt )?validation\b",
    ),
    rule(
        "legal.harassment_en",
        LEGAL,
        0.75,
        r"\bhar+as+(?:ment|ing)\b",
    ),
    rule(
        "legal.concurso_es",
        LEGAL,
        2.0,
        r"\bconcurso (?:de acreedores|mercantil)\b",
        r"\b(?:quiebra|bancarrota|insolvencia)\b",
        r"\bliquidacion (?:judicial|obligatoria|forzosa)\b",
        r"\ben (?:proceso de )?liquidacion\b",
        r"\breorganizacion (?:empresarial|de la empresa|de la sociedad)\b",
        r"\b(?:proceso|procedimiento|acuerdo) de (?:reorganizacion|insolvencia|reestructuracion|"
        r"liquidacion)\b",
        r"\b(?:admitid[oa]s?|en|entramos a|nos acogimos a) (?:a )?(?:proceso de )?(?:reorganizacion"
        r"|"
        r"reestructuracion)\b",
        # Insolvency statutes by country: Colombia, Argentina, Spain, Mexico.
        r"\bley (?:1116|24\.?522|concursal|de concursos mercantiles)\b",
        r"\b(?:supersociedades|juzgado de lo mercantil|sindico|sindicatura)\b",
        r"\badministracion(?:es)? concursal",
        r"\badministrador(?:a|es)? concursal",
        r"\bconcurso (?:voluntario|necesario|preventivo)\b",
        r"\bpreconcurso\b",
        r"\bsuperintendencia de sociedades\b",
        r"\bacreedores\b",
        r"\b(?:me|nos) (?:voy|vamos) a declarar en (?:quiebra|bancarrota|insolvencia|concurso)\b",
        r"\bley de concursos\b",
    ),
    rule(
        "legal.abogado_es",
        LEGAL,
        2.0,
        r"\b(?:mi|nuestro|nuestra|el|un|al) (?:abogad[oa]|apoderad[oa]|despacho (?:juridico|de "
        r"abogados)|area juridica|departamento (?:juridico|legal))\b",
        r"\babogad[oa]s?\b",
        r"\b(?:acciones|accion|via|instancias|medidas) legal(?:es)?\b",
        r"\basesor(?:ia)? (?:juridic|legal)\w*",
    ),
    rule(
        "legal.demanda_es",
        LEGAL,
        2.0,
        r"\b(?:denunci\w*|demand(?:o|amos|are|aremos|arlos|arles|aria))\b",
        r"\b(?:demandar|demandare|demandaremos|demanda|demandarlos|demandarles|denunciar|denuncia|"
        r"juzgado|tribunal)\w*\b",
        r"\bjuicio (?:mercantil|ejecutivo|civil|oral)\b",
        r"\b(?:profeco|condusef|defensa del consumidor|consumo|omic|sic|superintendencia|"
        r"superfinanciera|superintendencia de "
        r"industria)\b",
        r"\b(?:burofax|carta documento|requerimiento notarial|notario)\b",
        r"\b(?:queja|denuncia|reclamo) (?:formal )?(?:ante|en) (?:la |el )?(?:profeco|condusef|"
        r"consumo|defensa del consumidor|sic)\b",
    ),
    rule("legal.acoso_es", LEGAL, 0.75, r"\b(?:acoso|hostigamiento|acosando|hostigando)\b"),
)
