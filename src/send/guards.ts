import type { NewsletterConfig } from "../config/schema.js";
import { type Diagnostic, error, RassylkaError, warning } from "../diagnostics.js";
import type { CompiledIssue } from "../render/pipeline.js";

/** Checks made before a send starts, whatever the transport: they refuse with the fix, nothing recorded. */

/** A draft goes out only as test copies. */
export function refuseDraft(compiled: CompiledIssue, testFlag = "--test you@example.ru"): void {
  if (!compiled.draft) return;
  throw new RassylkaError({
    ruleId: "send/draft",
    severity: "error",
    message: "the issue is a draft (draft: true)",
    file: compiled.source,
    field: "draft",
    fix: `send test copies with ${testFlag}, or remove \`draft: true\` from the front-matter when it is ready`,
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
      error("send/no-unsubscribe", "newsletter.yaml has no unsubscribe: a newsletter must not go out without a way to unsubscribe", {
        file: "newsletter.yaml",
        field: "unsubscribe",
        fix: "add `unsubscribe: { url: https://…/unsubscribe }` (answered by `rassylka serve`, see docs/publish.md) and/or `unsubscribe: { mailto: unsubscribe@… }` — Gmail and Yahoo require one-click unsubscribe from bulk senders",
      }),
    ];
  }
  if (u.url?.startsWith("http:")) {
    return [
      warning("send/unsubscribe-http", "unsubscribe.url is http: mail providers offer one-click unsubscribe only for https URLs", {
        file: "newsletter.yaml",
        field: "unsubscribe.url",
        fix: "serve the unsubscribe endpoint over https and write its https:// URL",
      }),
    ];
  }
  return [];
}
