"""A publish racing a dropped connection is a PublishError the loop handles, not a crash.

The publisher's connected flag is cleared by paho's disconnect callback, so a publish can
start just before it: paho then queues nothing and `wait_for_publish` raises RuntimeError,
which used to end the worker's thread.
"""

import pytest

from ingest_service.settings import IngestSettings
from ingest_service.transport import Outbound, PahoTransport, PublishError


def test_a_publish_on_a_connection_that_just_dropped_raises_publish_error() -> None:
    transport = PahoTransport(IngestSettings(client_id="svc-unit-publish"))
    transport._publisher_connected.set()  # the callback has not run yet: paho is not connected
    with pytest.raises(PublishError, match="not currently connected"):
        transport.publish([Outbound("parking/v1/test", b"{}", qos=1, retain=True)], timeout=1)
