import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import type { NewsletterReport } from "./figures.js";

/**
 * The report's charts, drawn by Observable Plot into a server-side DOM (linkedom) and kept as SVG text
 * inlined in the page: no script, no request, the same picture in every browser and in a saved file.
 * Only `rassylka report` loads this module (and Plot with it).
 */
export interface ChartWords {
  clicks: string;
  time: string;
  readers: string;
  sent: string;
  clicked: string;
  bounced: string;
  confirmed: string;
  unsubscribed: string;
  week: string;
  complaintRate: string;
  issue: string;
  human: string;
  proxy: string;
  automated: string;
}

const COLORS = { human: "#1f6feb", proxy: "#9a6700", automated: "#8c959f", bad: "#cf222e", good: "#1a7f37" };
const WIDTH = 720;
const GREY = "#afb8c1";

function render(options: Plot.PlotOptions): string {
  const { document } = parseHTML("<!doctype html><html><body></body></html>");
  const node = Plot.plot({ ...options, document, width: options.width ?? WIDTH, style: { fontSize: "12px", overflow: "visible" } });
  return (node as unknown as { outerHTML: string }).outerHTML;
}

/** Clicks over time: each bar spans its hour or its day. */
export function timelineChart(timeline: readonly { at: string; clicks: number }[], words: ChartWords): string {
  const data = timeline.map((p, i) => {
    const x1 = new Date(p.at);
    const next = timeline[i + 1] ? new Date(timeline[i + 1].at) : undefined;
    const span = next ? next.getTime() - x1.getTime() : i > 0 ? x1.getTime() - Date.parse(timeline[i - 1].at) : 3_600_000;
    return { x1, x2: new Date(x1.getTime() + span), clicks: p.clicks };
  });
  return render({
    height: 220,
    x: { type: "utc", label: words.time },
    y: { grid: true, label: words.clicks },
    marks: [Plot.rectY(data, { x1: "x1", x2: "x2", y: "clicks", fill: COLORS.human, inset: 0.5 }), Plot.ruleY([0])],
  });
}

/** Human, proxy and automated events side by side. */
export function classChart(figures: { human: number; proxy: number; automated: number }, words: ChartWords): string {
  const data = [
    { name: words.human, n: figures.human, color: COLORS.human },
    { name: words.proxy, n: figures.proxy, color: COLORS.proxy },
    { name: words.automated, n: figures.automated, color: COLORS.automated },
  ];
  return render({
    height: 120,
    marginLeft: 140,
    x: { grid: true, label: words.clicks },
    y: { label: null, domain: data.map((d) => d.name) },
    marks: [
      Plot.barX(data, { x: "n", y: "name", fill: "color" }),
      Plot.text(data, { x: "n", y: "name", text: (d: { n: number }) => String(d.n), dx: 4, textAnchor: "start" }),
      Plot.ruleX([0]),
    ],
  });
}

/** Per receiving domain: readers sent, with those who clicked and those bounced drawn inside (not stacked). */
export function domainChart(
  domains: readonly { domain: string; sent: number; bounced: number | null; clicked: number }[],
  words: ChartWords,
): string {
  const rows = domains.slice(0, 15);
  return render({
    height: 40 + rows.length * 30,
    marginLeft: 140,
    x: { grid: true, label: words.readers },
    y: { label: null, domain: rows.map((d) => d.domain) },
    color: { domain: [words.sent, words.clicked, words.bounced], range: [GREY, COLORS.human, COLORS.bad], legend: true },
    marks: [
      Plot.barX(rows, { x: "sent", y: "domain", fill: () => words.sent }),
      Plot.barX(rows, { x: "clicked", y: "domain", fill: () => words.clicked, insetTop: 5, insetBottom: 5 }),
      // bounces per domain unknown (a Sendsay campaign): no bar, rather than a bar of nothing
      Plot.barX(
        rows.filter((d) => d.bounced !== null),
        { x: "bounced", y: "domain", fill: () => words.bounced, insetTop: 9, insetBottom: 9 },
      ),
      Plot.ruleX([0]),
    ],
  });
}

/** The newsletter's issues in order: readers sent, with those who clicked and those who left drawn inside (not stacked). */
export function issuesChart(issues: NewsletterReport["issues"], words: ChartWords): string {
  return render({
    height: 260,
    marginBottom: 70,
    x: { label: null, domain: issues.map((i) => i.issue), tickRotate: -20, padding: 0.3 },
    y: { grid: true, label: words.readers },
    color: { domain: [words.sent, words.clicked, words.unsubscribed], range: [GREY, COLORS.human, COLORS.bad], legend: true },
    marks: [
      Plot.barY(issues, { x: "issue", y: "sent", fill: () => words.sent }),
      Plot.barY(issues, { x: "issue", y: "clickers", fill: () => words.clicked, insetLeft: 8, insetRight: 8 }),
      Plot.barY(issues, { x: "issue", y: "unsubscribed", fill: () => words.unsubscribed, insetLeft: 16, insetRight: 16 }),
      Plot.ruleY([0]),
    ],
  });
}

/** Subscribers per week: confirmed up, unsubscribed and bounced down. */
export function weeksChart(weeks: NewsletterReport["weeks"], words: ChartWords): string {
  const data = weeks.flatMap((w) => [
    { week: new Date(`${w.week}T00:00:00.000Z`), what: words.confirmed, n: w.confirmed },
    { week: new Date(`${w.week}T00:00:00.000Z`), what: words.unsubscribed, n: -w.unsubscribed },
    { week: new Date(`${w.week}T00:00:00.000Z`), what: words.bounced, n: -w.bounced },
  ]);
  return render({
    height: 240,
    x: { type: "utc", label: words.week },
    y: { grid: true, label: words.readers },
    color: {
      domain: [words.confirmed, words.unsubscribed, words.bounced],
      range: [COLORS.good, COLORS.bad, COLORS.proxy],
      legend: true,
    },
    marks: [Plot.rectY(data, { x: "week", interval: "week", y: "n", fill: "what" }), Plot.ruleY([0])],
  });
}

/** Complaints per reader sent, issue by issue, against the lines of Gmail's bulk-sender rules. */
export function complaintChart(issues: NewsletterReport["issues"], lines: readonly number[], words: ChartWords): string {
  const data = issues.filter((i) => i.complaintRate !== null).map((i) => ({ issue: i.issue, rate: i.complaintRate as number }));
  const top = Math.max(lines[lines.length - 1] * 1.3, ...data.map((d) => d.rate));
  return render({
    height: 220,
    marginBottom: 70,
    x: { label: null, domain: data.map((d) => d.issue), tickRotate: -20 },
    y: { grid: true, label: `${words.complaintRate}, %`, domain: [0, top * 100] },
    marks: [
      Plot.barY(data, { x: "issue", y: (d: { rate: number }) => d.rate * 100, fill: COLORS.human }),
      Plot.ruleY(
        lines.map((l) => l * 100),
        { stroke: (_: number, i: number) => (i ? COLORS.bad : COLORS.proxy), strokeDasharray: "4,3" },
      ),
      Plot.text(
        lines.map((l) => l * 100),
        { y: (l: number) => l, text: (l: number) => `${l.toFixed(1)} %`, frameAnchor: "right", dy: -6, fill: "currentColor" },
      ),
      Plot.ruleY([0]),
    ],
  });
}
