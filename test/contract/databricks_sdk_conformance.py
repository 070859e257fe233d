"""The official Databricks SDK for Python (databricks-sdk, pinned in scripts/python-clients.txt)
against a sandbox workspace: every call the provider and Hopsworks' configure make, plus the
SDK's own machinery (host metadata, error classes, waiters, paging, multipart upload).

Run by test/sandbox/databricks/sdk-conformance.test.ts against an in-process sandbox:

    PDI_DBX_HOST=http://127.0.0.1:PORT PDI_DBX_ADMIN_TOKEN=... PDI_DBX_USER_TOKEN=... \
    PDI_DBX_OTHER_TOKEN=... PDI_DBX_CLUSTER=<running cluster id> PDI_DBX_POLICY=<policy id> python databricks_sdk_conformance.py

Prints one JSON line per check ({"check", "ok", "detail"}) and exits 1 when any check failed.
"""

import io
import json
import logging
import os
import sys
import time
import traceback

from databricks.sdk import WorkspaceClient
from databricks.sdk.core import Config
from databricks.sdk.errors import InvalidParameterValue, InvalidState, NotFound, PermissionDenied, ResourceDoesNotExist
from databricks.sdk.service import compute, workspace

HOST = os.environ["PDI_DBX_HOST"]
ADMIN = os.environ["PDI_DBX_ADMIN_TOKEN"]
USER = os.environ["PDI_DBX_USER_TOKEN"]
# A user with only Can Attach To on RUNNING.
OTHER = os.environ["PDI_DBX_OTHER_TOKEN"]
RUNNING = os.environ["PDI_DBX_CLUSTER"]
POLICY = os.environ["PDI_DBX_POLICY"]


