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
  /**
   * The diagnostics' messages in English, when the code that made them kept them: for the few `--json`
   * fields that held an error's English text before the CLI spoke the editor's language (`detail`,
   * `statsError`), which scripts may read; the editor's language goes beside them as `note`.
   */
  readonly english?: string[];
  constructor(diagnostics: Diagnostic | Diagnostic[], options?: { cause?: unknown; english?: string[] }) {
    const list = Array.isArray(diagnostics) ? diagnostics : [diagnostics];
    super(list.map(diagnosticText).join("\n"), options && "cause" in options ? { cause: options.cause } : undefined);
    this.name = "RassylkaError";
    this.diagnostics = list;
    this.english = options?.english;
  }
}

export function isRassylkaError(error: unknown): error is RassylkaError {
  return error instanceof RassylkaError;
}

/** An error's first message in the editor's language (a RassylkaError's first diagnostic, else its message). */
export function errorMessage(error: unknown): string {
  return isRassylkaError(error) ? (error.diagnostics[0]?.message ?? error.message) : (error as Error).message;
}

/** The same in English where the error kept it (`english`), else as `errorMessage`. */
export function errorMessageInEnglish(error: unknown): string {
  return (isRassylkaError(error) ? error.english?.[0] : undefined) ?? errorMessage(error);
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
