"""Loading the slot map: a YAML file -> `NodeConfig`, with errors that name the bad key."""

from pathlib import Path

import yaml
from pydantic import ValidationError

from schemas.messages import NodeConfig, format_errors


class ConfigError(Exception):
    """A node.yaml that cannot be read or does not match the NodeConfig contract."""


def parse_node_config(data: object, origin: str = "<config>") -> NodeConfig:
    """Validate already-loaded YAML/JSON data as a `NodeConfig`."""
    try:
        return NodeConfig.model_validate(data)
    except ValidationError as exc:
        errors = format_errors(exc.errors(include_url=False, include_input=False))
        raise ConfigError(f"{origin}: {errors}") from exc


def load_node_config(path: Path) -> NodeConfig:
    """Read and validate a node.yaml file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    return parse_node_config(data, str(path))
