import { campaignIssueId, clicksPerLink, clicksPerSecond, domainsOf, readCampaignStats } from "../campaign/stats.js";
import type { NewsletterConfig } from "../config/schema.js";
import { errorMessage, errorMessageInEnglish } from "../diagnostics.js";
import { SendsayClient, sendsayCredentials } from "../sendsay/client.js";
import type { CampaignRow } from "../state/campaigns.js";
import { byReadersSent, type DomainRow, filledTimeline, foldDomains, type IssueReport, timelineSlots } from "./figures.js";

/**
 * The report of a Sendsay list campaign: Sendsay counts its own clicks (its tracked links) and opens,
 * so the figures are read back with `stat.uni` (src/campaign/stats.ts says which of its documented fields
 * and what it leaves out): the issue's row (`issue.*`, as `status` reads it), its clicks per link and
 * reader, per second (summed here into the same hours and days as our own report), and per receiving
 * domain the messages sent and the readers who clicked (addresses only counted, never kept). What the
 * documentation does not give is shown as "no data from Sendsay", never as a zero: bounces and
 * complaints (in all and per domain), and a breakdown Sendsay refused (`figures.unavailable`). Sendsay
 * does not tell people from scanners and image proxies: every click is taken as a person's, which the page
 * says. `stat.activity` is documented nowhere and never asked.
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
  const mask = (text: string) => (client ? client.mask(text) : text);
  const reasonOf = (error: unknown) => mask(errorMessage(error));
  const whyOf = (error: unknown) => ({ reason: mask(errorMessageInEnglish(error)), note: reasonOf(error) });
  try {
    client = new SendsayClient({ ...sendsayCredentials(config, env), maxAttempts: 3 });
    const stats = campaign.trackId ? await readCampaignStats(client, campaign.trackId) : null;
    if (!stats) return { report };
    const f = report.figures;
    f.counts = {
      listed: stats.members,
      sent: stats.delivered,
      failed: stats.undelivered,
      // not among the issue's documented fields
      bounced: null,
      complained: null,
      unsubscribed: stats.unsubscribed,
    };
    report.unsubscribed = { oneClick: 0, page: stats.unsubscribed };
    const issueId = campaign.trackId ? await campaignIssueId(client, campaign.trackId) : undefined;
    if (issueId !== undefined) {
      f.links = await clicksPerLink(client, issueId);
      // each breakdown on its own: one Sendsay refuses leaves the others on the page, and says why
      const unavailable: NonNullable<IssueReport["figures"]["unavailable"]> = {};
      try {
        f.timeline = await timelineOf(clicksPerSecond(client, issueId), campaign.createdAt);
      } catch (error) {
        unavailable.timeline = whyOf(error);
      }
      try {
        const rows: DomainRow[] = [...(await domainsOf(client, issueId))].map(([domain, d]) => ({ domain, ...d, bounced: null }));
        f.domains = foldDomains(rows.sort(byReadersSent));
      } catch (error) {
        unavailable.domains = whyOf(error);
      }
      if (Object.keys(unavailable).length) f.unavailable = unavailable;
    }
    const total = f.links.reduce((s, l) => s + l.total, 0);
    f.clicks = { unique: stats.clicked, total, human: total, proxy: 0, automated: 0 };
    f.opens = { unique: stats.opened, total: stats.opened, human: stats.opened, proxy: 0, automated: 0 };
    report.rates = {
      clickThrough: stats.delivered ? stats.clicked / stats.delivered : null,
      clickToOpen: stats.opened ? stats.clicked / stats.opened : null,
    };
    return { report };
  } catch (error) {
    return { report, error: reasonOf(error) };
  }
}

/** Clicks per second summed into the report's hours, then days, from the campaign's start. */
async function timelineOf(pages: AsyncIterable<{ ms: number; n: number }[]>, start: string): Promise<IssueReport["figures"]["timeline"]> {
  const { bucketOf, next } = timelineSlots(Date.parse(start));
  const byStart = new Map<number, number>();
  for await (const page of pages)
    for (const { ms, n } of page) {
      const at = bucketOf(ms);
      byStart.set(at, (byStart.get(at) ?? 0) + n);
    }
  return filledTimeline(byStart, next);
}
