import { fileCache, noCache } from "../compile/cache.js";
import { GMAIL_CLIP_BYTES, sizeLevel } from "../message/size.js";
import { listIssueFiles, loadProject, resolveIssueFile } from "../project/project.js";
import { counts, failed, reportIssue } from "./report.js";

/**
 * The pull-request summary: one row per issue (subject, encoded size against Gmail's clipping limit,
 * lint counts) as a GitHub-flavoured Markdown table for $GITHUB_STEP_SUMMARY. scripts/pr-summary.ts is
 * its command line, so the table can be made and checked locally.
 */
export interface SummaryRow {
  file: string;
  slug?: string;
  subject?: string;
  draft: boolean;
  bytes?: number;
  errors: number;
  warnings: number;
  /** The issue does not build; its first error. */
  buildError?: string;
}

export async function summariseIssues(root: string, files?: string[], options: { cache?: boolean } = {}): Promise<SummaryRow[]> {
  const project = await loadProject(root);
  const paths = files?.length ? await Promise.all(files.map((f) => resolveIssueFile(project.root, f))) : await listIssueFiles(project.root);
  const cache = options.cache === false ? noCache : fileCache(project.root);
  const rows: SummaryRow[] = [];
  for (const absPath of paths) {
    const r = await reportIssue(project, absPath, cache);
    const first = r.diagnostics.find((d) => d.severity === "error");
    rows.push({
      file: r.file,
      slug: r.compiled?.slug,
      subject: r.compiled?.subject,
      draft: r.compiled?.draft ?? false,
      bytes: r.bytes,
      ...counts(r),
      buildError: failed(r) ? `${first?.line ? `line ${first.line}: ` : ""}${first?.message ?? "does not build"}` : undefined,
    });
  }
  return rows;
}

/** Markdown table cells: no pipes or newlines from a subject may break the table. */
function cell(s: string): string {
  return s
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/[\r\n]+/g, " ");
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

export function summaryMarkdown(rows: SummaryRow[], options: { title?: string; note?: string } = {}): string {
  const lines = [`### ${options.title ?? "Newsletter preview"}`, ""];
  if (!rows.length) {
    lines.push("No issue, template or newsletter.yaml changed in this pull request: nothing to preview.", "");
    return lines.join("\n");
  }
  lines.push("| Issue | Subject | Size | Errors | Warnings |", "|---|---|---:|---:|---:|");
  for (const r of rows) {
    const size =
      r.bytes === undefined
        ? "—"
        : `${kb(r.bytes)} ${{ ok: "✅", warning: "⚠️", error: `❌ over ${kb(GMAIL_CLIP_BYTES)}, Gmail clips it` }[sizeLevel(r.bytes)]}`;
    const subject = r.buildError ? `❌ does not build: ${cell(r.buildError)}` : `${cell(r.subject ?? "")}${r.draft ? " *(draft)*" : ""}`;
    lines.push(`| \`${cell(r.file)}\` | ${subject} | ${size} | ${r.errors ? `**${r.errors}**` : "0"} | ${r.warnings} |`);
  }
  const errors = rows.reduce((n, r) => n + r.errors, 0);
  const warnings = rows.reduce((n, r) => n + r.warnings, 0);
  lines.push(
    "",
    `${rows.length} issue(s): ${errors} error(s), ${warnings} warning(s). Size is the encoded message against Gmail's ${kb(GMAIL_CLIP_BYTES)} clipping limit.`,
  );
  if (options.note) lines.push("", options.note);
  lines.push("");
  return lines.join("\n");
}
