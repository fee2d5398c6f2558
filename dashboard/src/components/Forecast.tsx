// A lot's free slots expected in 15, 30 and 60 minutes, and what the forecast is based on.
import { useEffect } from "react";
import type { LotForecast } from "../api/types";
import { useApi } from "../hooks/useApi";
import { dateTime } from "./format";
import { Async } from "./States";

const REFRESH_MS = 5 * 60_000;

const BASIS_TEXT: Record<LotForecast["basis"], string> = {
  seasonal: "Based on this lot's usual week (weekday and time of day), corrected by how far it is from it now.",
  persistence: "Too little history yet: the forecast is the number free now.",
};

export function ForecastView({ forecast }: { forecast: LotForecast }) {
  return (
    <section className="forecast" aria-labelledby="forecast-title">
      <h2 id="forecast-title">Forecast</h2>
      <ol>
        {forecast.horizons.map((h) => (
          <li key={h.minutes} data-minutes={h.minutes}>
            In {h.minutes} min: <strong>{Math.round(h.free)}</strong> of {forecast.capacity} free
            {h.baseline !== null ? <span className="muted"> (usually {Math.round(h.baseline)})</span> : null}
          </li>
        ))}
      </ol>
      <p className="muted" data-testid="forecast-basis">
        {BASIS_TEXT[forecast.basis]} {forecast.free_now} free at {dateTime(forecast.generated_at)}.
      </p>
    </section>
  );
}

export function Forecast({ lot }: { lot: string }) {
  const forecast = useApi<LotForecast>(`/lots/${encodeURIComponent(lot)}/forecast`);
  const { reload } = forecast;
  useEffect(() => {
    const timer = window.setInterval(reload, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [reload]);
  return (
    <Async what="the forecast" result={forecast}>
      {(f) => <ForecastView forecast={f} />}
    </Async>
  );
}
