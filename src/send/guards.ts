import { RassylkaError } from "../diagnostics.js";
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
