/**
 * Which language the editor reads: no dependencies, so that the CLI can choose it (and `--help` can
 * use it) without loading i18next or any catalogue.
 */
export const LANGUAGES = ["ru", "en", "uk"] as const;
export type Lang = (typeof LANGUAGES)[number];

/** The language a language tag (`ru`, `ru-RU`, `uk_UA.UTF-8`, `en-US`) asks for, or undefined when we have none. */
export function langOf(tag: string | undefined): Lang | undefined {
  if (!tag) return undefined;
  const base = tag
    .trim()
    .toLowerCase()
    .split(/[-_.@]/)[0];
  return (LANGUAGES as readonly string[]).includes(base) ? (base as Lang) : undefined;
}

export interface LangSources {
  /** `--lang` */
  flag?: string;
  /** `RASSYLKA_LANG`, `LC_ALL`, `LC_MESSAGES`, `LANG`: the process environment. */
  env?: NodeJS.ProcessEnv;
  /** the newsletter's `language` from newsletter.yaml */
  config?: string;
}

/** Which language: `--lang`, else `RASSYLKA_LANG`, else the newsletter's `language`, else the system locale, else English. */
export function resolveLang({ flag, env = {}, config }: LangSources): Lang {
  return (
    langOf(flag) ?? langOf(env.RASSYLKA_LANG) ?? langOf(config) ?? langOf(env.LC_ALL) ?? langOf(env.LC_MESSAGES) ?? langOf(env.LANG) ?? "en"
  );
}
