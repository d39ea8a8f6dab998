from __future__ import annotations

import pytest

from tests.ops.services import moto_server, own_database


@pytest.fixture
async def pg_url():
    """The URL of a new, empty PostgreSQL database of this test's own."""
    async for url in own_database("dti_ops"):
        yield url


@pytest.fixture
def s3_endpoint(tmp_path):
    yield from moto_server(tmp_path / "moto.log")
