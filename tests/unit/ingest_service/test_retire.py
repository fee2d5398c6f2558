"""Retiring a removed worker's session: when its quiet starts, and the command line."""

import pytest

from ingest_service.__main__ import main
from ingest_service.worker import quiet_since


@pytest.mark.parametrize(
    ("wrote", "unsubscribed", "expected"),
    [
        (False, True, 10.0),  # nothing came: the quiet goes on
        (True, True, 12.5),  # a batch acknowledged: the broker may send the next ones
        (False, False, 12.5),  # new messages may still be routed to us
        (True, False, 12.5),
    ],
)
def test_quiet_restarts_on_every_batch_and_until_unsubscribed(
    wrote: bool, unsubscribed: bool, expected: float
) -> None:
    assert quiet_since(10.0, 12.5, wrote=wrote, unsubscribed=unsubscribed) == expected


def test_retire_needs_an_explicit_client_id(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--retire"])
    assert exited.value.code == 2
    assert "--retire needs --client-id" in capsys.readouterr().err
