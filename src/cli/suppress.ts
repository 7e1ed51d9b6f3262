import { resolve } from "node:path";
import type { Command } from "commander";
import { RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { emailProblem } from "../identity/address.js";
import { csvFile } from "../send/audience.js";
import { isPostgresUrl, stateLocation } from "../state/location.js";
import { openStore, type SuppressionStore } from "../state/store.js";
import { writeFileAtomic } from "../util/fs.js";
import type { Io } from "./print.js";

/**
 * `rassylka suppress add|remove|list|import|export`: the addresses no send will ever deliver to
 * (unsubscribed, bounced). `export` writes CSV (email,reason,source,created_at) that `import` reads
 * back, so unsubscribes recorded by `serve` on one machine move to the machine that sends.
 */
export interface SuppressFlags {
  root: string;
  state?: string;
  reason?: string;
  json?: boolean;
  encoding?: string;
}

/** `--state` FILE is relative to the current folder; a postgres:// URL (or RASSYLKA_DATABASE_URL) is the shared store. */
async function withSuppressions<T>(flags: SuppressFlags, fn: (s: SuppressionStore) => T | Promise<T>): Promise<T> {
  const flag = flags.state && !isPostgresUrl(flags.state) ? resolve(flags.state) : flags.state;
  const store = await openStore(stateLocation(resolve(flags.root), flag));
  try {
    return await fn(store.suppressions);
  } finally {
    await store.close();
  }
}

/** One transaction for all of them; an address given twice counts once (the second is "already"). */
async function addEach(s: SuppressionStore, emails: string[], reason: string): Promise<number> {
  const added = await s.addMany(emails.map((email) => ({ email, reason, source: "cli" })));
  return added.filter(Boolean).length;
}

function checkAddresses(addresses: string[]): void {
  const bad = addresses.filter((a) => emailProblem(a.trim()));
  if (bad.length) {
    throw new RassylkaError(
      bad.map((a) => ({
        ruleId: "suppress/invalid-address",
        severity: "error" as const,
        message: `"${a}" is not an email address: ${emailProblem(a.trim())}`,
        fix: "give addresses like reader@example.ru",
      })),
    );
  }
}

/** RFC 4180 field: quoted when it holds a comma, quote or line break. */
export function csvField(value: string | null | undefined): string {
  const v = value ?? "";
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function suppressionsCsv(list: { email: string; reason: string; source: string | null; created_at: string }[]): string {
  return `email,reason,source,created_at\n${list.map((s) => [s.email, s.reason, s.source, s.created_at].map(csvField).join(",")).join("\n")}${list.length ? "\n" : ""}`;
}

export function registerSuppress(program: Command, io: Io, setCode: (c: number) => void): void {
  const cmd = program.command("suppress").description(t("cli:command.suppress"));
  const common = (c: Command) =>
    c
      .option("--state <file|url>", "the state file, or postgres://… (default RASSYLKA_DATABASE_URL, else .rassylka/state.sqlite)")
      .option("--root <dir>", "the newsletter's folder", ".");

  common(cmd.command("add").description("suppress addresses").argument("<emails...>"))
    .option("--reason <reason>", "unsubscribed, bounced, complained or manual", "manual")
    .action(async (emails: string[], flags: SuppressFlags) => {
      checkAddresses(emails);
      const added = await withSuppressions(flags, (s) => addEach(s, emails, flags.reason ?? "manual"));
      io.out(`Suppressed ${added} new address(es)${emails.length - added ? `; ${emails.length - added} already were` : ""}.`);
      setCode(0);
    });

  common(cmd.command("remove").description("allow addresses again").argument("<emails...>")).action(
    async (emails: string[], flags: SuppressFlags) => {
      const removed = await withSuppressions(flags, async (s) => {
        let n = 0;
        for (const e of emails) if (await s.remove(e)) n++;
        return n;
      });
      io.out(`Removed ${removed} address(es)${emails.length - removed ? `; ${emails.length - removed} were not suppressed` : ""}.`);
      setCode(0);
    },
  );

  common(cmd.command("list").description("list suppressed addresses"))
    .option("--json", "print as JSON")
    .action(async (flags: SuppressFlags) => {
      const list = await withSuppressions(flags, (s) => s.list());
      if (flags.json) io.out(JSON.stringify(list, null, 2));
      else {
        for (const s of list) io.out(`${s.email}\t${s.reason}\t${s.source ?? ""}\t${s.created_at}`);
        io.out(`${list.length} suppressed address(es).`);
      }
      setCode(0);
    });

  common(
    cmd
      .command("import")
      .description("suppress every address of a CSV (an email column; reason and source columns are kept)")
      .argument("<file>"),
  )
    .option("--reason <reason>", "reason for rows without a reason column", "unsubscribed")
    .option("--encoding <name>", "utf-8 (default) or windows-1251", "utf-8")
    .action(async (file: string, flags: SuppressFlags) => {
      const source = csvFile(resolve(file), { encoding: flags.encoding, label: file });
      let added = 0;
      let known = 0;
      const invalid: string[] = [];
      await withSuppressions(flags, async (s) => {
        // batches of 500, one transaction each: a long list over the network is not a round trip per row
        let batch: { email: string; reason: string; source: string }[] = [];
        const write = async () => {
          for (const fresh of await s.addMany(batch)) {
            if (fresh) added++;
            else known++;
          }
          batch = [];
        };
        for await (const row of source.rows()) {
          if (row.invalid) {
            invalid.push(`${file}:${row.line}: "${row.address}" — ${row.invalid}`);
            continue;
          }
          const reason = row.fields.reason?.trim() || flags.reason || "unsubscribed";
          batch.push({ email: row.address, reason, source: row.fields.source?.trim() || `import:${file}` });
          if (batch.length >= 500) await write();
        }
        await write();
      });
      for (const line of invalid) io.err(`warning: skipped invalid address ${line}`);
      io.out(
        `Imported ${added} new suppression(s)${known ? `; ${known} already suppressed` : ""}${invalid.length ? `; ${invalid.length} invalid skipped` : ""}.`,
      );
      setCode(0);
    });

  common(
    cmd.command("export").description("write suppressions as CSV (to FILE or stdout); `suppress import` reads it back").argument("[file]"),
  ).action(async (file: string | undefined, flags: SuppressFlags) => {
    const csv = suppressionsCsv(await withSuppressions(flags, (s) => s.list()));
    if (file) {
      await writeFileAtomic(resolve(file), csv);
      io.err(`Wrote ${csv.split("\n").length - 2} suppression(s) to ${file}.`);
    } else io.out(csv.replace(/\n$/, ""));
    setCode(0);
  });
}
