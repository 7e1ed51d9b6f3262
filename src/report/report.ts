import { join, resolve } from "node:path";
import { CACHE_DIR } from "../compile/cache.js";
import type { NewsletterConfig } from "../config/schema.js";
import { issueTracking } from "../config/tracking.js";
import { RassylkaError } from "../diagnostics.js";
import { tr as editorTranslator, type Translator } from "../i18n/index.js";
import { newsletterId } from "../identity/newsletter.js";
import { pollFigures } from "../polls/results.js";
import { loadProject, type Project } from "../project/project.js";
import type { CompiledIssue } from "../render/pipeline.js";
import type { StateLocation } from "../state/location.js";
import { openStore, type Store } from "../state/store.js";
import { writeFileAtomic } from "../util/fs.js";
import type { ClickMap, IssueShot } from "./click-map.js";
import { COMPLAINT_LINES, type IssueReport, issueReport, type NewsletterReport, newsletterReport } from "./figures.js";
import { issuePage, newsletterPage, percentOf } from "./page.js";
import { campaignReport } from "./sendsay.js";

/**
 * `rassylka report [issue]`: the figures from the state store (src/state/report.ts), or for a Sendsay
 * list campaign from Sendsay (./sendsay.ts), written as one self-contained page, `report/<slug>/index.html`
 * (the whole newsletter: `report/index.html`). The CLI prints the summary or the JSON.
 */
export interface ReportOptions {
  root: string;
  location: StateLocation;
  /** An issue file or slug; none: the newsletter over time. */
  ref?: string;
  /** Relative to root unless absolute; default `report`. */
  out?: string;
  env?: NodeJS.ProcessEnv;
  /** The language of the page (default: the editor's, as the CLI chose it). */
  translator?: Translator;
  now?: Date;
}

export type ReportResult =
  | { kind: "issue"; report: IssueReport; file: string; clickMap?: string }
  | { kind: "newsletter"; report: NewsletterReport; file: string };

export async function writeReport(options: ReportOptions): Promise<ReportResult> {
  const project = await loadProject(options.root);
  const store = await openStore(options.location);
  try {
    return options.ref === undefined ? await newsletter(project, store, options) : await oneIssue(project, store, options.ref, options);
  } finally {
    await store.close();
  }
}

function outDir(project: Project, options: ReportOptions): string {
  return resolve(project.root, options.out ?? "report");
}

const chartWords = (tr: Translator) => {
  const c = (k: string) => tr.t(`report:chart.${k}`);
  return {
    clicks: c("clicks"),
    time: c("time"),
    readers: c("readers"),
    sent: tr.t("report:col.sent"),
    clicked: tr.t("report:col.clicked"),
    bounced: tr.t("report:col.bounced"),
    confirmed: tr.t("report:col.confirmed"),
    unsubscribed: tr.t("report:col.unsubscribed"),
    week: c("week"),
    complaintRate: c("complaintRate"),
    issue: tr.t("report:col.issue"),
    human: c("human"),
    proxy: c("proxy"),
    automated: c("automated"),
  };
};

/** The issue's file compiled (for the click map and its tracking settings), or why not. */
async function compiledIssue(project: Project, ref: string) {
  try {
    const { compileOrThrow } = await import("../compile/compile.js");
    return (await compileOrThrow(project, ref)).compiled;
  } catch {
    return undefined;
  }
}

/** The issue's web version as Chromium draws it at 600 px, from the project's cache when unchanged. */
async function shotOf(project: Project, slug: string, compiled: CompiledIssue, env?: NodeJS.ProcessEnv): Promise<IssueShot> {
  const [{ issueShot }, { renderWebVersion }] = await Promise.all([import("./click-map.js"), import("../render/personalise.js")]);
  return issueShot(slug, renderWebVersion(compiled).html, join(project.root, CACHE_DIR, "click-map"), env);
}

