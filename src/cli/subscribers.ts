import { resolve } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { emailProblem } from "../identity/address.js";
import { csvFile } from "../send/audience.js";
import { isPostgresUrl, stateLocation } from "../state/location.js";
import { openStore } from "../state/store.js";
import { SUBSCRIBER_STATUSES, type SubscriberInput, type SubscriberStatus, type SubscriberStore } from "../state/subscribers.js";
import { importedRow, subscriberJson, subscribersCsv } from "../subscribe/records.js";
import { writeFileAtomic } from "../util/fs.js";
import type { Io } from "./print.js";

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
}

async function withSubscribers<T>(flags: SubscribersFlags, fn: (s: SubscriberStore) => Promise<T>): Promise<T> {
  const flag = flags.state && !isPostgresUrl(flags.state) ? resolve(flags.state) : flags.state;
  const store = await openStore(stateLocation(resolve(flags.root), flag));
  try {
    return await fn(store.subscribers);
  } finally {
    await store.close();
  }
}

function status(value: string): SubscriberStatus {
  if (!(SUBSCRIBER_STATUSES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`use one of ${SUBSCRIBER_STATUSES.join(", ")}`);
  return value as SubscriberStatus;
}

function checkAddresses(addresses: string[]): void {
  const bad = addresses.filter((a) => emailProblem(a.trim()));
  if (bad.length) {
    throw new RassylkaError(
      bad.map((a) => ({
        ruleId: "subscribers/invalid-address",
        severity: "error" as const,
        message: `"${a}" is not an email address: ${emailProblem(a.trim())}`,
        fix: "give addresses like reader@example.ru",
      })),
    );
  }
}

export function registerSubscribers(program: Command, io: Io, setCode: (c: number) => void): void {
  const cmd = program.command("subscribers").description(t("cli:command.subscribers"));
  const common = (c: Command) =>
    c
      .option("--state <file|url>", "the state file, or postgres://… (default RASSYLKA_DATABASE_URL, else .rassylka/state.sqlite)")
      .option("--root <dir>", "the newsletter's folder", ".");
  const now = () => new Date().toISOString();

  common(cmd.command("list").description("list subscribers"))
    .option("--status <status>", "only pending, confirmed or unsubscribed", status)
    .option("--json", "print as JSON: email, status, fields, consent {at, ip, userAgent, page, text}, …")
    .action(async (flags: SubscribersFlags) => {
      const list = await withSubscribers(flags, (s) => s.list({ status: flags.status }));
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
    .action(async (emails: string[], flags: SubscribersFlags) => {
      checkAddresses(emails);
      const entries: SubscriberInput[] = emails.map((address) => ({
        address,
        fields: flags.name ? { name: flags.name } : ({} as Record<string, string>),
        consent: { text: flags.consent, page: "cli" },
      }));
      const outcomes = await withSubscribers(flags, (s) =>
        s.upsertMany(entries, { status: flags.confirmed ? "confirmed" : "pending", source: "cli", at: now() }),
      );
      const n = (o: string) => outcomes.filter((x) => x === o).length;
      io.out(
        `Added ${n("added")} subscriber(s) (${flags.confirmed ? "confirmed" : "pending"}); updated ${n("updated") + n("confirmed")}${n("kept-unsubscribed") ? `; ${n("kept-unsubscribed")} unsubscribed left as they are` : ""}.`,
      );
      setCode(0);
    });

  common(cmd.command("remove").description("delete readers and their record from the list").argument("<emails...>")).action(
    async (emails: string[], flags: SubscribersFlags) => {
      const removed = (await withSubscribers(flags, (s) => s.removeMany(emails))).filter(Boolean).length;
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
    .action(async (file: string, flags: SubscribersFlags) => {
      const source = csvFile(resolve(file), { encoding: flags.encoding, label: file });
      const counts = { added: 0, updated: 0, confirmed: 0, "kept-unsubscribed": 0 };
      const skipped: string[] = [];
      const at = now();
      await withSubscribers(flags, async (s) => {
        // batches of 500, one transaction each
        let batch: SubscriberInput[] = [];
        const write = async () => {
          for (const o of await s.upsertMany(batch, { status: flags.confirmed ? "confirmed" : "pending", source: `import:${file}`, at }))
            counts[o]++;
          batch = [];
        };
        for await (const row of source.rows()) {
          const r = importedRow(row, file);
          if ("skip" in r) {
            skipped.push(`${file}:${row.line}: "${row.address}" — ${r.skip}`);
            continue;
          }
          if (flags.consent && !r.input.consent?.text) r.input.consent = { ...r.input.consent, text: flags.consent };
          batch.push(r.input);
          if (batch.length >= 500) await write();
        }
        if (batch.length) await write();
      });
      for (const line of skipped) io.err(`warning: skipped ${line}`);
      io.out(
        `Imported ${counts.added} new subscriber(s) as ${flags.confirmed ? "confirmed" : "pending"}; ${counts.updated + counts.confirmed} already there` +
          `${counts["kept-unsubscribed"] ? `; ${counts["kept-unsubscribed"]} unsubscribed left as they are` : ""}${skipped.length ? `; ${skipped.length} skipped` : ""}.`,
      );
      setCode(0);
    });

  common(
    cmd.command("export").description("write the list with every reader's consent record as CSV (to FILE or stdout)").argument("[file]"),
  )
    .option("--status <status>", "only pending, confirmed or unsubscribed", status)
    .action(async (file: string | undefined, flags: SubscribersFlags) => {
      const list = await withSubscribers(flags, (s) => s.list({ status: flags.status }));
      const csv = subscribersCsv(list);
      if (file && file !== "-") {
        await writeFileAtomic(resolve(file), csv);
        io.err(`Wrote ${list.length} subscriber(s) to ${file}.`);
      } else io.out(csv.replace(/\n$/, ""));
      setCode(0);
    });
}
