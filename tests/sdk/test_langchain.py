"""LangChain, as the gateways' users write it: `ChatOpenAI` (Chat Completions and the
Responses API), `ChatAnthropic` and `OpenAIEmbeddings` with only the base URL changed,
against a real server: plain and streamed answers with their usage, a tool round trip,
structured output, embeddings, and an injected 429 that LangChain's client retries."""

from __future__ import annotations

import asyncio
import math
import os
from typing import Any

import pytest
from langchain_anthropic import ChatAnthropic
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_openai import ChatOpenAI, OpenAIEmbeddings
from pydantic import BaseModel, Field

from emulator import EmulatorServer
from emulator.policy.faults import parse_fault_rule

from ..conftest import KEY

os.environ["LANGSMITH_TRACING"] = "false"  # never try to reach LangSmith
QUESTION = "Say hello in one short sentence."


class GetWeather(BaseModel):
    """Get the current weather in a given city."""

    city: str = Field(description="The city name, e.g. Paris")


class Person(BaseModel):
    """A person described in the text."""

    name: str
    age: int = Field(ge=0, le=150)
    hobbies: list[str]


def chat_openai(server: EmulatorServer, slug: str = "apiyi", **options: Any) -> ChatOpenAI:
    options = {"model": "gpt-4o", "timeout": 10, "max_retries": 0} | options
    return ChatOpenAI(base_url=server.base_url(slug), api_key=KEY, **options)


def chat_anthropic(server: EmulatorServer, **options: Any) -> ChatAnthropic:
    return ChatAnthropic(base_url=server.anthropic_base_url("xiaoai"), api_key=KEY,
                         model="xiaoai-chat-v1", max_tokens=512, timeout=10, max_retries=0,
                         **options)


def joined(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return total


@pytest.mark.parametrize(("slug", "model", "responses_api"), [
    ("apiyi", "gpt-4o", False), ("qhaigc", "gpt-4o", False),
    ("ruijing", "ruijing-gpt-2.0", False), ("xiaoai", "xiaoai-chat-v1", False),
    ("apiyi", "gpt-4o", True)])
def test_chat_openai_invoke_and_stream_agree(server: EmulatorServer, slug: str, model: str,
                                             responses_api: bool) -> None:
    llm = chat_openai(server, slug, model=model, use_responses_api=responses_api,
                      stream_usage=True)
    reply = llm.invoke(QUESTION)
    assert isinstance(reply, AIMessage) and isinstance(reply.text, str) and reply.text
    usage = reply.usage_metadata
    assert usage is not None and usage["input_tokens"] > 0 and usage["output_tokens"] > 0
    streamed = joined(list(llm.stream(QUESTION)))
    assert streamed.text == reply.text
    assert streamed.usage_metadata is not None
    assert streamed.usage_metadata["output_tokens"] == usage["output_tokens"]


def test_chat_openai_async(server: EmulatorServer) -> None:
    async def both() -> tuple[AIMessage, list[AIMessageChunk]]:
        llm = chat_openai(server)
        return await llm.ainvoke(QUESTION), [c async for c in llm.astream(QUESTION)]

    reply, chunks = asyncio.run(both())
    assert joined(chunks).text == reply.text


@pytest.mark.parametrize("responses_api", [False, True])
def test_chat_openai_tool_round_trip(server: EmulatorServer, responses_api: bool) -> None:
    llm = chat_openai(server, use_responses_api=responses_api).bind_tools(
        [GetWeather], tool_choice="GetWeather")
    question = HumanMessage("What is the weather in Oslo?")
    first = llm.invoke([question])
    [call] = first.tool_calls
    assert call["name"] == "GetWeather" and isinstance(call["args"]["city"], str)
    assert joined(list(llm.stream([question]))).tool_calls == first.tool_calls
    final = chat_openai(server, use_responses_api=responses_api).bind_tools(
        [GetWeather]).invoke([question, first, ToolMessage("-3 C, snow",
                                                           tool_call_id=call["id"])])
    assert "-3 C, snow" in final.text


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
@pytest.mark.parametrize("responses_api", [False, True])
def test_chat_openai_structured_output(server: EmulatorServer, method: str,
                                       responses_api: bool) -> None:
    llm = chat_openai(server, use_responses_api=responses_api)
    person = llm.with_structured_output(Person, method=method).invoke(
        "Ann is 31 and likes chess.")
    assert isinstance(person, Person)


# LangChain recognises OpenAI's wording of the 400 and warns about the schema, as it would.
@pytest.mark.filterwarnings("ignore:Invalid schema for OpenAI's structured output")
def test_a_strict_schema_the_api_would_refuse_is_refused(server: EmulatorServer) -> None:
    import openai

    loose = {"type": "object", "properties": {"name": {"type": "string"}}}
    llm = chat_openai(server).bind(response_format={"type": "json_schema", "json_schema": {
        "name": "loose", "strict": True, "schema": loose}})
    with pytest.raises(openai.BadRequestError, match="additionalProperties"):
        llm.invoke("Name someone.")


def test_chat_anthropic_invoke_stream_and_tools(server: EmulatorServer) -> None:
    llm = chat_anthropic(server)
    reply = llm.invoke([("system", "Be brief."), ("human", QUESTION)])
    assert reply.text and reply.usage_metadata is not None
    assert joined(list(llm.stream([("system", "Be brief."), ("human", QUESTION)]))).text == \
        reply.text
    tools = llm.bind_tools([GetWeather], tool_choice="any")
    question = HumanMessage("What is the weather in Oslo?")
    first = tools.invoke([question])
    [call] = first.tool_calls
    final = chat_anthropic(server).bind_tools([GetWeather]).invoke(
        [question, first, ToolMessage("-3 C, snow", tool_call_id=call["id"])])
    assert "-3 C, snow" in final.text


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_chat_anthropic_structured_output(server: EmulatorServer, method: str) -> None:
    person = chat_anthropic(server).with_structured_output(Person, method=method).invoke(
        "Ann is 31 and likes chess.")
    assert isinstance(person, Person)


def test_openai_embeddings(server: EmulatorServer) -> None:
    # check_embedding_ctx_length=False: the default tokenises with tiktoken, whose encoding
    # is a download (and a real gateway's model is not OpenAI's anyway).
    embeddings = OpenAIEmbeddings(base_url=server.base_url("apiyi"), api_key=KEY,  # type: ignore[arg-type]
                                  model="text-embedding-3-small", dimensions=256,
                                  check_embedding_ctx_length=False, max_retries=0)
    query = embeddings.embed_query("tides and the moon")
    documents = embeddings.embed_documents(["the moon pulls the tides", "a recipe for bread"])
    assert len(query) == 256 and math.isclose(math.fsum(v * v for v in query), 1.0,
                                              rel_tol=1e-6)

    def cosine(a: list[float], b: list[float]) -> float:
        return math.fsum(x * y for x, y in zip(a, b, strict=True))

    assert cosine(query, documents[0]) > cosine(query, documents[1])
    assert embeddings.embed_query("tides and the moon") == query


def test_an_injected_429_is_retried_by_langchain(server: EmulatorServer) -> None:
    server.state.faults.add(parse_fault_rule({"status": 429, "times": 1}, "test"))
    reply = chat_openai(server, max_retries=1).invoke(QUESTION)
    assert reply.text
    assert [e.status for e in server.state.journal.entries] == [429, 200]
