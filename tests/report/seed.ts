import { loadConfig } from "../../src/config/load.js";
import { readerKey } from "../../src/identity/click-token.js";
import { newsletterId } from "../../src/identity/newsletter.js";
import type { StateLocation } from "../../src/state/location.js";
import { openStore, type Store } from "../../src/state/store.js";

export const SLUG = "2026-11-10-tekushchaya-debitorka";
export const LINKS = [
  "https://prodazhi.example.ru/treningi/debitorka",
  "https://prodazhi.example.ru/vopros-otvet",
  "https://prodazhi.example.ru/treningi",
];
const READERS = ["ivan@mail.ru", "anna@mail.ru", "olga@yandex.ru", "petr@gmail.com", "vera@gmail.com", "dead@mail.ru"];
const KEYED = ["ivan@mail.ru", "olga@yandex.ru", "dead@mail.ru"];

/**
 * A send recorded through the store as `send` records one: six readers, five sent and one failed; a hard
 * and a soft bounce, a complaint, two unsubscribes (one-click and the page's button); clicks of people,
 * an image proxy, a scanner on the canary, a trial click (counted nowhere) and opens. Half the readers
 * have their key in the ledger as a send keeps it; the others as rows written before the key was kept
 * (none), so the report's per-domain clicks take both ways, within one domain too (mail.ru).
 */
export async function seed(store: Store, listId: string): Promise<void> {
  const ledger = store.ledger;
  const runId = await ledger.beginRun(SLUG, "hash", "Текущая дебиторка");
  await ledger.addRecipients(
    SLUG,
    runId,
    READERS.map((email, i) => ({
      email,
      address: email,
      fields: {},
      line: i + 2,
      messageId: `<${i}.${SLUG}@example.ru>`,
      ...(KEYED.includes(email) ? { readerKey: readerKey(listId, email) } : {}),
    })),
  );
  await ledger.setListStats(SLUG, { total: READERS.length, invalid: 0, duplicates: 0 });
  const { claimed } = await ledger.recordAndClaim(SLUG, runId, [], READERS.length);
  await ledger.record(
    claimed.map((c, i) =>
      i < 5
        ? { id: c.id, state: "sent" as const, attempts: 1, code: 250, response: "250 OK" }
        : { id: c.id, state: "failed" as const, attempts: 1, code: 550, response: "550 no such user" },
    ),
  );
  await ledger.endRun(SLUG);
  await store.bounces.record("m1", "hard", [
    { issue: SLUG, email: "vera@gmail.com", kind: "hard", status: "5.1.1", at: "2026-11-10T12:00:00.000Z" },
  ]);
  await store.bounces.record("m2", "soft", [
    { issue: SLUG, email: "olga@yandex.ru", kind: "soft", status: "4.2.2", at: "2026-11-10T12:00:00.000Z" },
  ]);
  await store.bounces.record("m3", "complaint", [
    { issue: SLUG, email: "petr@gmail.com", kind: "complaint", at: "2026-11-10T13:00:00.000Z" },
  ]);
  await store.suppressions.add("petr@gmail.com", "unsubscribed", "one-click");
  await store.suppressions.add("olga@yandex.ru", "unsubscribed", "page");
  await store.suppressions.add("someone@else.ru", "unsubscribed", "one-click");
  await store.clicks.startIssue(SLUG, { clicks: true, opens: true, anonymous: false }, LINKS);
  const key = (email: string) => readerKey(listId, email);
  const start = Date.parse((await ledger.getRun(SLUG))!.startedAt);
  const at = (minutes: number) => new Date(start + minutes * 60_000).toISOString();
  const clicks: Parameters<Store["clicks"]["record"]>[0][] = [
    { issue: SLUG, link: 1, reader: key("ivan@mail.ru"), uaClass: "human", at: at(5) },
    { issue: SLUG, link: 1, reader: key("ivan@mail.ru"), uaClass: "human", at: at(6) },
    { issue: SLUG, link: 2, reader: key("ivan@mail.ru"), uaClass: "human", at: at(70) },
    { issue: SLUG, link: 1, reader: key("anna@mail.ru"), uaClass: "human", at: at(80) },
    { issue: SLUG, link: 3, reader: key("petr@gmail.com"), uaClass: "human", at: at(5 * 24 * 60) },
    { issue: SLUG, link: 1, reader: key("olga@yandex.ru"), uaClass: "proxy", at: at(1) },
    { issue: SLUG, link: 0, reader: key("olga@yandex.ru"), uaClass: "automated", at: at(1) },
    { issue: SLUG, link: 2, reader: key("olga@yandex.ru"), uaClass: "automated", at: at(1) },
    { issue: SLUG, link: 1, reader: key("ivan@mail.ru"), uaClass: "human", trial: true, at: at(2) },
    { kind: "open", issue: SLUG, link: 0, reader: key("ivan@mail.ru"), uaClass: "human", at: at(4) },
    { kind: "open", issue: SLUG, link: 0, reader: key("anna@mail.ru"), uaClass: "human", at: at(60) },
    { kind: "open", issue: SLUG, link: 0, reader: key("olga@yandex.ru"), uaClass: "proxy", at: at(0) },
  ];
  for (const c of clicks) await store.clicks.record(c);
}

/** `seed` into the state at `location`, keyed as the newsletter in `root` keys its readers. */
export async function seedState(location: StateLocation, root: string): Promise<void> {
  const store = await openStore(location);
  try {
    await seed(store, newsletterId((await loadConfig(root)).config));
  } finally {
    await store.close();
  }
}
