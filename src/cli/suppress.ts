import { resolve } from "node:path";
import type { Command } from "commander";
import { t } from "../i18n/index.js";
import { addSuppressions, importSuppressions, listSuppressions, removeSuppressions, suppressionsCsv } from "../suppress/suppress.js";
import { writeFileAtomic } from "../util/fs.js";
import type { Io } from "./print.js";
import { stateFromFlags } from "./state-flag.js";

/** `rassylka suppress add|remove|list|import|export` (src/suppress/suppress.ts does the work). */
export interface SuppressFlags {
  root: string;
  state?: string;
  reason?: string;
  json?: boolean;
  encoding?: string;
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
      const added = await addSuppressions(stateFromFlags(flags), emails, flags.reason ?? "manual");
      io.out(`Suppressed ${added} new address(es)${emails.length - added ? `; ${emails.length - added} already were` : ""}.`);
      setCode(0);
    });

  common(cmd.command("remove").description("allow addresses again").argument("<emails...>")).action(
    async (emails: string[], flags: SuppressFlags) => {
      const removed = await removeSuppressions(stateFromFlags(flags), emails);
      io.out(`Removed ${removed} address(es)${emails.length - removed ? `; ${emails.length - removed} were not suppressed` : ""}.`);
      setCode(0);
    },
  );

  common(cmd.command("list").description("list suppressed addresses"))
    .option("--json", "print as JSON")
    .action(async (flags: SuppressFlags) => {
      const list = await listSuppressions(stateFromFlags(flags));
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
      const file_ = { path: resolve(file), label: file, encoding: flags.encoding };
      const { added, known, invalid } = await importSuppressions(stateFromFlags(flags), file_, flags.reason || "unsubscribed");
      for (const line of invalid) io.err(`warning: skipped invalid address ${line}`);
      io.out(
        `Imported ${added} new suppression(s)${known ? `; ${known} already suppressed` : ""}${invalid.length ? `; ${invalid.length} invalid skipped` : ""}.`,
      );
      setCode(0);
    });

  common(
    cmd.command("export").description("write suppressions as CSV (to FILE or stdout); `suppress import` reads it back").argument("[file]"),
  ).action(async (file: string | undefined, flags: SuppressFlags) => {
    const csv = suppressionsCsv(await listSuppressions(stateFromFlags(flags)));
    if (file) {
      await writeFileAtomic(resolve(file), csv);
      io.err(`Wrote ${csv.split("\n").length - 2} suppression(s) to ${file}.`);
    } else io.out(csv.replace(/\n$/, ""));
    setCode(0);
  });
}
