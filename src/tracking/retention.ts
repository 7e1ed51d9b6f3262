import type { ClickStore } from "../state/clicks.js";

/**
 * `keepDays` (docs/report.md, privacy and retention): events older than that are folded into per-issue
 * totals (`event_totals`) and deleted. An issue keeps the keepDays its send was made with; when
 * newsletter.yaml's is shorter now, the shorter one holds (a retention promise only ever tightens).
 * `serve` runs this as it starts and once a day (src/server/serve.ts).
 */
export interface Folded {
  issue: string;
  keepDays: number;
  /** Events folded and deleted. */
  events: number;
}

const DAY_MS = 86_400_000;

export async function foldExpired(store: ClickStore, newsletterKeepDays: number | undefined, now = Date.now()): Promise<Folded[]> {
  const out: Folded[] = [];
  for (const issue of await store.trackedIssues()) {
    const days = [issue.keep_days, newsletterKeepDays].filter((d): d is number => typeof d === "number" && d > 0);
    if (!days.length) continue;
    const keepDays = Math.min(...days);
    const events = await store.fold(issue.issue, new Date(now - keepDays * DAY_MS).toISOString());
    out.push({ issue: issue.issue, keepDays, events });
  }
  return out;
}
