import type { Command } from "commander";
import { error, RassylkaError } from "../diagnostics.js";
import { language, t } from "../i18n/index.js";
import { copyState } from "../state/copy.js";
import { openStore } from "../state/store.js";
import type { Io } from "./print.js";
import { DATABASE_URL_ENV, locationText, stateFromFlags } from "./state-flag.js";

/**
 * `rassylka state migrate|copy`: the state store itself. A location is a state file
 * (relative to the current folder) or a postgres:// URL; everything printed shows the URL with its
 * password masked (`postgres://user:***@host:5432/db`).
 */
export interface StateFlags {
  root: string;
  state?: string;
  json?: boolean;
}

export interface CopyFlags {
  root: string;
  from: string;
  to?: string;
  json?: boolean;
}

export async function runMigrate(flags: StateFlags, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const location = stateFromFlags(flags, env);
  const where = locationText(location);
  const store = await openStore(location, { migrate: false });
  try {
    const result = await store.migrate();
    if (flags.json) io.out(JSON.stringify({ state: where, ...result }, null, 2));
    else if (!result.applied.length) io.out(t("state:upToDate", { state: where, version: result.version }));
    else {
      io.out(t("state:applied", { state: where, count: result.applied.length }));
      for (const m of result.applied) io.out(`  ${String(m.version).padStart(4, "0")} ${m.name}`);
      io.out(t("state:version", { version: result.version }));
    }
    return 0;
  } finally {
    await store.close();
  }
}

export async function runCopy(flags: CopyFlags, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const to = flags.to ?? env[DATABASE_URL_ENV];
  if (!to) {
    throw new RassylkaError(
      error("state/copy-no-target", t("state:noTarget"), {
        field: "--to",
        fix: t("state:noTarget.fix", { env: DATABASE_URL_ENV }),
      }),
    );
  }
  const source = stateFromFlags({ root: flags.root, state: flags.from }, {});
  const target = stateFromFlags({ root: flags.root, state: to }, {});
  const same =
    source.kind === target.kind &&
    (source.kind === "sqlite" ? source.file : source.url) === (target.kind === "sqlite" ? target.file : target.url);
  if (same) {
    throw new RassylkaError(
      error("state/copy-same", t("state:same", { state: locationText(source) }), {
        field: "--to",
        fix: t("state:same.fix"),
      }),
    );
  }
  // the source is only read: a file opened read-only, a database not migrated
  const from = await openStore(source, { readonly: true, migrate: false });
  try {
    const into = await openStore(target);
    try {
      const tables = await copyState(from, into, { lang: language() });
      const total = tables.reduce((n, table) => n + table.copied, 0);
      if (flags.json) {
        io.out(JSON.stringify({ from: locationText(source), to: locationText(target), tables, copied: total }, null, 2));
        return 0;
      }
      io.out(t("state:copied", { from: locationText(source), to: locationText(target) }));
      const width = Math.max(...tables.map((table) => String(table.copied).length));
      for (const table of tables) {
        const already = table.read - table.copied;
        io.out(
          t("state:table", {
            table: table.table.padEnd(18),
            copied: String(table.copied).padStart(width),
            already: already ? t("state:already", { count: already }) : "",
          }),
        );
      }
      io.out(t("state:total", { count: total }));
      return 0;
    } finally {
      await into.close();
    }
  } finally {
    await from.close();
  }
}

export function registerState(program: Command, io: Io, setCode: (c: number) => void): void {
  const cmd = program.command("state").description(t("cli:command.state"));
  cmd
    .command("migrate")
    .description(t("state:migrate.description"))
    .option("--state <file|url>", t("cli:flag.state"))
    .option("--root <dir>", t("cli:flag.root"), ".")
    .option("--json", t("state:flag.migrateJson"))
    .action(async (flags: StateFlags) => setCode(await runMigrate(flags, io)));
  cmd
    .command("copy")
    .description(t("state:copy.description"))
    .requiredOption("--from <file|url>", t("state:flag.from"))
    .option("--to <url|file>", t("state:flag.to", { env: DATABASE_URL_ENV }))
    .option("--root <dir>", t("cli:flag.root"), ".")
    .option("--json", t("state:flag.copyJson"))
    .action(async (flags: CopyFlags) => setCode(await runCopy(flags, io)));
}
