import { t } from "../i18n/index.js";
import { finding, type LintRule, locate, SENDER_FIELDS } from "./context.js";

/**
 * A merge field (`{{subscriber.x}}`) that none of the sample readers in newsletter.yaml
 * `preview.subscribers` has: most likely a typo, or a column the audience does not have, and readers
 * would see an empty gap. A field only some samples have is fine — that is what {{#if}} fallbacks are
 * for. `email`, `unsubscribeUrl` and `preferencesUrl` are filled in by the sender.
 */
export const mergeFields: LintRule = {
  id: "lint/merge-fields",
  check(ctx) {
    const fields = ctx.compiled.subscriberFields.filter((f) => !(SENDER_FIELDS as readonly string[]).includes(f));
    if (!fields.length) return [];
    const samples = ctx.samples;
    if (!samples.length) {
      return [
        finding(
          "merge-fields",
          "warning",
          t("lint:mergeFields.noSamples", { fields: fields.map((f) => `subscriber.${f}`).join(", ") }),
          t("lint:mergeFields.noSamples.fix", { field: fields[0] }),
          { file: "newsletter.yaml", field: "preview.subscribers" },
        ),
      ];
    }
    const known = new Set(samples.flatMap((s) => Object.keys(s).filter((k) => s[k] !== undefined)));
    return fields
      .filter((f) => !known.has(f))
      .map((f) => {
        const at = locate(ctx, new RegExp(`subscriber\\.${f}(?![\\w-])`));
        const near = [...known].find((k) => k.toLowerCase() === f.toLowerCase());
        return finding(
          "merge-fields",
          "error",
          t("lint:mergeFields.unknown", { field: f, known: [...known].sort().join(", ") || t("lint:mergeFields.nothing") }),
          near ? t("lint:mergeFields.didYouMean", { near }) : t("lint:mergeFields.unknown.fix", { field: f }),
          at ?? { file: ctx.file },
        );
      });
  },
};
