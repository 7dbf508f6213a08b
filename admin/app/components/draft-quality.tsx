import { Badge } from "./ui.tsx";

/** A generation's checks, the judge's verdict and people's votes (the generation page). */

interface Check {
  name: string;
  passed: boolean;
  credit: number;
  measured: Record<string, number | string | boolean | string[]>;
}

export interface DraftQualityProps {
  promptVersion: string | null;
  report: { score: number; failed: string[]; checks: Check[] } | null;
  judge:
    | {
        status: "scored";
        model: string;
        mean: number;
        scores: Record<string, { score: number; reason: string }>;
      }
    | { status: "unscored"; model: string; reason: string }
    | null;
  judgeCostUsd: string | null;
  votes: Array<{
    platform: string;
    voterId: string;
    vote: "UP" | "DOWN";
    comment: string | null;
    updatedAt: string;
  }>;
}

const CHECK_LABEL: Record<string, string> = {
  length: "Length",
  structure: "Structure",
  repetition: "Repetition",
  overlap: "Overlap with excerpts",
  language: "Language",
  keywords: "Keywords",
  style: "House style",
};

function measured(m: Check["measured"]): string {
  return Object.entries(m)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") || "none" : String(v)}`)
    .join(" · ");
}

export function DraftQuality({ promptVersion, report, judge, judgeCostUsd, votes }: DraftQualityProps) {
  const up = votes.filter((v) => v.vote === "UP").length;
  return (
    <section className="card" aria-labelledby="quality-heading">
      <h2 id="quality-heading">
        Quality{" "}
        {report && (
          <Badge tone={report.score >= 80 ? "good" : report.score >= 60 ? "warn" : "bad"}>
            score {report.score}/100
          </Badge>
        )}
      </h2>
      <p className="muted">Prompt version: {promptVersion ?? "— (cache hit or written before versions)"}</p>
      {report ? (
        <table className="rtable">
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Result</th>
              <th scope="col">Measured</th>
            </tr>
          </thead>
          <tbody>
            {report.checks.map((c) => (
              <tr key={c.name}>
                <th scope="row" data-label="Check">
                  {CHECK_LABEL[c.name] ?? c.name}
                </th>
                <td data-label="Result">
                  <Badge tone={c.passed ? "good" : "bad"}>{c.passed ? "passed" : "failed"}</Badge>
                </td>
                <td data-label="Measured">{measured(c.measured)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">Not checked (not delivered, or delivered before checks existed).</p>
      )}
      <h3>Judge</h3>
      {!judge ? (
        <p className="muted">Not judged (no QUALITY_JUDGE_MODEL, or not in the sample).</p>
      ) : judge.status === "unscored" ? (
        <p>
          <Badge tone="warn">unscored</Badge> {judge.model}:{" "}
          {judge.reason === "unparseable" ? "its answer could not be read as scores" : "the call failed"}.
        </p>
      ) : (
        <dl className="facts">
          {Object.entries(judge.scores).map(([axis, s]) => (
            <div key={axis}>
              <dt>
                {axis} · {s.score}/10
              </dt>
              <dd>{s.reason}</dd>
            </div>
          ))}
          <div>
            <dt>Judge</dt>
            <dd>
              {judge.model}, mean {judge.mean}/10
              {judgeCostUsd ? ` (judging cost ${judgeCostUsd} USD, not charged to the requester)` : ""}
            </dd>
          </div>
        </dl>
      )}
      <h3>Feedback</h3>
      {votes.length === 0 ? (
        <p className="muted">No votes yet.</p>
      ) : (
        <>
          <p>
            👍 {up} · 👎 {votes.length - up}
          </p>
          <ul>
            {votes
              .filter((v) => v.comment)
              .map((v) => (
                <li key={`${v.platform}:${v.voterId}`}>👎 {v.comment}</li>
              ))}
          </ul>
        </>
      )}
    </section>
  );
}
