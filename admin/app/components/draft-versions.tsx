import { Link } from "react-router";
import { num, STATUS_LABEL, usd } from "../lib/format.ts";

/** One version of a draft, as the generation page lists it (v1 → v2 "make it shorter" → v3). */
export interface DraftVersion {
  id: string;
  number: number;
  instruction: string | null;
  status: string;
  words: number | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: string;
  createdAt: string;
}

/** A draft's versions: what each was asked to change, and what it cost. */
export function DraftVersions({ versions, current }: { versions: DraftVersion[]; current: string }) {
  if (versions.length < 2) return null;
  return (
    <section className="card" aria-labelledby="draft-versions">
      <h2 id="draft-versions">Versions of this draft</h2>
      <table className="rtable">
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Instruction</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Words
            </th>
            <th scope="col" className="num">
              Tokens (in / out)
            </th>
            <th scope="col" className="num">
              Cost
            </th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.id} aria-current={v.id === current ? "page" : undefined}>
              <td>
                {v.id === current ? (
                  <strong>v{v.number}</strong>
                ) : (
                  <Link to={`/generations/${v.id}`}>v{v.number}</Link>
                )}
              </td>
              <td>{v.instruction ? `“${v.instruction}”` : "the original request"}</td>
              <td>{STATUS_LABEL[v.status] ?? v.status}</td>
              <td data-label="Words" className="num">
                {num(v.words)}
              </td>
              <td data-label="Tokens (in / out)" className="num">
                {num(v.inputTokens)} / {num(v.outputTokens)}
              </td>
              <td data-label="Cost" className="num">
                {usd(v.costUsd)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
