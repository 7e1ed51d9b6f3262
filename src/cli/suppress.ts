import { resolve } from "node:path";
import type { Command } from "commander";
import { t } from "../i18n/index.js";
import { addSuppressions, importSuppressions, listSuppressions, removeSuppressions, suppressionsCsv } from "../suppress/suppress.js";
import { writeFileAtomic } from "../util/fs.js";
import { addressReasons, type Io } from "./print.js";
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
  const common = (c: Command) => c.option("--state <file|url>", t("cli:flag.state")).option("--root <dir>", t("cli:flag.root"), ".");

  common(cmd.command("add").description(t("suppress:add.description")).argument("<emails...>"))
    .option("--reason <reason>", t("suppress:flag.reason"), "manual")
    .action(async (emails: string[], flags: SuppressFlags) => {
      const added = await addSuppressions(stateFromFlags(flags), emails, flags.reason ?? "manual");
      const already = emails.length - added ? t("suppress:alreadyWere", { count: emails.length - added }) : "";
      io.out(t("suppress:added", { count: added, already }));
      setCode(0);
    });

  common(cmd.command("remove").description(t("suppress:remove.description")).argument("<emails...>")).action(
    async (emails: string[], flags: SuppressFlags) => {
      const removed = await removeSuppressions(stateFromFlags(flags), emails);
      const notThere = emails.length - removed ? t("suppress:notSuppressed", { count: emails.length - removed }) : "";
      io.out(t("suppress:removed", { count: removed, notThere }));
      setCode(0);
    },
  );

  common(cmd.command("list").description(t("suppress:list.description")))
    .option("--json", t("cli:flag.json"))
    .action(async (flags: SuppressFlags) => {
      const list = await listSuppressions(stateFromFlags(flags));
      if (flags.json) io.out(JSON.stringify(list, null, 2));
      else {
        for (const s of list) io.out(`${s.email}\t${s.reason}\t${s.note ?? s.source ?? ""}\t${s.created_at}`);
        io.out(t("suppress:listed", { count: list.length }));
      }
      setCode(0);
    });

  common(cmd.command("import").description(t("suppress:import.description")).argument("<file>"))
    .option("--reason <reason>", t("suppress:flag.importReason"), "unsubscribed")
    .option("--encoding <name>", t("cli:flag.encoding"), "utf-8")
    .action(async (file: string, flags: SuppressFlags) => {
      const file_ = { path: resolve(file), label: file, encoding: flags.encoding };
      const { added, known, invalid } = await importSuppressions(stateFromFlags(flags), file_, flags.reason || "unsubscribed");
      for (const line of invalid) io.err(t("suppress:skipped", { line: addressReasons(line) }));
      io.out(
        t("suppress:imported", {
          count: added,
          known: known ? t("suppress:known", { count: known }) : "",
          invalid: invalid.length ? t("suppress:invalid", { count: invalid.length }) : "",
        }),
      );
      setCode(0);
    });

  common(cmd.command("export").description(t("suppress:export.description")).argument("[file]")).action(
    async (file: string | undefined, flags: SuppressFlags) => {
      const csv = suppressionsCsv(await listSuppressions(stateFromFlags(flags)));
      if (file) {
        await writeFileAtomic(resolve(file), csv);
        io.err(t("suppress:wrote", { count: csv.split("\n").length - 2, file }));
      } else io.out(csv.replace(/\n$/, ""));
      setCode(0);
    },
  );
}
