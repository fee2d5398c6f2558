// Camera nodes: liveness table, resync, and registration (credentials shown once).
import { useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import type { Accepted, AdminLotPage, NodeCredentials, NodePage, NodeView } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { ago } from "../components/format";
import { Async, Empty } from "../components/States";
import { useApi } from "../hooks/useApi";

const STATE_LOOK: Record<NodeView["state"], { symbol: string; css: string }> = {
  online: { symbol: "●", css: "ok" },
  stale: { symbol: "◐", css: "warn" },
  offline: { symbol: "✕", css: "bad" },
};

export function NodesPage() {
  const nodes = useApi<NodePage>("/admin/nodes");
  return (
    <>
      <h1>Camera nodes</h1>
      <Async what="the nodes" result={nodes}>
        {(page) => (page.items.length ? <NodeTable nodes={page.items} /> : <Empty>No nodes registered yet.</Empty>)}
      </Async>
      <RegisterNode onRegistered={nodes.reload} />
    </>
  );
}

function NodeTable({ nodes }: { nodes: NodeView[] }) {
  return (
    <div className="table-wrap">
      <table>
        <caption className="sr-only">Camera nodes and their liveness</caption>
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">Lot</th>
            <th scope="col">State</th>
            <th scope="col">Last seen</th>
            <th scope="col">Buffered</th>
            <th scope="col">Camera</th>
            <th scope="col">Software</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {nodes.map((node) => (
            <NodeRow key={node.node_id} node={node} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function NodeRow({ node }: { node: NodeView }) {
  const { client } = useAuth();
  const [result, setResult] = useState<string | null>(null);
  const look = STATE_LOOK[node.state];
  const resync = async () => {
    setResult("sending…");
    try {
      const accepted = await client.request<Accepted>(`/admin/nodes/${encodeURIComponent(node.node_id)}/resync`, { method: "POST" });
      setResult(`resync ${accepted.status}`);
    } catch (error) {
      setResult(error instanceof ApiError ? `failed: ${error.message}` : "failed");
    }
  };
  return (
    <tr data-node={node.node_id}>
      <th scope="row">{node.node_id}</th>
      <td>{node.lot_id}</td>
      <td>
        <span className={`tag ${look.css}`}>
          {look.symbol} {node.state}
        </span>
        {node.enabled ? null : <span className="tag bad">disabled</span>}
      </td>
      <td>{ago(node.last_seen)}</td>
      <td>{node.buffered}</td>
      <td>{node.camera_ok === null || node.camera_ok === undefined ? "—" : node.camera_ok ? "ok" : "error"}</td>
      <td>
        {node.software ?? "—"}
        {node.detector ? <span className="muted"> · {node.detector}</span> : null}
      </td>
      <td>
        <button type="button" className="secondary" onClick={() => void resync()} aria-label={`Send resync to ${node.node_id}`}>
          Resync
        </button>
        {result ? (
          <span className="muted" role="status">
            {" "}
            {result}
          </span>
        ) : null}
      </td>
    </tr>
  );
}

function RegisterNode({ onRegistered }: { onRegistered(): void }) {
  const { client } = useAuth();
  const lots = useApi<AdminLotPage>("/admin/lots");
  const [nodeId, setNodeId] = useState("");
  const [lotId, setLotId] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<NodeCredentials | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (!/^[a-z0-9][a-z0-9._-]{0,62}$/i.test(nodeId) || !lotId) {
      setError("Give a node id (letters, digits, . _ -) and choose its lot.");
      return;
    }
    try {
      setCreated(await client.request<NodeCredentials>("/admin/nodes", { method: "POST", body: { node_id: nodeId, lot_id: lotId } }));
      setNodeId("");
      onRegistered();
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : "Registration failed.");
    }
  };

  return (
    <section aria-labelledby="register-title">
      <h2 id="register-title">Register a node</h2>
      <form className="inline-form" onSubmit={(e) => void submit(e)}>
        <label htmlFor="node-id">Node id</label>
        <input id="node-id" value={nodeId} onChange={(e) => setNodeId(e.target.value)} />
        <label htmlFor="node-lot">Lot</label>
        <select id="node-lot" value={lotId} onChange={(e) => setLotId(e.target.value)}>
          <option value="">Choose…</option>
          {lots.data?.items.map((lot) => (
            <option key={lot.lot_id} value={lot.lot_id}>
              {lot.name} ({lot.lot_id})
            </option>
          ))}
        </select>
        <button type="submit">Register</button>
      </form>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      {created ? (
        <div className="credentials" role="status">
          <p>
            <strong>Copy these now: the password is shown only this once.</strong>
          </p>
          <dl className="facts">
            <dt>Username</dt>
            <dd>
              <code>{created.username}</code>
            </dd>
            <dt>Password</dt>
            <dd>
              <code>{created.password}</code>
            </dd>
            <dt>Topics</dt>
            <dd>{created.topics.join(", ")}</dd>
          </dl>
          <button type="button" className="secondary" onClick={() => setCreated(null)}>
            I have stored them
          </button>
        </div>
      ) : null}
    </section>
  );
}
