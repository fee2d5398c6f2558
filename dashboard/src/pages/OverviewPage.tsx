// Every lot the user runs: free/total, today's occupancy trend, node health.
import { useState } from "react";
import { Link } from "react-router";
import type { AdminLotPage, LotDetail, NodePage, NodeView, OccupancyStats } from "../api/types";
import { Sparkline } from "../components/Charts";
import { Async, Empty } from "../components/States";
import { useApi } from "../hooks/useApi";

export function OverviewPage() {
  const lots = useApi<AdminLotPage>("/admin/lots");
  const nodes = useApi<NodePage>("/admin/nodes");
  return (
    <>
      <h1>Lots</h1>
      <Async what="your lots" result={lots}>
        {(page) =>
          page.items.length ? (
            <ul className="cards">
              {page.items.map((lot) => (
                <LotCard key={lot.lot_id} lot={lot.lot_id} name={lot.name} operator={lot.operator} nodes={nodes.data?.items.filter((n) => n.lot_id === lot.lot_id) ?? null} nodesFailed={Boolean(nodes.error)} />
              ))}
            </ul>
          ) : (
            <Empty>No lots yet for your account.</Empty>
          )
        }
      </Async>
    </>
  );
}

function LotCard({ lot, name, operator, nodes, nodesFailed }: { lot: string; name: string; operator: string; nodes: NodeView[] | null; nodesFailed: boolean }) {
  const detail = useApi<LotDetail>(`/lots/${encodeURIComponent(lot)}`);
  const [window] = useState(() => {
    const to = new Date();
    return { from: new Date(to.getTime() - 24 * 3600_000).toISOString(), to: to.toISOString() };
  });
  const stats = useApi<OccupancyStats>("/admin/stats/occupancy", { lot_id: lot, from: window.from, to: window.to, bucket: "1h" });
  return (
    <li className="card" data-lot={lot}>
      <h2>
        <Link to={`/lots/${encodeURIComponent(lot)}`}>{name}</Link>
      </h2>
      <p className="muted">
        {lot} · {operator}
      </p>
      <Async what="availability" result={detail}>
        {(d) => (
          <p className="big" data-testid={`free-${lot}`}>
            <strong>{d.counts.free}</strong> free of {d.counts.total}
            <span className="muted"> · {d.counts.occupied} occupied · {d.counts.unknown} unknown · {d.counts.closed} closed</span>
          </p>
        )}
      </Async>
      {stats.error ? <p className="muted">Trend unavailable ({stats.error.message}).</p> : stats.data ? <Sparkline stats={stats.data} label={`Occupancy of ${name} over the last 24 hours`} /> : null}
      <NodeHealth nodes={nodes} failed={nodesFailed} />
    </li>
  );
}

function NodeHealth({ nodes, failed }: { nodes: NodeView[] | null; failed: boolean }) {
  if (failed) return <p className="muted">Node health unavailable.</p>;
  if (nodes === null) return <p className="muted">Nodes…</p>;
  if (!nodes.length) return <p className="muted">No camera nodes registered.</p>;
  const count = (state: string) => nodes.filter((n) => n.state === state).length;
  return (
    <p className="node-health">
      Nodes: <span className="tag ok">● {count("online")} online</span> <span className="tag warn">◐ {count("stale")} stale</span>{" "}
      <span className="tag bad">✕ {count("offline")} offline</span>
    </p>
  );
}