async function oneIssue(project: Project, store: Store, ref: string, options: ReportOptions): Promise<ReportResult> {
  const tr = options.translator ?? editorTranslator();
  const config: NewsletterConfig = project.config.config;
  const known = (await store.ledger.getRun(ref)) !== undefined || (await store.campaigns.all(ref)).length > 0;
  const compiled = await compiledIssue(project, ref);
  const slug = known ? ref : (compiled?.slug ?? ref);
  const tracking = issueTracking(config.tracking, compiled?.tracking);
  const sent = (await store.ledger.getRun(slug)) !== undefined;
  const campaign = sent ? undefined : (await store.campaigns.all(slug)).filter((c) => c.state !== "rejected" && c.trackId).pop();
  let report: IssueReport;
  const meta: string[] = [];
  // the issue's shot for the click map starts beside the figures: Chromium starts in its own process
  // while the database counts (a send that tracked no clicks has no map to draw)
  const tracked = sent && compiled ? await store.clicks.issue(slug) : undefined;
  const early = compiled && tracked?.clicks ? shotOf(project, slug, compiled, options.env) : undefined;
  early?.catch(() => undefined);
  if (sent) {
    report = await issueReport(store.report, slug, {
      newsletterId: newsletterId(config),
      opens: compiled ? tracking.opens : undefined,
    });
    const audience = (await store.audiences.of(slug))?.label;
    if (audience) {
      report.audience = audience;
      meta.push(tr.t("topics:status.audience", { audience }).trim());
    }
  } else if (campaign) {
    const r = await campaignReport(config, campaign, options.env ?? process.env);
    report = r.report;
    // who it went to: the Sendsay list (for an issue with a topic, its topic's list: docs/audiences.md)
    report.audience = compiled?.topic
      ? tr.t("report:sendsayAudienceTopic", { group: campaign.groupId, topic: compiled.topic })
      : tr.t("report:sendsayAudience", { group: campaign.groupId });
    meta.push(tr.t("report:fromSendsay", { group: campaign.groupId }));
    if (r.error) meta.push(tr.t("report:sendsayFailed", { reason: r.error }));
  } else {
    throw new RassylkaError({
      ruleId: "report/not-sent",
      severity: "error",
      message: tr.t("report:nothingSent", { issue: slug }),
      fix: tr.t("report:nothingSentFix"),
    });
  }
  // the issue's polls, when it has any (docs/polls.md)
  const polls = await pollFigures(store.polls, slug);
  if (polls.length) report.figures.polls = polls;
  const ab = await store.ab.summary(slug);
  if (ab) report.figures.ab = ab;
  const f = report.figures;
  const charts = await import("./charts.js");
  const words = chartWords(tr);
  let map: ClickMap | { off: string };
  if (!compiled) map = { off: tr.t("report:clickMapNoIssue") };
  else if (!f.links.some((l) => l.unique > 0)) map = { off: tr.t("report:clickMapNoLinks") };
  else {
    try {
      const { clickMap } = await import("./click-map.js");
      map = clickMap(await (early ?? shotOf(project, slug, compiled, options.env)), f.links, percentOf(tr));
    } catch (error) {
      const d = (error as RassylkaError).diagnostics?.[0];
      map = { off: d ? `${d.message}${d.fix ? ` (${d.fix})` : ""}` : (error as Error).message.split("\n")[0] };
    }
  }
  const html = issuePage(
    tr,
    report,
    {
      timeline: f.timeline.length ? charts.timelineChart(f.timeline, words) : undefined,
      classes: charts.classChart(f.clicks, words),
      domains: f.domains.length ? charts.domainChart(f.domains, words) : undefined,
    },
    map,
    options.now ?? new Date(),
    meta,
  );
  const file = join(outDir(project, options), slug, "index.html");
  await writeFileAtomic(file, html);
  return { kind: "issue", report, file, clickMap: "off" in map ? map.off : undefined };
}

async function newsletter(project: Project, store: Store, options: ReportOptions): Promise<ReportResult> {
  const tr = options.translator ?? editorTranslator();
  const report = await newsletterReport(store.report);
  const charts = await import("./charts.js");
  const words = chartWords(tr);
  const html = newsletterPage(
    tr,
    project.config.config.name,
    report,
    {
      issues: report.issues.length ? charts.issuesChart(report.issues, words) : undefined,
      weeks: report.weeks.length ? charts.weeksChart(report.weeks, words) : undefined,
      complaints: report.issues.some((i) => i.complaintRate !== null)
        ? charts.complaintChart(report.issues, COMPLAINT_LINES, words)
        : undefined,
    },
    options.now ?? new Date(),
  );
  const file = join(outDir(project, options), "index.html");
  await writeFileAtomic(file, html);
  return { kind: "newsletter", report, file };
}
