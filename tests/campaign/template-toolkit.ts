import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("./template-toolkit.pl", import.meta.url));

/** Is Template Toolkit installed (`perl -MTemplate -e1`; Debian: libtemplate-perl, which .ci/run installs)? */
export function hasTemplateToolkit(): boolean {
  try {
    execFileSync("perl", ["-MTemplate", "-e1"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** A member as Sendsay's template sees it: `anketa.<aid>.<qid>`, `anketa.member.email`, `param.url_unsub`. */
export interface Member {
  email: string;
  unsubscribeUrl: string;
  /** questionnaire fields, `base.firstName` → value */
  anketa: Record<string, string>;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Render PROScript with the real Template Toolkit; `html`: values escaped as Sendsay does in the HTML part. */
export function renderProscript(template: string, member: Member, part: "html" | "text"): string {
  const esc = part === "html" ? escapeHtml : (s: string) => s;
  const anketa: Record<string, Record<string, string>> = { member: { email: esc(member.email) } };
  for (const [key, value] of Object.entries(member.anketa)) {
    const [aid, qid] = key.split(".");
    anketa[aid] ??= {};
    anketa[aid][qid] = esc(value);
  }
  const data = { anketa, param: { url_unsub: esc(member.unsubscribeUrl) } };
  return execFileSync("perl", [SCRIPT, JSON.stringify(data)], { input: template, encoding: "utf8", maxBuffer: 16 << 20 });
}
