import type { SendsayClient } from "../sendsay/client.js";

/**
 * A campaign's figures, read back from Sendsay after its track ends and on `rassylka status`: one
 * `stat.uni` over the issue fields (docs/sendsay-api/basic-stat-uni.md in sendsay-ru/sendsay-docs). The
 * answer is `{"list": [[…]]}`, one row per issue with the values in the order of `select`.
 */
export interface CampaignStats {
  /** Recipients of the issue. */
  members: number;
  delivered: number;
  undelivered: number;
  /** Unique opens. */
  opened: number;
  /** Unique clicks. */
  clicked: number;
  unsubscribed: number;
}

/** `select` of the request, in the order of the answer's columns, and the figure each one is. */
export const STAT_COLUMNS: [string, keyof CampaignStats][] = [
  ["issue.members", "members"],
  ["issue.deliv_ok", "delivered"],
  ["issue.deliv_bad", "undelivered"],
  ["issue.u_readed", "opened"],
  ["issue.u_clicked", "clicked"],
  ["issue.unsubed", "unsubscribed"],
];

/** The row is selected by the campaign's track id (the id issue.send answered with). */
export function statsRequest(trackId: string) {
  return {
    action: "stat.uni",
    result: "response",
    select: STAT_COLUMNS.map(([column]) => column),
    filter: [{ a: "issue.track.id", op: "==", v: trackId }],
  };
}

/** The figures of the campaign with this track, or null while Sendsay has no row for it yet. */
export async function readCampaignStats(client: SendsayClient, trackId: string): Promise<CampaignStats | null> {
  const answer = await client.request<{ list?: unknown[][] }>(statsRequest(trackId), { idempotent: true });
  const row = Array.isArray(answer.list) ? answer.list[0] : undefined;
  if (!Array.isArray(row)) return null;
  const stats = {} as CampaignStats;
  STAT_COLUMNS.forEach(([, name], i) => {
    const n = Number(row[i]);
    stats[name] = Number.isFinite(n) ? n : 0;
  });
  return stats;
}
