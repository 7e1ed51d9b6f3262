import type { NewsletterConfig } from "../config/schema.js";
import { type Diagnostic, error, RassylkaError, warning } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import type { CompiledIssue } from "../render/pipeline.js";

/** Checks made before a send starts, whatever the transport: they refuse with the fix, nothing recorded. */

/** A draft goes out only as test copies. */
export function refuseDraft(compiled: CompiledIssue, testFlag = "--test you@example.ru"): void {
  if (!compiled.draft) return;
  throw new RassylkaError({
    ruleId: "send/draft",
    severity: "error",
    message: t("send:guard.draft"),
    file: compiled.source,
    field: "draft",
    fix: t("send:guard.draft.fix", { flag: testFlag }),
  });
}

/**
 * A real send carries an unsubscribe: Gmail and Yahoo require one-click unsubscribe (RFC 8058) from bulk
 * senders since February 2024, and the law expects a way out of every newsletter. Test copies and dry runs
 * are not refused. An http: URL works as a link but not for one-click, which needs https.
 */
export function unsubscribeProblems(config: NewsletterConfig, mode: "send" | "test" | "dry-run"): Diagnostic[] {
  const u = config.unsubscribe;
  if (!u?.url && !u?.mailto) {
    if (mode !== "send") return [];
    return [
      error("send/no-unsubscribe", t("send:guard.noUnsubscribe"), {
        file: "newsletter.yaml",
        field: "unsubscribe",
        fix: t("send:guard.noUnsubscribe.fix"),
      }),
    ];
  }
  if (u.url?.startsWith("http:")) {
    return [
      warning("send/unsubscribe-http", t("send:guard.unsubscribeHttp"), {
        file: "newsletter.yaml",
        field: "unsubscribe.url",
        fix: t("send:guard.unsubscribeHttp.fix"),
      }),
    ];
  }
  return [];
}

/** What a send may be told to overlook: each one is printed in its summary. */
export interface Allowances {
  /** `--allow-no-one-click`: a private list without `unsubscribe.url` (no RFC 8058 one-click). */
  noOneClick?: boolean;
  /** `--allow-unaligned`: DKIM or the return path on a domain other than From's. */
  unaligned?: boolean;
}

/**
 * Bulk mail without one-click unsubscribe is rejected by Gmail and Yahoo (since February 2024): a
 * `mailto` alone is not enough. Only test copies and dry runs are exempt, and `--allow-no-one-click`.
 */
export function oneClickProblems(config: NewsletterConfig, mode: "send" | "test" | "dry-run", allow: Allowances = {}): Diagnostic[] {
  if (mode !== "send" || allow.noOneClick || config.unsubscribe?.url || !config.unsubscribe?.mailto) return [];
  return [
    error("send/no-one-click", t("deliverability:noOneClick"), {
      file: "newsletter.yaml",
      field: "unsubscribe.url",
      fix: t("deliverability:noOneClick.fix"),
    }),
  ];
}

/** The organisational domain, as DMARC's relaxed alignment compares them: the last two labels (no public suffix list). */
export function organisationalDomain(domain: string): string {
  return domain.toLowerCase().replace(/\.$/, "").split(".").slice(-2).join(".");
}

/** DMARC relaxed alignment: the same organisational domain. */
export function aligned(a: string, b: string): boolean {
  return organisationalDomain(a) === organisationalDomain(b);
}

/**
 * DMARC passes only when DKIM's `d=` or the return path's domain is aligned with From's. A send whose DKIM
 * domain or return path is on another domain stops (`--allow-unaligned` overrides).
 */
export function alignmentProblems(
  config: NewsletterConfig,
  dkimDomain: string | undefined,
  mode: "send" | "test" | "dry-run",
  allow: Allowances = {},
): Diagnostic[] {
  if (mode !== "send" || allow.unaligned) return [];
  const from = config.from.email.split("@")[1]?.toLowerCase() ?? "";
  const out: Diagnostic[] = [];
  if (dkimDomain && !aligned(dkimDomain, from)) {
    out.push(
      error("send/dkim-alignment", t("deliverability:dkimAlignment", { dkim: dkimDomain, from }), {
        field: "DKIM_DOMAIN",
        fix: t("deliverability:dkimAlignment.fix", { from, org: organisationalDomain(from) }),
      }),
    );
  }
  const returnDomain = config.returnPath?.split("@")[1]?.toLowerCase();
  if (returnDomain && !aligned(returnDomain, from)) {
    out.push(
      error("send/spf-alignment", t("deliverability:spfAlignment", { returnPath: config.returnPath, from }), {
        file: "newsletter.yaml",
        field: "returnPath",
        fix: t("deliverability:spfAlignment.fix", { from }),
      }),
    );
  }
  return out;
}
