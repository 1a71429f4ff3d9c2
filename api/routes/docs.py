"""The API reference: the OpenAPI document, the Postman collection made from it, and /docs
(Swagger UI served from api/static/vendor, no CDN)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template

from api import auth
from api.openapi import doc, document
from api.postman import collection

bp = Blueprint("docs", __name__)
TAGS = ["Documentation"]
# Swagger UI styles itself inline; everything else comes from this origin.
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'"
)


@bp.get("/api/v1/openapi.json")
@auth.page
@doc(
    summary="This OpenAPI 3.1 document",
    tags=TAGS,
    responses={
        200: {"description": "The document.", "content": {"application/json": {"schema": {"type": "object"}}}}
    },
)
def openapi_json():
    return jsonify(document(current_app))


@bp.get("/api/v1/postman.json")
@auth.page
@doc(
    summary="A Postman collection of this API",
    description="Generated from the OpenAPI document. Set the baseUrl, apiKey and sessionToken variables.",
    tags=TAGS,
    responses={
        200: {
            "description": "Postman collection v2.1.",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
def postman_json():
    response = jsonify(collection(document(current_app)))
    response.headers["Content-Disposition"] = 'attachment; filename="chartfleet.postman_collection.json"'
    return response


@bp.get("/docs")
@auth.page
@doc(
    summary="The API reference (HTML)",
    tags=TAGS,
    responses={200: {"description": "Swagger UI.", "content": {"text/html": {"schema": {"type": "string"}}}}},
)
def reference():
    response = current_app.make_response(render_template("docs.html"))
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response
