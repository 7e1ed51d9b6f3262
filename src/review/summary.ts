import { type Lang, translator } from "../i18n/index.js";
import { lintText, pixelsText, reachText, sizeText, statusCounts, subjectOf } from "./page.js";
import type { ReviewResult } from "./review.js";
import { formatKb, GMAIL_CLIP_BYTES } from "./sources.js";
import { reviewStrings } from "./strings.js";

/**
 * DIR/summary.md: the review as a Markdown table for $GITHUB_STEP_SUMMARY and the pull request's
 * comment. GitHub takes at most 65,536 characters in a comment (1 MiB in a step summary): the table
 * lists at most MAX_ROWS issues, with subjects cut short, and counts the unchanged ones in one line.
 */
export const MAX_ROWS = 60;
const MAX_SUBJECT = 90;

/** Markdown table cells: no pipe, backslash or newline from a subject may break the table. */
function cell(s: string): string {
  return s
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/[<>]/g, (c) => (c === "<" ? "&lt;" : "&gt;"))
    .replace(/[\r\n]+/g, " ");
}

function short(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function code(s: string): string {
  return `\`${s.replace(/`/g, "'")}\``;
}

export function renderSummary(result: ReviewResult): string {
  const t = reviewStrings(result.language);
  const lang = result.language;
  const shown = result.issues.filter((i) => i.status !== "unchanged");
  const counts = statusCounts(result);
  const lines = [
    `### ${cell(t.title(result.newsletter))}`,
    "",
    `${t.against} ${code(result.base.ref)} (${code(result.base.mergeBase.slice(0, 7))}). ${t.totals(counts)}`,
    "",
  ];
  if (!shown.length) {
    lines.push(t.nothingChanged, "");
  } else {
    lines.push(`| ${t.issue} | ${t.statusHeading} | ${t.pixels} | ${t.size} | ${t.lint} |`, "|---|---|---:|---:|---:|");
    for (const i of shown.slice(0, MAX_ROWS)) {
      const broken = i.after?.buildError ?? (i.status === "removed" ? undefined : i.before?.buildError);
      const subject = `${cell(short(subjectOf(i), MAX_SUBJECT))}${broken ? ` ❌ ${t.buildError.toLowerCase()}` : ""}${i.schedule ? `<br>🕒 ${cell(i.schedule)}` : ""}${i.audience ? `<br>👥 ${cell(reachText(i.audience, lang))}` : ""}`;
      lines.push(
        `| ${subject}<br>${code(cell(short(i.file, 120)))} | ${t.status[i.status]} | ${pixelsText(i, lang)} | ${sizeText(i, lang)} | ${lintText(i)} |`,
      );
    }
    if (shown.length > MAX_ROWS) lines.push("", t.more(shown.length - MAX_ROWS));
    if (counts.unchanged) lines.push("", t.unchangedCount(counts.unchanged));
    lines.push("", `${t.footnote} ${formatKb(GMAIL_CLIP_BYTES, lang)}.`);
  }
  if (result.audiences.length) {
    lines.push(`**${cell(translator(lang as Lang).t("topics:review.audiences"))}**`, "");
    for (const a of result.audiences)
      lines.push(`- ${code(a.file)} ${t.status[a.status]}${a.reach ? `: ${cell(reachText(a.reach, lang))}` : ""}`);
    lines.push("");
  }
  lines.push("");
  return lines.join("\n");
}
