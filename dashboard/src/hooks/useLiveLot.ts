// React binding of followLot.
import { useEffect, useState } from "react";
import { useAuth } from "../auth/AuthContext";
import { browserEventSource, followLot, type LiveSnapshot, type SourceFactory } from "./liveSlots";

const START: LiveSnapshot = { slots: null, availability: null, link: "connecting", error: null };

export function useLiveLot(lot: string | null, open: SourceFactory = browserEventSource): LiveSnapshot {
  const { client } = useAuth();
  const [snapshot, setSnapshot] = useState<LiveSnapshot>(START);
  useEffect(() => {
    setSnapshot(START);
    if (lot === null) return;
    return followLot(client, lot, setSnapshot, open);
  }, [client, lot, open]);
  return snapshot;
}
