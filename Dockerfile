# dti-bot: a two-stage image. Build: compile the Vietnamese catalogue, then build and install the
# wheel into a virtualenv. Run: slim Python, non-root user, data in the /data volume.
# The same steps run outside Docker in CI: tools/docker-steps.sh (keep the two in step).

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/dti
ENV PATH=/opt/dti/bin:$PATH
COPY pyproject.toml requirements.lock README.md babel.cfg ./
COPY scoring scoring
COPY storage storage
COPY bot bot
COPY frameworks frameworks
COPY locales locales
# step 1: compile the catalogue so that the wheel carries messages.mo
RUN pip install -q "babel>=2.14" && pybabel compile -d locales -D messages --statistics
# step 2: build and install the wheel (frameworks and locales are packaged inside it)
RUN pip install -q -r requirements.lock && pip install -q --no-deps . && dti-bot --help >/dev/null

FROM python:3.11-slim
ENV PATH=/opt/dti/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DTI_DATA_DIR=/data \
    DTI_LOG_JSON=true
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin dti \
    && mkdir -p /data && chown dti:dti /data
COPY --from=build /opt/dti /opt/dti
USER dti
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
# Local checks only (database reachable and migrated, data folder writable, free space).
HEALTHCHECK --interval=60s --timeout=20s --start-period=60s --retries=3 CMD ["dti-bot", "doctor", "--quick"]
# Polling by default; set DTI_WEBHOOK_URL (and publish port 8080) for webhook mode: `run` reads it
# and registers <DTI_WEBHOOK_URL>/telegram. .dockerignore keeps .env, data/ and .venv out of the image.
CMD ["dti-bot", "run", "--host", "0.0.0.0", "--port", "8080"]
