"""Throwaway services for the operations tests: a PostgreSQL database of their own on the test
server (DTI_TEST_POSTGRES_URL; other tests reset `dti_test` under each other), and moto's S3 server
as a subprocess (an S3-compatible endpoint, as MinIO would be)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

S3_KEY, S3_SECRET, S3_REGION = "test-access-key", "test-secret-key", "us-east-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_url() -> str:
    url = os.environ.get("DTI_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("DTI_REQUIRE_POSTGRES") == "1":
            pytest.fail("DTI_REQUIRE_POSTGRES=1 but DTI_TEST_POSTGRES_URL is not set")
        pytest.skip("no PostgreSQL server (set DTI_TEST_POSTGRES_URL)")
    return url


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def own_database(prefix: str) -> AsyncIterator[str]:
    """A new, empty database on the test server; dropped afterwards (its sessions ended first)."""
    base = server_url()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    await _admin(base, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        await _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def set_connections(url: str, allowed: bool) -> None:
    """Take a database away (connections refused, the open ones ended) or give it back: as when its
    server is down, without stopping the server the other tests share."""
    name = make_url(url).database
    await _admin(url, f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {str(allowed).lower()}')
    if not allowed:
        await _admin(url, f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")


def moto_server(log: Path) -> Iterator[str]:
    """moto's S3 server on a free port; yields its endpoint URL."""
    port = free_port()
    executable = Path(sys.executable).with_name("moto_server")
    command = [str(executable)] if executable.exists() else [sys.executable, "-m", "moto.server"]
    with log.open("wb") as out:
        proc = subprocess.Popen([*command, "-H", "127.0.0.1", "-p", str(port)], stdout=out, stderr=out)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto_server did not start: {log.read_text()[-2000:]}") from None
                time.sleep(0.1)
        yield endpoint
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def s3_client(endpoint: str):  # type: ignore[no-untyped-def]
    import boto3

    return boto3.client(
        "s3", endpoint_url=endpoint, region_name=S3_REGION, aws_access_key_id=S3_KEY, aws_secret_access_key=S3_SECRET
    )


def s3_environment(endpoint: str, bucket: str) -> dict[str, str]:
    """The settings of a bot whose evidence files are in `bucket`."""
    return {
        "DTI_EVIDENCE_BUCKET": bucket,
        "DTI_EVIDENCE_ENDPOINT": endpoint,
        "DTI_EVIDENCE_REGION": S3_REGION,
        "DTI_EVIDENCE_ACCESS_KEY": S3_KEY,
        "DTI_EVIDENCE_SECRET_KEY": S3_SECRET,
    }
