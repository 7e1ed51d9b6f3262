import type { Diagnostic } from "../diagnostics.js";
import { t } from "../i18n/index.js";

export { type Io, stdio } from "./io.js";

export type Format = "text" | "json" | "github";

/** Diagnostics → text for people, JSON for tools, workflow annotations for GitHub. */
export function printDiagnostics(diagnostics: readonly Diagnostic[], format: Format = "text", stream = process.stderr): void {
  if (format === "json") {
    stream.write(`${JSON.stringify(diagnostics, null, 2)}\n`);
    return;
  }
  for (const d of diagnostics) stream.write(`${format === "github" ? formatGithub(d) : formatDiagnostic(d)}\n`);
}

/**
 * `issues/a.md:3:5: error: message (field subject) [rule]\n  fix: …` in the editor's language (in
 * English, the same text a RassylkaError carries as its message); the rule id never changes.
 */
export function formatDiagnostic(d: Diagnostic): string {
  const place = d.file ? `${d.file}${d.line ? `:${d.line}${d.column ? `:${d.column}` : ""}` : ""}: ` : "";
  const field = d.field ? ` (${t("cli:field", { field: d.field })})` : "";
  const fix = d.fix ? `\n  ${t("cli:fix")}: ${d.fix}` : "";
  return `${place}${t(`cli:severity.${d.severity}`)}: ${d.message}${field} [${d.ruleId}]${fix}`;
}

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
  const text = d.fix ? `${d.message}. ${t("cli:github.fix")}: ${d.fix}` : d.message;
  return `::${kind} ${props}::${escapeData(text)}`;
}

function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** The address check's reasons (src/identity/address.ts, English in the data) as they read in the editor's language. */
const ADDRESS_REASONS: [RegExp, string][] = [
  [/empty address/g, "empty"],
  [/address longer than 254 characters/g, "long"],
  [/address contains spaces or characters not allowed in an address/g, "chars"],
  [/expected one @ between a name and a domain/g, "at"],
  [/the part before @ is not a valid mailbox name/g, "local"],
  [/"([^"]*)" is not a valid domain/g, "domain"],
];

/** `text` (a reason, or a line that ends with one) with the address check's reasons translated. */
export function addressReasons(text: string): string {
  let out = text;
  for (const [re, key] of ADDRESS_REASONS) out = out.replace(re, (_, domain?: string) => t(`address:${key}`, { domain }));
  return out;
}

/** `554 5.1.1 no such user` with its code once, whether or not the server's text repeats it. */
export function replyText(code: number | null | undefined, message: string): string {
  const text = message.trim();
  if (code === null || code === undefined || new RegExp(`(^|\\s)${code}(\\s|$)`).test(text)) return text;
  return `${code} ${text}`;
}
