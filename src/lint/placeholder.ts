import { isPlaceholder, PLACEHOLDER_HOST } from "../config/placeholder.js";
import type { NewsletterConfig } from "../config/schema.js";
import { resolveLang, translator } from "../i18n/index.js";
import { finding, type LintRule, locate } from "./context.js";

/**
 * The addresses `rassylka init` could not know (src/config/placeholder.ts) and the editor has not filled in
 * yet: a warning per field, at its line in newsletter.yaml. Never an error: a new newsletter builds, previews
 * and lints before it has a domain. The preview's sample readers are samples, not placeholders.
 */
export const placeholder: LintRule = {
  id: "lint/placeholder",
  check(ctx) {
    const { t } = translator(resolveLang({ config: ctx.config.language }));
    return configValues(ctx.config)
      .filter(([, value]) => isPlaceholder(value))
      .map(([field, value]) => {
        const key = field.split(".").at(-1);
        const place = locate(ctx, `${key}: ${value}`, ["config"]) ?? locate(ctx, value, ["config"]) ?? { file: ctx.sources.at(-1)?.file };
        return finding(
          "placeholder",
          "warning",
          t("placeholder:message", { field, value, host: PLACEHOLDER_HOST }),
          t("placeholder:fix", { field }),
          { ...place, field },
        );
      });
  },
};

/** The config's addresses and links, by dot path. */
function configValues(config: NewsletterConfig): [string, string][] {
  const out: [string, string | undefined][] = [
    ["url", config.url],
    ["from.email", config.from.email],
    ["replyTo", config.replyTo],
    ["returnPath", config.returnPath],
    ["unsubscribe.url", config.unsubscribe?.url],
    ["unsubscribe.mailto", config.unsubscribe?.mailto],
    ...Object.entries(config.contacts ?? {}).map(([k, v]): [string, string | undefined] => [`contacts.${k}`, v]),
    ...config.nav.map((n, i): [string, string] => [`nav.${i}.url`, n.url]),
    ...config.events.map((e, i): [string, string | undefined] => [`events.${i}.url`, e.url]),
  ];
  return out.filter((e): e is [string, string] => typeof e[1] === "string");
}
