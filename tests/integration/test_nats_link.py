"""A service given a cluster's nodes (SHELTERBEDS_NATS_URL, comma-separated) gets in through the
first one that answers, and creates the streams with the replicas it was told."""

from __future__ import annotations

import asyncio

from common.nats import NatsLink
from contracts.streams import BEDS
from tests.support.nats_server import NatsServer, free_port


async def test_a_link_to_several_nodes_gets_in_through_a_live_one(nats_server: NatsServer) -> None:
    dead = f"nats://127.0.0.1:{free_port()}"  # nothing listens there
    link = NatsLink(f"{dead}, {nats_server.url}", name="link-test", streams=[BEDS], replicas=1)
    link.start()
    try:
        await asyncio.wait_for(link.ready.wait(), 30)
        assert link.nc is not None and link.nc.connected_url is not None
        assert link.nc.connected_url.port == nats_server.port
        info = await link.js.stream_info(BEDS.name)
        assert info.config.num_replicas == 1
    finally:
        await link.close()
