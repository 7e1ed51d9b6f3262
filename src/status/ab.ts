import { language, t, translator } from "../i18n/index.js";
import type { AbSummary } from "../state/ab.js";

/**
 * An A/B test's lines as `send`, `status` and `report` print them: each subject's delivered, readers who
 * clicked (or opened) and rate; the rest waiting or sent the winner; the decision with its figures.
 */
export function abLines(ab: AbSummary, slug: string): string[] {
  const tr = translator(language());
  const pct = (x: number) => `${tr.number(Math.round(x * 1000) / 10)} %`;
  const metric = t(`ab:metric.${ab.metric}`);
  const lines = [t("ab:heading", { metric: ab.metric, sample: tr.number(Math.round(ab.sample * 1000) / 10) })];
  for (const [i, v] of ab.variants.entries())
    lines.push(
      t("ab:variant", {
        n: i + 1,
        subject: v.subject,
        delivered: tr.number(v.delivered),
        metric,
        unique: tr.number(v.unique),
        rate: pct(v.rate),
      }),
    );
  const d = ab.decision;
  if (!d) {
    const held = tr.number(ab.rest.held);
    const wait = ab.waitMinutes % 60 === 0 ? `${ab.waitMinutes / 60} h` : `${ab.waitMinutes} min`;
    lines.push(
      ab.decideAt
        ? t("ab:waitingDecision", { held, at: `${ab.decideAt.slice(0, 16).replace("T", " ")} UTC`, slug })
        : t("ab:waitingSample", { held, wait }),
    );
    return lines;
  }
  const f = d.figures;
  lines.push(
    t(`ab:decision.${d.reason}`, {
      n: d.winner + 1,
      chi: f.chiSquare === undefined ? "–" : tr.number(Math.round(f.chiSquare * 100) / 100),
      p: f.pValue === undefined ? "–" : f.pValue < 0.001 ? f.pValue.toPrecision(2) : tr.number(Math.round(f.pValue * 1000) / 1000),
      // MIN_DELIVERED of src/send/ab-stats.ts, the threshold the decision applied
      min: 50,
      least: tr.number(f.minDelivered),
      by: t(`ab:by.${d.by}`),
    }),
  );
  lines.push(
    t("ab:rest", { n: d.winner + 1, delivered: tr.number(ab.rest.delivered), waiting: tr.number(ab.rest.waiting + ab.rest.held) }),
  );
  return lines;
}
