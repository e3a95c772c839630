"""Password policy: long enough, and not one an attacker tries first.

Besides the length, a password is refused when it contains the account's email address
or when zxcvbn (https://pypi.org/project/zxcvbn/, Dropbox's estimator, maintained on
PyPI) puts it within a million guesses: its bundled list of the 30,000 most common
passwords, repeats (1111111111), sequences and keyboard walks (1234567890, qwertyuiop)
and the user's own email and name. zxcvbn's lists come from English sources, so
participation/data/common_passwords_zh.txt adds the common passwords of Chinese users.
The messages are ours (zxcvbn's feedback is English only).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask_babel import gettext as _

from .errors import ServiceError

MIN_PASSWORD = 10
MAX_PASSWORD = 200
ZH_LIST = Path(__file__).resolve().parent / "data" / "common_passwords_zh.txt"
# zxcvbn score 0-1: fewer than about a million guesses (NIST SP 800-63B "commonly used,
# expected or compromised": dictionary words, repetitive or sequential characters).
MIN_SCORE = 2
_ZXCVBN_MAX = 72  # zxcvbn refuses longer input; the first 72 characters decide


@lru_cache(maxsize=1)
def _zh_common() -> frozenset[str]:
    lines = ZH_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(s.strip().casefold() for s in lines if s.strip() and not s.startswith("#"))


def _refuse(message: str) -> ServiceError:
    return ServiceError(message, field="password")


def check(password: str, email: str | None = None, name: str | None = None) -> None:
    """Raise a ServiceError (field "password") with a clear message for a weak password."""
    password = password or ""
    if len(password) < MIN_PASSWORD:
        raise _refuse(_("The password must have at least %(n)d characters.", n=MIN_PASSWORD))
    if len(password) > MAX_PASSWORD:
        raise _refuse(_("The password is too long."))
    folded = password.casefold()
    email = (email or "").casefold()
    local = email.split("@", 1)[0]
    if email and (email in folded or (len(local) >= 4 and local in folded)):
        raise _refuse(_("The password must not contain your email address."))
    if folded in _zh_common():
        raise _refuse(_("This password is one of the most common ones. Please choose another."))

    from zxcvbn import zxcvbn  # imported on first use: its word lists take half a second

    inputs = [s for s in (email, local, (name or "").casefold()) if s]
    result = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=inputs)
    if result["score"] >= MIN_SCORE:
        return
    patterns = {m["pattern"] for m in result["sequence"]}
    dictionaries = {m.get("dictionary_name") for m in result["sequence"]}
    if "user_inputs" in dictionaries:
        raise _refuse(_("The password must not contain your email address or your name."))
    if "repeat" in patterns:
        raise _refuse(_("The password must not repeat the same characters, as 1111111111 does."))
    if patterns & {"sequence", "spatial"}:
        raise _refuse(
            _("The password must not be a sequence or a keyboard row, as 1234567890 or qwertyuiop.")
        )
    if "passwords" in dictionaries:
        raise _refuse(_("This password is one of the most common ones. Please choose another."))
    raise _refuse(_("This password is too easy to guess. Please add a few more words."))
