"""`parking-node` arguments, settings and config errors: clear messages and exit codes."""

from pathlib import Path

import pytest

from pi_node.__main__ import main

ROOT = Path(__file__).resolve().parents[3]
HARBOUR = str(ROOT / "examples" / "lots" / "harbour-surface.json")
NODE_YAML = str(ROOT / "examples" / "nodes" / "harbour-node-1.yaml")


def test_list_nodes_names_every_virtual_node(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--simulate", "--lot", HARBOUR, "--config", NODE_YAML, "--list-nodes"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "harbour-node-1 harbour-surface",
        "harbour-surface-node-1 harbour-surface",
        "harbour-surface-node-2 harbour-surface",
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "exactly one --config"),
        (["--simulate"], "needs at least one --lot or --config"),
        (["--simulate", "--lot", HARBOUR, "--speedup", "0"], "--speedup and --max-rate"),
        (["--simulate", "--lot", HARBOUR, "--slots-per-node", "0"], "--slots-per-node"),
    ],
)
def test_usage_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_duplicate_node_ids_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--simulate", "--config", NODE_YAML, "--config", NODE_YAML]) == 2
    assert "node id 'harbour-node-1' appears twice" in capsys.readouterr().err


def test_bad_environment_exits_2_naming_the_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MQTT_URL", "amqp://broker")
    assert main(["--config", NODE_YAML]) == 2
    assert "MQTT_URL" in capsys.readouterr().err


def test_missing_model_exits_1(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("NODE_STATE_DIR", str(tmp_path))
    monkeypatch.setattr("pi_node.__main__.signal.signal", lambda *_args: None)
    assert main(["--config", NODE_YAML]) == 1
    assert "yolov8n.onnx not found" in caplog.text
