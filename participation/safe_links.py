"""Links that staff or users give us: a same-site path, or an explicit http(s) address.

Browsers are lenient where a naive check is strict: they drop tabs and newlines inside
a URL, read a backslash as a slash, and take ``//host`` as another site. So
``/\\example.invalid/agenda``, ``//example.invalid`` and ``/\t/example.invalid`` all leave
the site while "starting with /". Every link is checked here, in one way, for redirects
after sign-in and for links published on pages.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

# Whitespace, control characters and backslashes have no place in a link we publish.
_UNSAFE = re.compile(
    r"[\x00-\x20\x7f-\x9f\\\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f\u3000\ufeff]"
)
MAX_LENGTH = 500


def _clean(url: str) -> str | None:
    if not url or len(url) > MAX_LENGTH or _UNSAFE.search(url):
        return None
    return url


def is_same_site_path(url: str | None) -> bool:
    """A path on this site: one leading slash, no host, nothing a browser reads as a host.

    Percent-escapes are checked decoded too (``/%5Cexample``, ``/%2F%2Fexample``): a
    server or proxy that decodes them must not find another site either.
    """
    if url is None or _clean(url) is None or not url.startswith("/"):
        return False
    for form in (url, unquote(url)):
        if form.startswith("//") or _UNSAFE.search(form):
            return False
        parts = urlsplit(form)
        if parts.scheme or parts.netloc:
            return False
    return True


def is_web_address(url: str | None) -> bool:
    """An explicit http(s) address of another site, with a host and no credentials."""
    if url is None or _clean(url) is None:
        return False
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
        parts.port  # noqa: B018  (raises ValueError for a malformed port)
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not hostname:
        return False
    if parts.username is not None or parts.password is not None:
        return False  # https://trusted.example@evil.example/ reads as trusted
    return url.lower().startswith(parts.scheme.lower() + "://")


def link_kind(url: str | None) -> str | None:
    """ "site" for a same-site path, "external" for an http(s) address, None otherwise."""
    if is_same_site_path(url):
        return "site"
    if is_web_address(url):
        return "external"
    return None
