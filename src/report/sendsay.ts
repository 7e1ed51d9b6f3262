import { readCampaignStats } from "../campaign/stats.js";
import type { NewsletterConfig } from "../config/schema.js";
import { isRassylkaError } from "../diagnostics.js";
import { SendsayClient, sendsayCredentials } from "../sendsay/client.js";
import type { CampaignRow } from "../state/campaigns.js";
import type { IssueReport } from "./figures.js";

/**
 * The report of a Sendsay list campaign: Sendsay counts its own clicks (its tracked links) and opens,
 * so the figures are read back with `stat.uni` (docs/sendsay-api/basic-stat-uni.md in
 * sendsay-ru/sendsay-docs): the issue's row (`issue.*`, as `status` reads it), its clicks per link and
 * reader (`click.link.url`, `click.member.email`, `count(*)`: addresses are only counted, never kept)
 * and per day (`click.dt:YD`). Sendsay does not tell people from scanners and image proxies: every click
 * is taken as a person's, which the page says.
 */
export async function campaignReport(
  config: NewsletterConfig,
  campaign: CampaignRow,
  env: NodeJS.ProcessEnv,
): Promise<{ report: IssueReport; error?: string }> {
  const report: IssueReport = {
    figures: {
      issue: campaign.issue,
      counts: { listed: 0, sent: 0, failed: 0, bounced: 0, complained: 0, unsubscribed: 0 },
      clicks: { unique: 0, total: 0, human: 0, proxy: 0, automated: 0 },
      opens: { unique: 0, total: 0, human: 0, proxy: 0, automated: 0 },
      links: [],
      domains: [],
      timeline: [],
    },
    subject: null,
    sentAt: campaign.createdAt,
    bounces: { hard: 0, soft: 0 },
    unsubscribed: { oneClick: 0, page: 0 },
    rates: { clickThrough: null, clickToOpen: null },
    source: "sendsay",
  };
  let client: SendsayClient | undefined;
  try {
    client = new SendsayClient({ ...sendsayCredentials(config, env), maxAttempts: 3 });
    const stats = campaign.trackId ? await readCampaignStats(client, campaign.trackId) : null;
    if (!stats) return { report };
    const f = report.figures;
    f.counts = {
      listed: stats.members,
      sent: stats.delivered,
      failed: stats.undelivered,
      bounced: 0,
      complained: 0,
      unsubscribed: stats.unsubscribed,
    };
    report.unsubscribed = { oneClick: 0, page: stats.unsubscribed };
    const issueId = await rows(client, ["issue.id"], [{ a: "issue.track.id", op: "==", v: campaign.trackId }]).then((r) => r[0]?.[0]);
    const byLink = new Map<string, { unique: number; total: number }>();
    if (issueId !== undefined) {
      const filter = [{ a: "click.issue.id", op: "==", v: issueId }];
      for (const [url, , n] of await rows(client, ["click.link.url", "click.member.email", "count(*)"], filter)) {
        const link = byLink.get(String(url)) ?? { unique: 0, total: 0 };
        link.unique++;
        link.total += Number(n) || 0;
        byLink.set(String(url), link);
      }
      const days = await rows(client, ["click.dt:YD", "count(*)"], filter);
      f.timeline = days
        .map(([day, n]) => ({ at: new Date(`${String(day).slice(0, 10)}T00:00:00.000Z`).toISOString(), clicks: Number(n) || 0 }))
        .sort((a, b) => a.at.localeCompare(b.at));
    }
    f.links = [...byLink].map(([url, l]) => ({ url, ...l }));
    const total = f.links.reduce((s, l) => s + l.total, 0);
    f.clicks = { unique: stats.clicked, total, human: total, proxy: 0, automated: 0 };
    f.opens = { unique: stats.opened, total: stats.opened, human: stats.opened, proxy: 0, automated: 0 };
    report.rates = {
      clickThrough: stats.delivered ? stats.clicked / stats.delivered : null,
      clickToOpen: stats.opened ? stats.clicked / stats.opened : null,
    };
    return { report };
  } catch (error) {
    const reason = isRassylkaError(error) ? (error.diagnostics[0]?.message ?? error.message) : (error as Error).message;
    return { report, error: client ? client.mask(reason) : reason };
  }
}

async function rows(client: SendsayClient, select: string[], filter: { a: string; op: string; v: unknown }[]): Promise<unknown[][]> {
  const answer = await client.request<{ list?: unknown[][] }>(
    { action: "stat.uni", result: "response", select, filter },
    { idempotent: true },
  );
  return Array.isArray(answer.list) ? answer.list.filter(Array.isArray) : [];
}