class Warnings(logging.Handler):
    """Every warning the SDK logs (it warns when it cannot read the host metadata)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(record.getMessage())


warnings = Warnings()
logging.getLogger("databricks.sdk").addHandler(warnings)

results = []


def check(name):
    def wrap(fn):
        try:
            detail = fn()
            results.append({"check": name, "ok": True, "detail": detail or ""})
        except Exception as e:  # noqa: BLE001 - every failure is a result
            results.append({"check": name, "ok": False, "detail": f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=3)}"})
        return fn

    return wrap


def client(token):
    # Short retry budget: a check that would retry for minutes is a failure here.
    return WorkspaceClient(config=Config(host=HOST, token=token, auth_type="pat", retry_timeout_seconds=30))


def expect_error(cls, fn, contains=None):
    try:
        fn()
    except cls as e:
        if contains and contains not in str(e):
            raise AssertionError(f"{cls.__name__} without {contains!r}: {e}") from e
        return f"{cls.__name__}: {e}"
    raise AssertionError(f"no {cls.__name__} raised")


w = client(ADMIN)
u = client(USER)


@check("host metadata (/.well-known/databricks-config) read without a warning")
def _():
    w.current_user.me()
    bad = [m for m in warnings.records if "host metadata" in m]
    assert not bad, bad
    assert str(w.config.workspace_id) != "", "workspace_id not resolved"
    return f"workspace_id={w.config.workspace_id}"


@check("current_user.me() names the caller")
def _():
    me = u.current_user.me()
    assert me.user_name and me.active, me
    return me.user_name


@check("a revoked token: PermissionDenied on every call, me() included")
def _():
    made = u.tokens.create(comment="to revoke", lifetime_seconds=600)
    u.tokens.delete(made.token_info.token_id)
    revoked = client(made.token_value)
    a = expect_error(PermissionDenied, lambda: revoked.current_user.me(), "Invalid access token")
    expect_error(PermissionDenied, lambda: list(revoked.clusters.list()))
    return a


@check("an unknown cluster: ResourceDoesNotExist")
def _():
    return expect_error(ResourceDoesNotExist, lambda: w.clusters.get("0000-000000-nosuchcl"))


@check("start of a running cluster: InvalidState")
def _():
    return expect_error(InvalidState, lambda: w.clusters.start(RUNNING))


@check("a missing Can Manage: PermissionDenied with PERMISSION_DENIED (not the token message)")
def _():
    e = expect_error(PermissionDenied, lambda: client(OTHER).clusters.get_permissions(RUNNING), "permission")
    assert "Invalid access token" not in e, e
    return e


@check("spark_versions, select_spark_version, list_node_types, select_node_type")
def _():
    lts = w.clusters.select_spark_version(long_term_support=True, latest=True)
    node = w.clusters.select_node_type(local_disk=True, min_memory_gb=16)
    return f"{lts} {node}"


@check("cluster lifecycle through the SDK's waiters: create, get (runtime fields, spec), update, edit, pin, events, delete, start, permanent_delete")
def _():
    version = w.clusters.select_spark_version(long_term_support=True, latest=True)
    created = w.clusters.create(
        cluster_name="sdk-conformance",
        spark_version=version,
        node_type_id="i3.xlarge",
        num_workers=1,
        autotermination_minutes=30,
        spark_conf={"spark.a": "1"},
    ).result(timeout=__import__("datetime").timedelta(minutes=2))
    cid = created.cluster_id
    assert created.state == compute.State.RUNNING, created.state
    info = w.clusters.get(cid)
    assert info.driver and info.driver.private_ip, "no driver"
    assert info.executors and len(info.executors) == 1, "executors"
    assert info.spark_context_id and info.jdbc_port and info.cluster_memory_mb and info.cluster_cores, "runtime fields"
    assert info.spec and info.spec.spark_conf == {"spark.a": "1"}, f"spec {info.spec}"

    w.clusters.update(cid, "autotermination_minutes", cluster=compute.UpdateClusterResource(autotermination_minutes=45)).result()
    after = w.clusters.get(cid)
    assert after.autotermination_minutes == 45 and after.spark_conf == {"spark.a": "1"}, after

    w.clusters.edit(cid, spark_version=version, cluster_name="sdk-conformance", node_type_id="i3.xlarge", num_workers=2).result()
    edited = w.clusters.get(cid)
    assert edited.num_workers == 2 and not edited.spark_conf, "edit is a full spec"

    w.clusters.pin(cid)
    w.clusters.unpin(cid)
    events = list(w.clusters.events(cid, page_size=2))
    assert len(events) >= 3, f"only {len(events)} events through paging"

    w.clusters.delete(cid).result()
    assert w.clusters.get(cid).state == compute.State.TERMINATED
    w.clusters.ensure_cluster_is_running(cid)
    assert w.clusters.get(cid).state == compute.State.RUNNING
    w.clusters.permanent_delete(cid)
    expect_error(ResourceDoesNotExist, lambda: w.clusters.get(cid))
    return cid


@check("clusters.list pages through page_token")
def _():
    ids = [c.cluster_id for c in w.clusters.list(page_size=1)]
    assert RUNNING in ids and len(ids) == len(set(ids)) and len(ids) >= 2, ids
    return f"{len(ids)} clusters"


@check("cluster permissions: get, permission levels, update")
def _():
    levels = [l.permission_level for l in w.clusters.get_permission_levels(RUNNING).permission_levels]
    assert compute.ClusterPermissionLevel.CAN_MANAGE in levels, levels
    w.clusters.update_permissions(
        RUNNING,
        access_control_list=[compute.ClusterAccessControlRequest(user_name="bob@example.com", permission_level=compute.ClusterPermissionLevel.CAN_ATTACH_TO)],
    )
    acl = w.clusters.get_permissions(RUNNING).access_control_list
    assert any(a.user_name == "bob@example.com" for a in acl), acl
    return ",".join(str(l.value) for l in levels)


@check("cluster policies: list, get; a create that breaks the policy is InvalidParameterValue naming the field")
def _():
    ids = [p.policy_id for p in w.cluster_policies.list()]
    assert POLICY in ids, ids
    policy = w.cluster_policies.get(POLICY)
    assert json.loads(policy.definition), "definition"
    e = expect_error(
        InvalidParameterValue,
        lambda: w.clusters.create(
            cluster_name="breaks-policy", spark_version="15.4.x-scala2.12", node_type_id="i3.xlarge", num_workers=0, policy_id=POLICY, autotermination_minutes=600
        ),
        "autotermination_minutes",
    )
    return e


@check("libraries: install and cluster_status")
def _():
    w.libraries.install(RUNNING, [compute.Library(pypi=compute.PythonPyPiLibrary(package="hsfs~=3.7.0"))])
    statuses = list(w.libraries.cluster_status(RUNNING))
    assert any(s.library.pypi and s.library.pypi.package == "hsfs~=3.7.0" for s in statuses), statuses
    return ",".join(str(s.status.value) for s in statuses)


@check("DBFS: upload (streaming), read back, get_status, list, delete")
def _():
    data = os.urandom(3 * 1024 * 1024 + 17)
    w.dbfs.upload("/sdk-conformance/blob.bin", io.BytesIO(data), overwrite=True)
    with w.dbfs.download("/sdk-conformance/blob.bin") as f:
        back = f.read()
    assert back == data, "content differs"
    assert w.dbfs.get_status("/sdk-conformance/blob.bin").file_size == len(data)
    assert [f.path for f in w.dbfs.list("/sdk-conformance")] == ["/sdk-conformance/blob.bin"]
    w.dbfs.delete("/sdk-conformance", recursive=True)
    expect_error(NotFound, lambda: w.dbfs.get_status("/sdk-conformance/blob.bin"))
    return f"{len(data)} bytes"


@check("workspace.upload (multipart import), download, get_status, list, delete")
def _():
    w.workspace.mkdirs("/Users/admin@example.com/sdk")
    w.workspace.upload("/Users/admin@example.com/sdk/setup.sh", io.BytesIO(b"#!/bin/bash\necho hi\n"), format=workspace.ImportFormat.AUTO, overwrite=True)
    with w.workspace.download("/Users/admin@example.com/sdk/setup.sh") as f:
        assert f.read() == b"#!/bin/bash\necho hi\n"
    status = w.workspace.get_status("/Users/admin@example.com/sdk/setup.sh")
    assert status.object_type == workspace.ObjectType.FILE, status
    w.workspace.upload("/Users/admin@example.com/sdk/nb.py", io.BytesIO(b"print(1)\n"), overwrite=True)
    kinds = sorted(str(o.object_type.value) for o in w.workspace.list("/Users/admin@example.com/sdk"))
    assert kinds == ["FILE", "NOTEBOOK"], kinds
    w.workspace.delete("/Users/admin@example.com/sdk", recursive=True)
    return ",".join(kinds)


@check("tokens: create without lifetime (2 years), list, delete; token management for admins")
def _():
    made = u.tokens.create(comment="sdk")
    life = made.token_info.expiry_time - made.token_info.creation_time
    assert life == 2 * 365 * 24 * 3600 * 1000, life
    assert made.token_info.token_id in [t.token_id for t in u.tokens.list()]
    managed = [t for t in w.token_management.list(created_by_username="alice@example.com")]
    assert made.token_info.token_id in [t.token_id for t in managed], managed
    assert w.token_management.get(made.token_info.token_id).token_info.comment == "sdk"
    expect_error(PermissionDenied, lambda: list(u.token_management.list()))
    w.token_management.delete(made.token_info.token_id)
    expect_error(PermissionDenied, lambda: client(made.token_value).current_user.me())
    return f"{life} ms"


@check("workspace_conf.get_status reads maxTokenLifetimeDays")
def _():
    conf = w.workspace_conf.get_status(keys="maxTokenLifetimeDays")
    return json.dumps(conf)


@check("SQL warehouses and Unity Catalog listings")
def _():
    whs = list(w.warehouses.list())
    assert whs, "no warehouse"
    assert w.warehouses.get(whs[0].id).odbc_params.path.startswith("/sql/1.0/warehouses/")
    catalogs = [c.name for c in w.catalogs.list()]
    schemas = [s.name for s in w.schemas.list(catalog_name="main")]
    assert "main" in catalogs and "sales" in schemas, (catalogs, schemas)
    return f"{len(whs)} warehouses, catalogs {catalogs}"


for r in results:
    print(json.dumps(r))
sys.exit(0 if all(r["ok"] for r in results) else 1)
