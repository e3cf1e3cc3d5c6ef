# The emulator as a CI service container: `docker build -t llm-gateway-emulator .`
# Two stages: the wheel (with fixtures/ and schemas/ inside it) is built with the build
# tools, and only it is installed in the final image.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY emulator ./emulator
COPY fixtures ./fixtures
COPY schemas ./schemas
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
COPY --from=build /wheels /wheels
RUN pip install /wheels/*.whl \
    && rm -rf /wheels \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin emulator
USER emulator
EXPOSE 8000
# Python's own urllib: the slim image has no curl. Health needs no admin token.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/_emulator/health', timeout=2).status != 200)"]
# 0.0.0.0 only inside the container, so the published port reaches it; outside a
# container the CLI binds 127.0.0.1. Configure with LLM_EMULATOR_* variables (SEED, CLOCK,
# FIXTURES, STRICT_FIXTURES, ADMIN_TOKEN) where arguments cannot be given.
CMD ["llm-emulator", "serve", "--host", "0.0.0.0", "--port", "8000"]
