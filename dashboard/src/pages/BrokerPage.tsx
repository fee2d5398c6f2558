// Broker figures from $SYS (admins only).
import type { BrokerView } from "../api/types";
import { duration } from "../components/format";
import { Async } from "../components/States";
import { useApi } from "../hooks/useApi";

const number = (value: number | null | undefined, digits = 0) => (value === null || value === undefined ? "—" : value.toFixed(digits));

export function BrokerPage() {
  const broker = useApi<BrokerView>("/admin/broker");
  return (
    <>
      <h1>Broker</h1>
      <Async what="the broker's figures" result={broker}>
        {(b) => (
          <>
            <dl className="facts figures">
              <dt>Version</dt>
              <dd>{b.version ?? "—"}</dd>
              <dt>Uptime</dt>
              <dd>{duration(b.uptime_s)}</dd>
              <dt>Clients connected</dt>
              <dd>{number(b.clients_connected)}</dd>
              <dt>Messages in / s (1 min)</dt>
              <dd>{number(b.messages_in_per_s, 1)}</dd>
              <dt>Messages out / s (1 min)</dt>
              <dd>{number(b.messages_out_per_s, 1)}</dd>
              <dt>Retained messages</dt>
              <dd>{number(b.retained)}</dd>
              <dt>Stored messages</dt>
              <dd>{number(b.stored)}</dd>
            </dl>
            <button type="button" className="secondary" onClick={broker.reload}>
              Refresh
            </button>
          </>
        )}
      </Async>
    </>
  );
}
