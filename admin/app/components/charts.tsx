import { Link } from "react-router";
import { shortDay } from "../lib/format.ts";

/**
 * Small server-rendered SVG charts: no chart library, no client JavaScript needed. Bars stretch
 * with the card (the SVG scales without keeping its aspect ratio); labels are HTML so text stays
 * readable at any width. Each bar carries a <title> (hover), and every chart has a table twin
 * for screen readers and for reading exact figures.
 */

export interface Series {
  key: string;
  label: string;
  /** A CSS colour token class: c1, c2, c3... */
  tone: string;
}

const W = 300;
const H = 120;

/** Columns per day, optionally stacked by series. */
export function ColumnChart({
  title,
  days,
  series,
  values,
  format,
}: {
  title: string;
  days: string[];
  series: Series[];
  values: Array<Record<string, number | string>>;
  format: (v: number) => string;
}) {
  const at = (i: number, key: string) => Number(values[i]?.[key] ?? 0);
  const totals = values.map((_, i) => series.reduce((sum, s) => sum + at(i, s.key), 0));
  const max = niceMax(Math.max(0, ...totals));
  const slot = W / Math.max(1, days.length);
  const barW = Math.max(1, slot * 0.7);
  const empty = totals.every((t) => t === 0);
  return (
    <figure className="chart">
      <figcaption className="chart-title">{title}</figcaption>
      {series.length > 1 && (
        <ul className="legend">
          {series.map((s) => (
            <li key={s.key}>
              <span className={`swatch ${s.tone}`} aria-hidden="true" />
              {s.label}
            </li>
          ))}
        </ul>
      )}
      <div className="chart-body">
        <span className="axis-max">{format(max)}</span>
        <svg
          viewBox={`0 0 ${W} ${H}`}
          preserveAspectRatio="none"
          role="img"
          aria-label={`${title}, last ${days.length} days`}
        >
          {[0.25, 0.5, 0.75].map((f) => (
            <line
              key={f}
              x1="0"
              x2={W}
              y1={H * f}
              y2={H * f}
              className="grid"
              vectorEffect="non-scaling-stroke"
            />
          ))}
          <line x1="0" x2={W} y1={H} y2={H} className="baseline" vectorEffect="non-scaling-stroke" />
          {days.map((day, i) => {
            let y = H;
            return (
              <g key={day}>
                <title>{`${shortDay(day)}: ${series.map((s) => `${series.length > 1 ? `${s.label} ` : ""}${format(at(i, s.key))}`).join(", ")}`}</title>
                <rect x={i * slot} y={0} width={slot} height={H} className="hit" />
                {series.map((s) => {
                  const v = at(i, s.key);
                  const h = max ? (v / max) * H : 0;
                  y -= h;
                  return h > 0 ? (
                    <rect
                      key={s.key}
                      x={i * slot + (slot - barW) / 2}
                      y={y}
                      width={barW}
                      height={h}
                      className={`bar ${s.tone}`}
                    />
                  ) : null;
                })}
              </g>
            );
          })}
        </svg>
        {empty && <p className="chart-empty">No articles in these 30 days yet.</p>}
      </div>
      <div className="axis-x" aria-hidden="true">
        <span>{days[0] ? shortDay(days[0]) : ""}</span>
        <span>{days[Math.floor(days.length / 2)] ? shortDay(days[Math.floor(days.length / 2)]!) : ""}</span>
        <span>{days.at(-1) ? shortDay(days.at(-1)!) : ""}</span>
      </div>
      <details className="chart-table">
        <summary>Show as a table</summary>
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Day</th>
                {series.map((s) => (
                  <th scope="col" key={s.key} className="num">
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {days.map((day, i) => (
                <tr key={day}>
                  <td>{day}</td>
                  {series.map((s) => (
                    <td key={s.key} className="num">
                      {format(at(i, s.key))}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

/** Horizontal bars for a ranked list (tokens by model, cost by requester). */
export function BarList({
  title,
  rows,
  format,
  empty,
}: {
  title: string;
  rows: Array<{ label: string; sub?: string; value: number; tone?: string; href?: string }>;
  format: (v: number) => string;
  empty: string;
}) {
  const max = Math.max(0, ...rows.map((r) => r.value));
  return (
    <figure className="chart">
      <figcaption className="chart-title">{title}</figcaption>
      {rows.length === 0 ? (
        <p className="chart-empty static">{empty}</p>
      ) : (
        <ul className="barlist">
          {rows.map((r) => (
            <li key={r.label + (r.sub ?? "")}>
              <div className="barlist-label">
                {r.href ? (
                  <Link className="barlist-name" to={r.href}>
                    {r.label}
                  </Link>
                ) : (
                  <span className="barlist-name">{r.label}</span>
                )}
                {r.sub && <span className="barlist-sub">{r.sub}</span>}
                <span className="barlist-value">{format(r.value)}</span>
              </div>
              <svg
                viewBox="0 0 100 6"
                preserveAspectRatio="none"
                aria-hidden="true"
                className="barlist-track"
              >
                <rect x="0" y="0" width="100" height="6" className="track" />
                <rect
                  x="0"
                  y="0"
                  width={max ? Math.max(0.5, (r.value / max) * 100) : 0}
                  height="6"
                  className={`bar ${r.tone ?? "c1"}`}
                />
              </svg>
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}

/** A round number at or above v, so the axis reads 0–50 rather than 0–47.3. */
export function niceMax(v: number): number {
  if (v <= 0) return 0;
  const exp = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * exp >= v) return m * exp;
  return 10 * exp;
}
