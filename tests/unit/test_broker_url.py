"""`parse_mqtt_url` errors never quote the URL's user name or password."""

import traceback

import pytest

from schemas.broker_url import parse_mqtt_url

SECRET = "TOPSECRET"
USER = "nodeuser"


@pytest.mark.parametrize(
    "url",
    [
        f"mqtt://{USER}:{SECRET}@host:x",  # a bad port
        f"mqtt://{USER}:{SECRET}@host:99999",
        f"mqtt://{USER}:{SECRET}@host:-1",
        f"mqtt://{USER}:{SECRET}@host:0",
        f"mqtt://{USER}:{SECRET}",  # no host: urllib reads the password as the port
        f"mqtt://{USER}:{SECRET}/x@host:1883",  # an unencoded / ends the netloc
        f"mqtt://{USER}:{SECRET}?x@host:1883",
        f"mqtt://{USER}:{SECRET}#x@host:1883",
        f"mqtt://{USER}:TOP\uff03{SECRET}@host",  # refused under NFKC: urllib quotes the netloc
        f"mqtt://{USER}:TOP[{SECRET}@host",
        f"mqtt://{USER}:{SECRET}@[::1",
        f"mqtt://{USER}:{SECRET}@[{SECRET}]:1883",
        f"mqtt://{USER}:{SECRET}@:1883",
        f"{USER}:{SECRET}@host:1883",  # no scheme: the user name is read as one
        f"http://{USER}:{SECRET}@host:1883",
        f"mqtt://{USER}:{SECRET}@host:1883/{SECRET}",
    ],
)
def test_errors_never_echo_the_userinfo(url: str) -> None:
    with pytest.raises(ValueError, match=r"\w") as refused:
        parse_mqtt_url(url)
    # Neither the message nor anything chained to it (a traceback in a log) holds a secret.
    shown = "".join(traceback.format_exception(refused.value))
    for secret in (SECRET, USER, "TOP"):
        assert secret not in shown
    assert refused.value.__cause__ is None
    assert refused.value.__suppress_context__ or refused.value.__context__ is None


@pytest.mark.parametrize(
    ("url", "port"),
    [("mqtt://h", 1883), ("mqtts://h", 8883), ("mqtt://u:p@h:1", 1), ("mqtt://h:65535", 65535)],
)
def test_ports(url: str, port: int) -> None:
    assert parse_mqtt_url(url).port == port


def test_an_encoded_password_is_decoded() -> None:
    address = parse_mqtt_url("mqtt://u:TOP%2FSE%3FCR%23ET%40@h:1883")
    assert (address.username, address.password, address.host) == ("u", "TOP/SE?CR#ET@", "h")
