import { num, usd } from "../lib/format.ts";

/** Used against a limit, as a bar and in words; no limit reads "unlimited". */
export function Meter({ used, limit, money }: { used: number; limit: number | null; money?: boolean }) {
  const fmt = money ? usd : num;
  const share = limit ? Math.min(1, used / limit) : 0;
  const tone = !limit ? "" : share >= 1 ? " full" : share >= 0.8 ? " near" : "";
  return (
    <div className={`meter${tone}`}>
      <span className="meter-text">
        {fmt(used)} <span className="sub">/ {limit === null ? "unlimited" : fmt(limit)}</span>
      </span>
      {limit !== null && (
        <span className="meter-track" aria-hidden="true">
          <span className="meter-fill" style={{ width: `${Math.round(share * 100)}%` }} />
        </span>
      )}
    </div>
  );
}
