import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Diagnostic, RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { parseYaml } from "../util/yaml.js";
import { configSchema, type NewsletterConfig } from "./schema.js";
import { zodDiagnostics, zodErrorMap } from "./zod.js";

export const CONFIG_FILE = "newsletter.yaml";

export interface LoadedConfig {
  config: NewsletterConfig;
  /** The file's bytes: part of every build's cache key. */
  source: string;
  file: string;
}

/** Pure: text in, config or diagnostics out. */
export function parseConfig(text: string, file = CONFIG_FILE): { config?: NewsletterConfig; diagnostics: Diagnostic[] } {
  const parsed = parseYaml(text, file);
  if (parsed.diagnostics.length) return { diagnostics: parsed.diagnostics };
  if (parsed.data === null || typeof parsed.data !== "object" || Array.isArray(parsed.data)) {
    return {
      diagnostics: [
        {
          ruleId: "config/empty",
          severity: "error",
          message: t("config:empty", { file }),
          file,
          line: 1,
          fix: t("config:empty.fix"),
        },
      ],
    };
  }
  const result = configSchema.safeParse(parsed.data, { error: zodErrorMap() });
  if (!result.success) {
    return {
      diagnostics: zodDiagnostics(result.error, { schema: configSchema, parsed, file, ruleId: "config", data: parsed.data }),
    };
  }
  return { config: result.data, diagnostics: [] };
}

/** Reads `newsletter.yaml` under root; throws RassylkaError with precise diagnostics when it is unusable. */
export async function loadConfig(root: string): Promise<LoadedConfig> {
  const file = join(root, CONFIG_FILE);
  let source: string;
  try {
    source = await readFile(file, "utf8");
  } catch (cause) {
    throw new RassylkaError(
      {
        ruleId: "config/missing",
        severity: "error",
        message: t("config:missing", { file: CONFIG_FILE, dir: root }),
        file: CONFIG_FILE,
        fix: t("config:missing.fix"),
      },
      { cause },
    );
  }
  const { config, diagnostics } = parseConfig(source);
  if (!config) throw new RassylkaError(diagnostics);
  return { config, source, file };
}
