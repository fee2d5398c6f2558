"""Our conformance schemas of the open-data feeds (tests/open_data/schemas/README.md).

`ngsi_ld_validator` checks NGSI-LD entities, one or a list, key-values or normalised;
`datex2_errors` checks a DATEX II document and returns what is wrong, in document order.
Both schemas are files of this repository: nothing is fetched.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

import xmlschema
from jsonschema import Draft202012Validator

SCHEMAS = Path(__file__).parent / "schemas"
NGSI_LD_SCHEMA = SCHEMAS / "ngsi_ld_parking.schema.json"
DATEX2_SCHEMA = SCHEMAS / "datex2_parking_subset.xsd"


@cache
def _ngsi_ld_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(NGSI_LD_SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return schema


def ngsi_ld_validator() -> Draft202012Validator:
    """A validator of our NGSI-LD entities; formats are checked where jsonschema can (the
    schema's patterns hold dates and URNs either way)."""
    return Draft202012Validator(
        _ngsi_ld_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


@cache
def datex2_schema() -> xmlschema.XMLSchema10:
    """Our DATEX II v3 parking subset (the root file imports one file per namespace)."""
    return xmlschema.XMLSchema10(DATEX2_SCHEMA)


def datex2_errors(document: bytes) -> list[str]:
    """Every violation of the schema in `document`, each with its path; [] when it conforms."""
    return [
        f"{error.path}: {error.reason}" for error in datex2_schema().iter_errors(document.decode())
    ]
