/**
 * One shape for every finding: build errors, lint findings and the preview's error panel.
 * Modelled on vfile-message: a reason, a place, a rule id, a severity and a way to fix it.
 * The library returns these (made with `error`, `warning` and `info` below); printers
 * (src/cli/print.ts) turn them into text, JSON or GitHub annotations.
 */
export type Severity = "error" | "warning" | "info";

export interface Diagnostic {
  /** Stable id of the rule or stage that produced it, e.g. `frontmatter/unknown-key`, `mjml/validation`. */
  ruleId: string;
  severity: Severity;
  message: string;
  /** Path of the file at fault, relative to the newsletter root where possible. */
  file?: string;
  line?: number;
  column?: number;
  /** Dot path of the field at fault, e.g. `from.email`. */
  field?: string;
  /** What the editor should do about it. */
  fix?: string;
  /** Where the rule is explained. */
  url?: string;
}

/** Thrown only where a stage cannot go on; carries its diagnostics and the original error as `cause`. */
export class RassylkaError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic | Diagnostic[], options?: { cause?: unknown }) {
    const list = Array.isArray(diagnostics) ? diagnostics : [diagnostics];
    super(list.map(diagnosticText).join("\n"), options);
    this.name = "RassylkaError";
    this.diagnostics = list;
  }
}

export function isRassylkaError(error: unknown): error is RassylkaError {
  return error instanceof RassylkaError;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Where and how: everything of a Diagnostic but its rule, severity and message. */
export type DiagnosticDetails = Omit<Diagnostic, "ruleId" | "severity" | "message">;

export function error(ruleId: string, message: string, details: DiagnosticDetails = {}): Diagnostic {
  return { ruleId, severity: "error", message, ...details };
}

export function warning(ruleId: string, message: string, details: DiagnosticDetails = {}): Diagnostic {
  return { ruleId, severity: "warning", message, ...details };
}

export function info(ruleId: string, message: string, details: DiagnosticDetails = {}): Diagnostic {
  return { ruleId, severity: "info", message, ...details };
}

/** `issues/a.md:3:5: error: message (field) [rule]\n  fix: …` */
export function diagnosticText(d: Diagnostic): string {
  const place = d.file ? `${d.file}${d.line ? `:${d.line}${d.column ? `:${d.column}` : ""}` : ""}: ` : "";
  const field = d.field ? ` (field ${d.field})` : "";
  const fix = d.fix ? `\n  fix: ${d.fix}` : "";
  return `${place}${d.severity}: ${d.message}${field} [${d.ruleId}]${fix}`;
}
