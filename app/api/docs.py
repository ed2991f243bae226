"""/docs (Swagger UI) and /redoc with their assets served from an installed package.

No CDN: the explorer must work on a network with no internet. The assets come from the
`fastapi-offline` package's static folder; only that folder is used, not its app.
ReDoc's script is served patched: its sidebar always shows Redocly's logo from their CDN
(no option turns it off), so that one image address is pointed at a local asset.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

ASSETS = "/static/docs"
REDOC_SCRIPT = "/static/redoc/redoc.standalone.js"
_CDN_IMAGE = re.compile(rb"https://cdn\.redoc\.ly/[^\"']*\.(?:svg|png)")


@cache
def redoc_script() -> bytes:
    source = (files("fastapi_offline") / "static" / "redoc.standalone.js").read_bytes()
    return _CDN_IMAGE.sub(f"{ASSETS}/favicon.png".encode(), source)


def install_docs(app: FastAPI) -> None:
    app.mount(
        ASSETS, StaticFiles(directory=str(files("fastapi_offline") / "static")), name="docs-assets"
    )

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} – API explorer",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon.png",
        )

    @app.get(REDOC_SCRIPT, include_in_schema=False)
    def redoc_js() -> Response:
        return Response(
            redoc_script(),
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} – reference",
            redoc_js_url=REDOC_SCRIPT,
            redoc_favicon_url=f"{ASSETS}/favicon.png",
            with_google_fonts=False,
        )
