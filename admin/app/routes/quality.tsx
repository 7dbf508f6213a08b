import { Link } from "react-router";
import { requireAdminUser } from "../auth.server.ts";
import { EmptyState, PageError, PageHeader, useConsoleUser } from "../components/ui.tsx";
import { dateTime, num, PLATFORM_LABEL, pct } from "../lib/format.ts";
import { qualityOverview } from "../quality.server.ts";
import type { Route } from "./+types/quality";

/** The windows the page offers, in days. */
const WINDOWS = [7, 30, 90] as const;

export const meta: Route.MetaFunction = () => [{ title: "Quality · Article Bot console" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  await requireAdminUser(request, context);
  const asked = Number(new URL(request.url).searchParams.get("days"));
  const days = WINDOWS.find((w) => w === asked) ?? 30;
  return { days, ...(await qualityOverview(context.app.db, days)) };
}

interface Row {
  key: string;
  drafts: number;
  meanScore: number | null;
  judged: number;
  meanJudge: number | null;
  up: number;
  down: number;
  upRate: number | null;
}

function RollupTable({ label, rows, caption }: { label: string; rows: Row[]; caption: string }) {
  if (!rows.length) return null;
  return (
    <table className="rtable">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{label}</th>
          <th scope="col" className="num">
            Drafts
          </th>
          <th scope="col" className="num">
            Mean score
          </th>
          <th scope="col" className="num">
            Judge (1–10)
          </th>
          <th scope="col" className="num">
            👍 / 👎
          </th>
          <th scope="col" className="num">
            👍 rate
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <th scope="row" data-label={label}>
              {PLATFORM_LABEL[r.key] ?? (r.key || "—")}
            </th>
            <td data-label="Drafts" className="num">
              {num(r.drafts)}
            </td>
            <td data-label="Mean score" className="num">
              {r.meanScore ?? "—"}
            </td>
            <td data-label="Judge (1–10)" className="num">
              {r.meanJudge === null ? "—" : `${r.meanJudge} (${num(r.judged)})`}
            </td>
            <td data-label="👍 / 👎" className="num">
              {num(r.up)} / {num(r.down)}
            </td>
            <td data-label="👍 rate" className="num">
              {r.upRate === null ? "—" : pct(r.upRate)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default function QualityPage({ loaderData }: Route.ComponentProps) {
  const { days, overTime, groups, worst } = loaderData;
  const { timeZone } = useConsoleUser();
  return (
    <>
      <PageHeader
        title="Quality"
        description="Every delivered draft is checked (length, structure, loops, copying, language, keywords, house style) and scored 0–100; a sample is judged by a model when QUALITY_JUDGE_MODEL is set; people vote 👍/👎."
        actions={
          <nav aria-label="Window">
            {WINDOWS.map((w) => (
              <Link
                key={w}
                to={`?days=${w}`}
                aria-current={w === days ? "page" : undefined}
                className="button"
              >
                {w} days
              </Link>
            ))}
          </nav>
        }
      />
      {overTime.length === 0 ? (
        <EmptyState title="No delivered drafts in this window">
          Scores appear as drafts are delivered.
        </EmptyState>
      ) : (
        <>
          <section className="card">
            <h2>Over time</h2>
            <RollupTable label="Day" rows={overTime} caption={`Score and votes per day, last ${days} days`} />
          </section>
          <div className="grid two">
            {groups.map((g) => (
              <section className="card" key={g.by}>
                <h2>By {g.label.toLowerCase()}</h2>
                <RollupTable label={g.label} rows={g.rows} caption={`By ${g.label.toLowerCase()}`} />
              </section>
            ))}
          </div>
          <section className="card">
            <h2>Worst drafts</h2>
            <table className="rtable">
              <thead>
                <tr>
                  <th scope="col">Topic</th>
                  <th scope="col" className="num">
                    Score
                  </th>
                  <th scope="col">Failed checks</th>
                  <th scope="col">Model · prompt</th>
                  <th scope="col" className="num">
                    👍 / 👎
                  </th>
                  <th scope="col">When</th>
                </tr>
              </thead>
              <tbody>
                {worst.map((w) => (
                  <tr key={w.id}>
                    <th scope="row" data-label="Topic">
                      <Link to={`/generations/${w.id}`}>{w.topic}</Link>
                    </th>
                    <td data-label="Score" className="num">
                      {w.qualityScore}
                    </td>
                    <td data-label="Failed checks">{w.failed.join(", ") || "—"}</td>
                    <td data-label="Model · prompt">
                      {w.model ?? "—"} · {w.promptVersion ?? "—"}
                    </td>
                    <td data-label="👍 / 👎" className="num">
                      {num(w.votesUp)} / {num(w.votesDown)}
                    </td>
                    <td data-label="When">{dateTime(w.createdAt, timeZone)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </>
  );
}

export const ErrorBoundary = PageError;
