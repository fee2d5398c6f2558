"""broker/acl (the password-file setup) grants what schemas/broker_roles.py defines."""

import re
from collections import defaultdict
from pathlib import Path

import pytest

from schemas.broker_roles import node_role_acls, service_roles

ACL = Path(__file__).resolve().parents[2] / "broker" / "acl"
NODE = "node-7"
DYNSEC_ONLY = ("$CONTROL/",)  # the dynamic-security control API has no acl_file form


def acl_file() -> dict[str, set[tuple[str, str]]]:
    """(access, topic) per user; `pattern` lines as user NODE (%u = the node id)."""
    grants: dict[str, set[tuple[str, str]]] = defaultdict(set)
    user = None
    for line in ACL.read_text().splitlines():
        if found := re.fullmatch(r"user (\S+)", line):
            user = found[1]
        elif found := re.fullmatch(r"(topic|pattern) (read|write) (\S+)", line):
            who = NODE if found[1] == "pattern" else user
            assert who is not None, line
            grants[who].add((found[2], found[3].replace("%u", NODE)))
    return grants


def role(acls: list[dict[str, object]]) -> set[tuple[str, str]]:
    """The same grants from a dynamic-security role (shared subscriptions as plain filters)."""
    access = {"publishClientSend": "write", "subscribePattern": "read"}
    grants = set()
    for acl in acls:
        topic, kind = str(acl["topic"]), str(acl["acltype"])
        if kind in access and not topic.startswith(DYNSEC_ONLY):
            grants.add((access[kind], re.sub(r"^\$share/[^/]+/", "", topic)))
    return grants


@pytest.mark.parametrize("user", ["ingest", "api", "viewer"])
def test_service_accounts_match_their_roles(user: str) -> None:
    acls = next(r["acls"] for r in service_roles() if r["rolename"] == user)
    assert acl_file()[user] == role(acls)


def test_the_node_pattern_matches_the_node_role() -> None:
    assert acl_file()[NODE] == role(node_role_acls(NODE))
