import { resolve } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { t } from "../i18n/index.js";
import {
  addSubscribers,
  defaultTopicsAt,
  exportSubscribers,
  importSubscribers,
  listSubscribers,
  removeSubscribers,
  SUBSCRIBER_STATUSES,
  type SubscriberStatus,
} from "../subscribe/list.js";
import { subscriberJson } from "../subscribe/records.js";
import { writeFileAtomic } from "../util/fs.js";
import { addressReasons, type Io } from "./print.js";
import { stateFromFlags } from "./state-flag.js";

/**
 * `rassylka subscribers list|add|remove|import|export`: the subscriber list rassylka keeps in the state
 * store (docs/subscribe.md). `send <issue> --subscribers` sends to its confirmed readers.
 */
export interface SubscribersFlags {
  root: string;
  state?: string;
  status?: SubscriberStatus;
  json?: boolean;
  confirmed?: boolean;
  name?: string;
  encoding?: string;
  consent?: string;
  /** `--resubscribe "how they agreed"`: confirm readers who unsubscribed, with this as their consent source. */
  resubscribe?: string;
}

function status(value: string): SubscriberStatus {
  if (!(SUBSCRIBER_STATUSES as readonly string[]).includes(value))
    throw new InvalidArgumentError(t("subscribers:badStatus", { statuses: SUBSCRIBER_STATUSES.join(", ") }));
  return value as SubscriberStatus;
}

/** `--resubscribe` states how the readers agreed again: an empty statement is none. */
function resubscribeSource(value: string): string {
  if (!value.trim()) throw new InvalidArgumentError(`${t("resubscribe:needsSource")}: ${t("resubscribe:needsSourceFix")}`);
  return value.trim();
}

/** `--resubscribe` confirms: it implies `--confirmed`. */
function confirming(flags: SubscribersFlags): SubscribersFlags {
  return flags.resubscribe ? { ...flags, confirmed: true } : flags;
}

/** After the per-reader warnings: how many were left out and the way to override, and how many came back. */
function printKept(io: Io, kept: number, resubscribed: number, source?: string): void {
  if (kept) io.err(t("resubscribe:summary", { count: kept }));
  if (resubscribed) io.out(t("resubscribe:resubscribed", { count: resubscribed, source }));
}

export function registerSubscribers(program: Command, io: Io, setCode: (c: number) => void): void {
  const cmd = program.command("subscribers").description(t("cli:command.subscribers"));
  const common = (c: Command) => c.option("--state <file|url>", t("cli:flag.state")).option("--root <dir>", t("cli:flag.root"), ".");

  common(cmd.command("list").description(t("subscribers:list.description")))
    .option("--status <status>", t("subscribers:flag.status"), status)
    .option("--json", t("subscribers:flag.json"))
    .action(async (flags: SubscribersFlags) => {
      const list = await listSubscribers(stateFromFlags(flags), flags.status);
      const defaults = await defaultTopicsAt(flags.root);
      if (flags.json)
        io.out(
          JSON.stringify(
            list.map((s) => subscriberJson(s, defaults)),
            null,
            2,
          ),
        );
      else {
        for (const s of list) io.out(`${s.address}\t${s.status}\t${s.source}\t${s.consent.at ?? ""}\t${(s.topics ?? defaults).join(";")}`);
        io.out(
          t("subscribers:listed", { count: list.length, status: flags.status ? ` (${t(`subscribers:status.${flags.status}`)})` : "" }),
        );
      }
      setCode(0);
    });

  common(cmd.command("add").description(t("subscribers:add.description")).argument("<emails...>"))
    .option("--name <name>", t("subscribers:flag.name"))
    .option("--confirmed", t("subscribers:flag.confirmed"))
    .option("--consent <text>", t("subscribers:flag.consent"))
    .option("--resubscribe <source>", t("resubscribe:flag"), resubscribeSource)
    .action(async (emails: string[], flags: SubscribersFlags) => {
      const counts = await addSubscribers(stateFromFlags(flags), emails, confirming(flags));
      for (const k of counts.kept)
        io.err(
          t(`resubscribe:${k.outcome === "kept-unsubscribed" ? "keptUnsubscribed" : "keptSuppressed"}`, { where: "", address: k.address }),
        );
      printKept(io, counts.kept.length, counts.resubscribed, flags.resubscribe);
      const n = (o: Exclude<keyof typeof counts, "kept">) => counts[o];
      io.out(
        t("subscribers:added", {
          count: n("added"),
          status: t(flags.confirmed ? "subscribers:status.confirmed" : "subscribers:status.pending"),
          updated: n("updated") + n("confirmed"),
          kept: n("kept-unsubscribed") ? t("subscribers:kept", { count: n("kept-unsubscribed") }) : "",
        }),
      );
      setCode(0);
    });

  common(cmd.command("remove").description(t("subscribers:remove.description")).argument("<emails...>")).action(
    async (emails: string[], flags: SubscribersFlags) => {
      const removed = await removeSubscribers(stateFromFlags(flags), emails);
      const notThere = emails.length - removed ? t("subscribers:notThere", { count: emails.length - removed }) : "";
      io.out(t("subscribers:removed", { count: removed, notThere }));
      setCode(0);
    },
  );

  common(cmd.command("import").description(t("subscribers:import.description")).argument("<file>"))
    .option("--confirmed", t("subscribers:flag.importConfirmed"))
    .option("--consent <text>", t("subscribers:flag.consent"))
    .option("--encoding <name>", t("cli:flag.encoding"), "utf-8")
    .option("--resubscribe <source>", t("resubscribe:flag"), resubscribeSource)
    .action(async (file: string, flags: SubscribersFlags) => {
      const file_ = { path: resolve(file), label: file, encoding: flags.encoding };
      const { counts, skipped, kept } = await importSubscribers(stateFromFlags(flags), file_, confirming(flags));
      for (const line of skipped) io.err(t("subscribers:skipped", { line: addressReasons(line) }));
      for (const k of kept)
        io.err(
          t(`resubscribe:${k.outcome === "kept-unsubscribed" ? "keptUnsubscribed" : "keptSuppressed"}`, {
            where: `${file}:${k.line}: `,
            address: k.address,
          }),
        );
      io.out(
        t("subscribers:imported", {
          count: counts.added,
          status: t(flags.confirmed ? "subscribers:status.confirmed" : "subscribers:status.pending"),
          known: counts.updated + counts.confirmed,
          kept: counts["kept-unsubscribed"] ? t("subscribers:kept", { count: counts["kept-unsubscribed"] }) : "",
          skipped: skipped.length ? t("subscribers:skippedCount", { count: skipped.length }) : "",
        }),
      );
      printKept(io, kept.length, counts.resubscribed, flags.resubscribe);
      setCode(0);
    });

  common(cmd.command("export").description(t("subscribers:export.description")).argument("[file]"))
    .option("--status <status>", t("subscribers:flag.status"), status)
    .action(async (file: string | undefined, flags: SubscribersFlags) => {
      const { csv, count } = await exportSubscribers(stateFromFlags(flags), flags.status);
      if (file && file !== "-") {
        await writeFileAtomic(resolve(file), csv);
        io.err(t("subscribers:wrote", { count, file }));
      } else io.out(csv.replace(/\n$/, ""));
      setCode(0);
    });
}
