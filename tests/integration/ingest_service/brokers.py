"""A broker of our own whose ACL refuses some subscriptions (Mosquitto dynamic security)."""

import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from tests.support.mosquitto import FLOW_CONTROL, MosquittoServer
from tests.support.processes import (
    find_binary,
    hand_over,
    stop,
    unprivileged_user,
    wait_until,
)

# Debian's and the upstream image's places for the plugin that checks SUBSCRIBE against ACLs
# (Mosquitto 2.0's acl_file grants every SUBSCRIBE and filters only at delivery).
DYNSEC_PLUGINS = (
    "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so",
    "/usr/lib/aarch64-linux-gnu/mosquitto_dynamic_security.so",
    "/usr/lib/mosquitto_dynamic_security.so",
)
ROLE = "ingest"


def dynsec_plugin() -> str | None:
    """The dynamic-security plugin's path, or None where it is not installed."""
    return next((p for p in DYNSEC_PLUGINS if Path(p).is_file()), None)


def dynsec_config(granted: list[str]) -> dict[str, object]:
    """Anonymous clients may publish anything and subscribe to exactly `granted` patterns."""
    acls = [{"acltype": "subscribePattern", "topic": t, "allow": True} for t in granted]
    return {
        "defaultACLAccess": {
            "publishClientSend": True, "publishClientReceive": True,
            "subscribe": False, "unsubscribe": True,
        },
        "clients": [],
        "groups": [{"groupname": "anonymous", "roles": [{"rolename": ROLE}]}],
        "anonymousGroup": "anonymous",
        "roles": [{"rolename": ROLE, "acls": acls}],
    }  # fmt: skip


@contextmanager
def acl_mosquitto(
    workdir: Path, plugin: str, granted: list[str], port: int
) -> Iterator[MosquittoServer]:
    """A broker whose dynamic-security ACL grants anonymous clients only `granted` filters."""
    mosquitto = find_binary("mosquitto", "/usr/sbin")
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "dynsec.json").write_text(json.dumps(dynsec_config(granted)))
    config = workdir / "mosquitto.conf"
    config.write_text(
        "\n".join(
            [
                "per_listener_settings false",
                f"listener {port} 127.0.0.1",
                "allow_anonymous true",
                f"plugin {plugin}",
                f"plugin_opt_config_file {workdir / 'dynsec.json'}",
                f"log_dest file {workdir / 'mosquitto.log'}",
                FLOW_CONTROL.read_text(),
            ]
        )
    )
    user = unprivileged_user("mosquitto")
    hand_over(workdir, user)
    server = MosquittoServer("127.0.0.1", port)
    with (workdir / "stderr.log").open("ab") as log:
        process = subprocess.Popen(
            [mosquitto, "-c", str(config)], stdout=log, stderr=subprocess.STDOUT, user=user
        )
        try:
            wait_until(lambda: _answers(server), process, "Mosquitto with dynamic security")
            yield server
        finally:
            stop(process)


def _answers(server: MosquittoServer) -> bool:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    try:
        client.connect(server.host, server.port)
    except OSError:
        return False
    client.disconnect()
    return True
