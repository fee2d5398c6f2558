// A lot's settings for its staff: the tariff (versioned) and the opening hours.
import { useEffect, useState } from "react";
import { Link, useParams } from "react-router";
import type { LotDetail, LotTariff } from "../api/types";
import { OpeningHoursForm } from "../components/OpeningHoursForm";
import { Async } from "../components/States";
import { TariffEditor } from "../components/TariffEditor";
import { useApi } from "../hooks/useApi";

export function LotSettingsPage() {
  const lot = useParams().lot ?? "";
  const path = `/admin/lots/${encodeURIComponent(lot)}/tariff`;
  // The staff route first: another operator's lot is a 403 before anything is shown.
  const loaded = useApi<LotTariff>(path);
  const detail = useApi<LotDetail>(loaded.data ? `/lots/${encodeURIComponent(lot)}` : null);
  const [tariff, setTariff] = useState<LotTariff | null>(null);
  useEffect(() => setTariff(loaded.data), [loaded.data]);
  return (
    <>
      <p className="crumbs">
        <Link to="/">Lots</Link> / <Link to={`/lots/${encodeURIComponent(lot)}`}>{detail.data?.name ?? lot}</Link> / Settings
      </p>
      <h1>Settings of {detail.data?.name ?? lot}</h1>
      <Async what={`the tariff of ${lot}`} result={loaded}>
        {(first) => (
          <>
            <TariffEditor lot={lot} tariff={tariff ?? first} onSaved={setTariff} />
            <Async what={`lot ${lot}`} result={detail}>
              {(d) => <OpeningHoursForm lot={lot} initial={d} />}
            </Async>
          </>
        )}
      </Async>
    </>
  );
}
