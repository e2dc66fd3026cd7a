"""ISO 3166-1 alpha-2 country codes, resource-free: what CloudFront's geo restriction accepts.

The 249 officially assigned codes of ISO 3166-1 (the ISO Online Browsing Platform,
https://www.iso.org/obp/ui/#search/code/, as of 2026), which CloudFront's ``locations`` takes
(https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/georestrictions.html). Codes
in common use that ISO does not assign are mapped to the assigned one in `COMMON_MISTAKES`.
"""

from __future__ import annotations

ISO_3166_ALPHA2: frozenset[str] = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
    BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
    DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET
    FI FJ FK FM FO FR
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
    HK HM HN HR HT HU
    ID IE IL IM IN IO IQ IR IS IT
    JE JM JO JP
    KE KG KH KI KM KN KP KR KW KY KZ
    LA LB LC LI LK LR LS LT LU LV LY
    MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
    NA NC NE NF NG NI NL NO NP NR NU NZ
    OM
    PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA
    RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
    TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
    UA UG UM US UY UZ
    VA VC VE VG VI VN VU
    WF WS
    YE YT
    ZA ZM ZW
    """.split()  # noqa: SIM905 (a table is easier to check by eye than 249 quoted strings)
)

#: Codes people write that ISO 3166-1 does not assign, and the assigned code they mean.
COMMON_MISTAKES: dict[str, str] = {"UK": "GB", "EL": "GR", "EN": "GB", "KO": "KR", "JA": "JP"}


def country_code_problem(code: object) -> str | None:
    """Why ``code`` is not an ISO 3166-1 alpha-2 code, or ``None``."""
    if not isinstance(code, str) or code not in ISO_3166_ALPHA2:
        hint = f" (the code for that country is {COMMON_MISTAKES[code]!r})" if code in COMMON_MISTAKES else ""
        return f"{code!r} is not an ISO 3166-1 alpha-2 code{hint}; use codes such as 'US', 'GB' or 'DE'"
    return None
