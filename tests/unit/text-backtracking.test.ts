import { describe, expect, it } from "vitest";
import { ADVERSARIAL, TRANSFORMERS } from "../helpers/adversarial-text.ts";

/**
 * A guard against catastrophic backtracking (ReDoS) in every transformer that reads user, model
 * or corpus text. This is the one test that looks at the clock, on purpose: a super-linear
 * regex turns these inputs into seconds or minutes (a 2.5 KB corpus file once stalled the
 * process for 10 s), while linear code takes milliseconds.
 *
 * Margins, and why: the machines that run this are small and shared, so a linear transformer
 * can still pass 100 ms at 100 KB when the CPU is busy. A shape fails only when a call at
 * 100 KB takes over 100 ms AND its time grew far faster than its input from 12.5 KB (more than
 * three times the 8× size ratio) — the signature of quadratic or worse, which no amount of load
 * explains. A bad verdict is confirmed on the best of three runs, after a warm-up, and a shape
 * already slow at the small size is not tried at the large one (it could take hours).
 */

const KB = 1024;
const SMALL = 12.5 * KB;
const LARGE = 100 * KB;
const LIMIT_MS = 100;
const MAX_GROWTH = 3 * (LARGE / SMALL);

function time(run: () => void, runs = 1): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

/** Super-linear, judged on one run each and confirmed on the best of three before it counts. */
function superLinear(small: () => void, large: () => void): string | null {
  for (const runs of [1, 3]) {
    const s = time(small, runs);
    if (s > 10 * LIMIT_MS) return `${Math.round(s)} ms at ${SMALL / KB} KB`;
    const l = time(large, runs);
    // Below 10 ms the small run is mostly timer and GC noise: it is not a fair denominator.
    if (l <= LIMIT_MS || l / Math.max(s, LIMIT_MS / 10) <= MAX_GROWTH) return null;
    if (runs === 3) return `${Math.round(s)} ms at ${SMALL / KB} KB, ${Math.round(l)} ms at 100 KB`;
  }
  return null;
}

describe("text transformers on adversarial input", () => {
  for (const [name, transform] of Object.entries(TRANSFORMERS)) {
    it(`${name} stays linear`, () => {
      transform("# warm up\n\n**bold** _em_ [a](https://x.example) `c`\n\n- item\n\n| a | b |\n|---|---|");
      const slow: string[] = [];
      for (const [shape, make] of Object.entries(ADVERSARIAL)) {
        const small = make(SMALL).slice(0, SMALL);
        const large = make(LARGE).slice(0, LARGE);
        const verdict = superLinear(
          () => transform(small),
          () => transform(large),
        );
        if (verdict) slow.push(`${shape}: ${verdict}`);
      }
      expect(slow).toEqual([]);
    }, 600_000);
  }
});
