import { resolve } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { t } from "../i18n/index.js";
import {
  addSubscribers,
  exportSubscribers,
  importSubscribers,
  listSubscribers,
  removeSubscribers,
  SUBSCRIBER_STATUSES,
  type SubscriberStatus,
} from "../subscribe/list.js";
import { subscriberJson } from "../subscribe/records.js";
import { writeFileAtomic } from "../util/fs.js";
import type { Io } from "./print.js";
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
    throw new InvalidArgumentError(`use one of ${SUBSCRIBER_STATUSES.join(", ")}`);
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
  const common = (c: Command) =>
    c
      .option("--state <file|url>", "the state file, or postgres://… (default RASSYLKA_DATABASE_URL, else .rassylka/state.sqlite)")
      .option("--root <dir>", "the newsletter's folder", ".");

  common(cmd.command("list").description("list subscribers"))
    .option("--status <status>", "only pending, confirmed or unsubscribed", status)
    .option("--json", "print as JSON: email, status, fields, consent {at, ip, userAgent, page, text}, …")
    .action(async (flags: SubscribersFlags) => {
      const list = await listSubscribers(stateFromFlags(flags), flags.status);
      if (flags.json) io.out(JSON.stringify(list.map(subscriberJson), null, 2));
      else {
        for (const s of list) io.out(`${s.address}\t${s.status}\t${s.source}\t${s.consent.at ?? ""}`);
        io.out(`${list.length} subscriber(s)${flags.status ? ` (${flags.status})` : ""}.`);
      }
      setCode(0);
    });

  common(cmd.command("add").description("add readers (pending, or confirmed with --confirmed)").argument("<emails...>"))
    .option("--name <name>", "the reader's name (the name field)")
    .option("--confirmed", "they have already agreed elsewhere: confirmed at once (the record says source cli)")
    .option("--consent <text>", "the consent text they agreed to, for the record")
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
        `Added ${n("added")} subscriber(s) (${flags.confirmed ? "confirmed" : "pending"}); updated ${n("updated") + n("confirmed")}${n("kept-unsubscribed") ? `; ${n("kept-unsubscribed")} unsubscribed left as they are` : ""}.`,
      );
      setCode(0);
    });

  common(cmd.command("remove").description("delete readers and their record from the list").argument("<emails...>")).action(
    async (emails: string[], flags: SubscribersFlags) => {
      const removed = await removeSubscribers(stateFromFlags(flags), emails);
      io.out(`Removed ${removed} subscriber(s)${emails.length - removed ? `; ${emails.length - removed} were not on the list` : ""}.`);
      setCode(0);
    },
  );

  common(
    cmd
      .command("import")
      .description("add the readers of a CSV (the same CSV as send --to: an email column, the others are fields)")
      .argument("<file>"),
  )
    .option("--confirmed", "they agreed elsewhere: mark them confirmed (without it they are pending and get nothing)")
    .option("--consent <text>", "the consent text they agreed to, for the record")
    .option("--encoding <name>", "utf-8 (default) or windows-1251", "utf-8")
    .option("--resubscribe <source>", t("resubscribe:flag"), resubscribeSource)
    .action(async (file: string, flags: SubscribersFlags) => {
      const file_ = { path: resolve(file), label: file, encoding: flags.encoding };
      const { counts, skipped, kept } = await importSubscribers(stateFromFlags(flags), file_, confirming(flags));
      for (const line of skipped) io.err(`warning: skipped ${line}`);
      for (const k of kept)
        io.err(
          t(`resubscribe:${k.outcome === "kept-unsubscribed" ? "keptUnsubscribed" : "keptSuppressed"}`, {
            where: `${file}:${k.line}: `,
            address: k.address,
          }),
        );
      io.out(
        `Imported ${counts.added} new subscriber(s) as ${flags.confirmed ? "confirmed" : "pending"}; ${counts.updated + counts.confirmed} already there` +
          `${counts["kept-unsubscribed"] ? `; ${counts["kept-unsubscribed"]} unsubscribed left as they are` : ""}${skipped.length ? `; ${skipped.length} skipped` : ""}.`,
      );
      printKept(io, kept.length, counts.resubscribed, flags.resubscribe);
      setCode(0);
    });

  common(
    cmd.command("export").description("write the list with every reader's consent record as CSV (to FILE or stdout)").argument("[file]"),
  )
    .option("--status <status>", "only pending, confirmed or unsubscribed", status)
    .action(async (file: string | undefined, flags: SubscribersFlags) => {
      const { csv, count } = await exportSubscribers(stateFromFlags(flags), flags.status);
      if (file && file !== "-") {
        await writeFileAtomic(resolve(file), csv);
        io.err(`Wrote ${count} subscriber(s) to ${file}.`);
      } else io.out(csv.replace(/\n$/, ""));
      setCode(0);
    });
}
