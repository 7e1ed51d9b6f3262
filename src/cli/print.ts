import { type Diagnostic, diagnosticText } from "../diagnostics.js";

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

/** An Io whose every line goes through `clean` first (src/util/redact.ts: secrets and passwords out). */
export function redactingIo(io: Io, clean: (text: string) => string): Io {
  return { out: (t) => io.out(clean(t)), err: (t) => io.err(clean(t)) };
}

/** The plain text of a diagnostic (the same text a RassylkaError carries as its message). */
export const formatDiagnostic = diagnosticText;

/** GitHub workflow command, see docs.github.com "workflow commands": `::error file=…,line=…::message`. */
export function formatGithub(d: Diagnostic): string {
  const kind = d.severity === "error" ? "error" : d.severity === "warning" ? "warning" : "notice";
  const props = [
    d.file ? `file=${escapeProperty(d.file)}` : "",
    d.line ? `line=${d.line}` : "",
    d.column ? `col=${d.column}` : "",
    `title=${escapeProperty(d.ruleId)}`,
  ]
    .filter(Boolean)
    .join(",");
  const text = d.fix ? `${d.message}. Fix: ${d.fix}` : d.message;
  return `::${kind} ${props}::${escapeData(text)}`;
}

function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** `554 5.1.1 no such user` with its code once, whether or not the server's text repeats it. */
export function replyText(code: number | null | undefined, message: string): string {
  const text = message.trim();
  if (code === null || code === undefined || new RegExp(`(^|\\s)${code}(\\s|$)`).test(text)) return text;
  return `${code} ${text}`;
}
