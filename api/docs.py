"""The API's documentation page, rendered on the server from the OpenAPI document.

No script and no CDN: it works offline, on an air-gapped analyst's machine too.
"""

from __future__ import annotations

import html
import json
from typing import Any

from litestar import Request
from litestar.openapi.plugins import OpenAPIRenderPlugin


class OfflineDocsPlugin(OpenAPIRenderPlugin):
    def __init__(self) -> None:
        super().__init__(path=["/", "/docs"], media_type="text/html")

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        info = openapi_schema.get("info", {})
        parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{_e(info.get('title'))}</title>",
                 "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
                 "code,pre{background:#f4f4f4;padding:.1rem .3rem}h3{margin-bottom:.2rem}"
                 "details{margin:.3rem 0 1rem}</style></head><body>",
                 f"<h1>{_e(info.get('title'))} <small>{_e(info.get('version'))}</small></h1>",
                 f"<p>{_e(info.get('description'))}</p>",
                 "<p>The machine-readable document: <a href='/schema/openapi.json'>/schema/openapi.json</a>.</p>"]
        for path, operations in openapi_schema.get("paths", {}).items():
            for method, operation in operations.items():
                if not isinstance(operation, dict):
                    continue
                parts.append(f"<h3><code>{method.upper()} {_e(path)}</code></h3><p>{_e(operation.get('summary'))}</p>")
                rows = "".join(f"<li><code>{_e(p.get('name'))}</code> ({_e(p.get('in'))}"
                               f"{', required' if p.get('required') else ''}): {_e(p.get('description'))}</li>"
                               for p in operation.get("parameters", []))
                if rows:
                    parts.append(f"<ul>{rows}</ul>")
                answers = ", ".join(f"{code} {_e(r.get('description'))}" for code, r in operation.get("responses", {}).items())
                parts.append(f"<p>Answers: {answers}</p>")
        schemas = openapi_schema.get("components", {}).get("schemas", {})
        parts.append("<h2>Schemas</h2>")
        for name, schema in schemas.items():
            parts.append(f"<details><summary><code>{_e(name)}</code></summary>"
                         f"<pre>{_e(json.dumps(schema, indent=2))}</pre></details>")
        parts.append("</body></html>")
        return "".join(parts).encode()


def _e(text: Any) -> str:
    return html.escape(str(text or ""))
