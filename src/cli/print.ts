import { type Diagnostic, formatDiagnostic, formatGithub } from "../diagnostics.js";

export type Format = "text" | "json" | "github";

/** Diagnostics → text for people, JSON for tools, workflow annotations for GitHub. */
export function printDiagnostics(diagnostics: readonly Diagnostic[], format: Format = "text", stream = process.stderr): void {
  if (format === "json") {
    stream.write(`${JSON.stringify(diagnostics, null, 2)}\n`);
    return;
  }
  for (const d of diagnostics) stream.write(`${format === "github" ? formatGithub(d) : formatDiagnostic(d)}\n`);
}

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export const stdio: Io = {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
};
