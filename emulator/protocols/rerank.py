"""Rerank: `POST /v1/rerank`, the Jina/Cohere-compatible shape that one-api/new-api style
gateways relay (qhaigc "嵌入与重排序" names it; the shape is inferred):
`model, query, documents (strings or {text}), top_n, return_documents` ->
`{id, model, results[{index, relevance_score, document{text}}], usage}`.

Relevance is the cosine of the query's and the document's embedding vectors (the same
word-overlap notion as embeddings), squashed into (0, 1) the way cross-encoder scores
are: unrelated documents score near 0, documents sharing the query's words near 1.
Results are sorted by score, highest first; ties keep input order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..errors import InvalidRequest
from ..generate.tokens import count_tokens
from ..generate.vectors import cosine, embed_text
from .base import Call, JSONReply, Reply

# Vectors for scoring: a reranker has no documented dimension count, and more
# dimensions only mean less noise in the cosine.
RERANK_DIMENSIONS = 1024
# The logistic squash: cosine 0.25 (about one shared content word in four) scores 0.5.
SCORE_MIDPOINT = 0.25
SCORE_STEEPNESS = 12.0


def document_text(document: Any, index: int) -> str:
    if isinstance(document, str):
        return document
    if isinstance(document, Mapping) and isinstance(document.get("text"), str):
        return document["text"]
    raise InvalidRequest(f"documents[{index}] must be a string or an object with a "
                         "'text' string.", param="documents")


def relevance(query_vector: list[float], document_vector: list[float]) -> float:
    similarity = cosine(query_vector, document_vector)
    return round(1.0 / (1.0 + math.exp(-SCORE_STEEPNESS * (similarity - SCORE_MIDPOINT))), 8)


def handle_rerank(call: Call) -> Reply:
    body = call.body
    query = body.get("query")
    if not isinstance(query, str) or not query.strip():
        raise InvalidRequest("'query' must be a non-empty string.", param="query")
    documents = body.get("documents")
    if not isinstance(documents, list) or not documents:
        raise InvalidRequest("'documents' must be a non-empty array.", param="documents")
    texts = [document_text(d, i) for i, d in enumerate(documents)]
    model = str(body.get("model", ""))
    space = call.vector_space(model)
    query_vector = embed_text(query, space, RERANK_DIMENSIONS)
    scored = sorted(((relevance(query_vector, embed_text(t, space, RERANK_DIMENSIONS)), i)
                     for i, t in enumerate(texts)), key=lambda s: (-s[0], s[1]))
    top_n = body.get("top_n")
    if isinstance(top_n, int) and not isinstance(top_n, bool) and top_n > 0:
        scored = scored[:top_n]
    # Jina returns the documents unless told not to; Cohere only when asked. The
    # gateways' default follows Jina (new-api passes `return_documents` through).
    with_documents = body.get("return_documents") is not False
    results = []
    for score, index in scored:
        result: dict[str, Any] = {"index": index, "relevance_score": score}
        if with_documents:
            result["document"] = {"text": texts[index]}
        results.append(result)
    # A cross-encoder reads the query with every document.
    tokens = sum(count_tokens(query) + count_tokens(t) for t in texts)
    return JSONReply({"id": call.make_id("rerank"), "model": model, "results": results,
                      "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})
