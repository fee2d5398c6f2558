"""The ingest entrypoint's PTR query to Docker's embedded DNS (infra/docker/ingest_entrypoint)."""

import struct
from pathlib import Path

from infra.docker.ingest_entrypoint import nameserver, ptr_answer, ptr_query, read_name

# Docker 20.10's answer for 172.22.0.6, as captured in a Compose replica (id 0x8214).
DOCKER_ANSWER = (
    b"\x82\x14\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00\x016\x010\x0222\x03172\x07in-addr"
    b"\x04arpa\x00\x00\x0c\x00\x01\x016\x010\x0222\x03172\x07in-addr\x04arpa\x00\x00\x0c\x00"
    b"\x01\x00\x00\x02X\x00*\x14parkingtest-ingest-2\x13parkingtest_default\x00"
)


def test_query_asks_for_the_reversed_address() -> None:
    query = ptr_query("172.22.0.6", 0x8214)
    assert query[:2] == b"\x82\x14"
    assert read_name(query, 12) == ("6.0.22.172.in-addr.arpa", len(query) - 4)
    assert struct.unpack("!2H", query[-4:]) == (12, 1)


def test_answer_names_the_compose_replica() -> None:
    assert ptr_answer(DOCKER_ANSWER, 0x8214) == "parkingtest-ingest-2.parkingtest_default"


def test_answer_to_another_query_or_an_error_is_none() -> None:
    assert ptr_answer(DOCKER_ANSWER, 0x1234) is None
    refused = DOCKER_ANSWER[:3] + b"\x83" + DOCKER_ANSWER[4:]  # rcode 3: no such name
    assert ptr_answer(refused, 0x8214) is None


def test_compressed_names_are_followed() -> None:
    # Header, then "example" at 12, then a name "svc.<pointer to 12>".
    message = b"\0" * 12 + b"\x07example\x00" + b"\x03svc\xc0\x0c"
    assert read_name(message, 21) == ("svc.example", len(message))


def test_nameserver_is_the_first_of_resolv_conf(tmp_path: Path) -> None:
    conf = tmp_path / "resolv.conf"
    conf.write_text("# docker\nnameserver 127.0.0.11\nnameserver 10.0.0.1\noptions ndots:0\n")
    assert nameserver(conf) == "127.0.0.11"
    assert nameserver(tmp_path / "missing") is None
