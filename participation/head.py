"""HEAD is answered as GET without a body, for every route.

Flask routes a HEAD request to the view of the GET route with ``request.method ==
"HEAD"``. Views that serve a form on GET and act on anything else (``if request.method
== "GET": ...`` then the POST branch) ran their POST branch for HEAD: a HEAD to 24
routes went through form handling (it wrote nothing only because the body was empty and
CSRF was checked). Rather than trusting every view to test ``== "POST"``, the request is
turned into a GET before Flask sees it and the body is dropped here, as HTTP asks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


class HeadAsGet:
    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "HEAD":
            return self.app(environ, start_response)
        environ["REQUEST_METHOD"] = "GET"
        environ["canyu.head"] = True
        body = self.app(environ, start_response)
        close = getattr(body, "close", None)
        if close is not None:
            close()  # a streamed export is never generated for a HEAD
        return []
