import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import { newsletterId } from "../../src/identity/newsletter.js";
import { verifyPreferencesToken, verifyUnsubscribeToken } from "../../src/identity/token.js";
import { subscribersAt } from "../../src/send/subscribers.js";
import type { StateLocation } from "../../src/state/location.js";
import { openStore } from "../../src/state/store.js";
import { config as parseConfig } from "../helpers/newsletter.js";
import { CONFIG, copies, header, parse, SECRET, type SendProject, sendTest } from "./helpers.js";

// A newsletter with topics, an issue about trainings and an audience file: who a send reaches, what its
// headers say, and that the audience is the one frozen into the ledger when the send started.
const TOPICS = `topics:
  - id: treningi
    title: Тренинги
    default: true
  - id: tehnika
    title: Техника продаж
    default: true
  - id: vopros-otvet
    title: Вопрос-ответ
    default: false
`;
const TOPIC_CONFIG = `${CONFIG.replace("  mailto: unsubscribe@prodazhi.example.ru\n", "  mailto: unsubscribe@prodazhi.example.ru\n  scope: topic\n")}${TOPICS}`;
const TRAININGS = `---
title: Тренинги декабря
date: 2026-12-05
subject: Тренинги декабря
topic: treningi
---
Здравствуйте, {{subscriber.name}}! Расписание тренингов.
`;
const MOSCOW = "where:\n  or:\n    - city: Москва\n    - phone: {exists: true}\n";

async function seed(location: StateLocation): Promise<void> {
  const store = await openStore(location);
  try {
    await store.subscribers.upsertMany(
      [
        { address: "anna@example.ru", fields: { name: "Анна", city: "Москва" }, topics: ["treningi"] },
        { address: "boris@example.ru", fields: { name: "Борис", city: "Казань" }, topics: ["treningi", "tehnika"] },
        { address: "vera@example.ru", fields: { name: "Вера", city: "Москва" }, topics: ["vopros-otvet"] },
        // never chose: the defaults (treningi, tehnika)
        { address: "gleb@example.ru", fields: { name: "Глеб", city: "Уфа", phone: "+7 347 000-00-00" } },
        { address: "dina@example.ru", fields: { name: "Дина", city: "Москва" }, topics: ["tehnika"] },
      ],
      { status: "confirmed", source: "cli", at: "2026-12-01T10:00:00.000Z" },
    );
    // pending readers get nothing, whatever their topics
    await store.subscribers.upsertMany([{ address: "petr@example.ru", topics: ["treningi"] }], {
      status: "pending",
      source: "cli",
      at: "2026-12-01T10:00:00.000Z",
    });
  } finally {
    await store.close();
  }
}

async function project(p: SendProject) {
  await p.write("newsletter.yaml", TOPIC_CONFIG);
  await p.write("issues/2026-12-05-treningi.md", TRAININGS);
  await mkdir(join(p.root, "audiences"), { recursive: true });
  await p.write("audiences/moskva.yaml", MOSCOW);
  const location: StateLocation = { kind: "sqlite", file: p.state };
  await seed(location);
  await p.smtp();
  return location;
}

sendTest(
  "an issue with topic: reaches exactly the confirmed readers with that topic (the defaults for those who never chose)",
  async ({ project: p }) => {
    const location = await project(p);
    const summary = await p.send("", { issue: "issues/2026-12-05-treningi.md", audience: subscribersAt(location, { root: p.root }) });
    expect(summary).toMatchObject({ total: 3, sent: 3, failed: 0 });
    expect([...copies(p.sink!).keys()].sort()).toEqual(["anna@example.ru", "boris@example.ru", "gleb@example.ru"]);

    // List-Id names the topic; one-click leaves the topic only (scope: topic); the manage link has its own token
    const listId = newsletterId(parseConfig(TOPIC_CONFIG));
    const raw = p.sink!.received.find((r) => r.to.includes("anna@example.ru"))!.raw;
    expect(header(raw, "List-Id")[0]).toContain(`<treningi.${listId}>`);
    const mail = await parse(raw);
    const list = (mail.headers.get("list") as { id: { name: string; id: string } }).id;
    expect(list.id).toBe(`treningi.${listId}`);
    // RFC 2047 words, decoded by hand: the phrase names the newsletter and the topic
    const phrase = [...list.name.matchAll(/=\?UTF-8\?B\?([^?]*)\?=/g)].map((m) => Buffer.from(m[1], "base64"));
    expect(Buffer.concat(phrase).toString("utf8")).toBe("Как увеличить объёмы продаж — Тренинги");
    const unsubscribe = /<(https:[^>]+)>/.exec(header(raw, "List-Unsubscribe")[0])![1];
    const u = new URL(unsubscribe);
    expect(u.searchParams.get("topic")).toBe("treningi");
    expect(verifyUnsubscribeToken(u.searchParams.get("token")!, listId, SECRET)).toBe("anna@example.ru");
    // Handlebars writes `=` in an attribute as &#x3D;
    const html = String(mail.html).replace(/&#x3D;/g, "=");
    const manage = /href="(https:\/\/prodazhi\.example\.ru\/rassylka\/preferences\?token=[^"]+)"/.exec(html)![1];
    const token = new URL(manage).searchParams.get("token")!;
    expect(verifyPreferencesToken(token, listId, SECRET)).toBe("anna@example.ru");
    // a preference token is no unsubscribe token, and the other way round
    expect(verifyUnsubscribeToken(token, listId, SECRET)).toBeUndefined();
    expect(String(mail.text)).toContain("Настроить подписку");
  },
);

sendTest(
  "send --audience: the readers of the audience file who also have the issue's topic; the ledger records which",
  async ({ project: p }) => {
    const location = await project(p);
    const summary = await p.send("", {
      issue: "issues/2026-12-05-treningi.md",
      audience: subscribersAt(location, { root: p.root, audienceName: "moskva" }),
    });
    // Москва or a phone, and treningi: anna (Москва), gleb (phone, defaults); not vera (no treningi) nor dina
    expect(summary).toMatchObject({ total: 2, sent: 2 });
    expect([...copies(p.sink!).keys()].sort()).toEqual(["anna@example.ru", "gleb@example.ru"]);
    const store = await openStore(location);
    try {
      expect(await store.audiences.of("2026-12-05-treningi")).toMatchObject({
        audience: "audience:moskva+topic:treningi",
        label: "--subscribers --audience moskva (topic treningi)",
        readers: 2,
      });
    } finally {
      await store.close();
    }
  },
);

sendTest(
  "an issue without a topic goes to every confirmed reader; a missing audience file stops the send before anything is recorded",
  async ({ project: p }) => {
    const location = await project(p);
    await expect(p.send("", { audience: subscribersAt(location, { root: p.root, audienceName: "kazan" }) })).rejects.toMatchObject({
      diagnostics: [{ ruleId: "audience/missing", file: "audiences/kazan.yaml" }],
    });
    expect(p.sink!.received).toHaveLength(0);
    const summary = await p.send("", { audience: subscribersAt(location, { root: p.root }) });
    expect(summary).toMatchObject({ total: 5, sent: 5 });
  },
);

sendTest(
  "the audience is frozen when the send starts: a reader who takes the topic then is not added, one who leaves is skipped",
  async ({ project: p }) => {
    const location = await project(p);
    const changeDuringSend = async () => {
      const store = await openStore(location);
      try {
        // after the list went into the ledger, before the first message: readers change their topics
        await store.subscribers.setTopics("vera@example.ru", ["vopros-otvet", "treningi"], {
          at: new Date().toISOString(),
          source: "preferences",
        });
        await store.subscribers.upsertMany([{ address: "new@example.ru", topics: ["treningi"] }], {
          status: "confirmed",
          source: "cli",
          at: new Date().toISOString(),
        });
        await store.subscribers.setTopics("anna@example.ru", ["tehnika"], { at: new Date().toISOString(), source: "preferences" });
        await store.suppressions.add("boris@example.ru", "unsubscribed", "page");
      } finally {
        await store.close();
      }
    };
    let asked = 0;
    const summary = await p.send("", {
      issue: "issues/2026-12-05-treningi.md",
      audience: subscribersAt(location, { root: p.root }),
      mode: "send",
      confirm: async (info) => {
        asked = info.recipients;
        await changeDuringSend();
        return true;
      },
    });
    expect(asked).toBe(3);
    // frozen: anna (topic dropped after the start) still gets it, vera and the new reader do not; boris left: skipped
    expect([...copies(p.sink!).keys()].sort()).toEqual(["anna@example.ru", "gleb@example.ru"]);
    expect(summary).toMatchObject({ total: 3, sent: 2, suppressed: 1 });
    // the next send of the same selection reads the list as it is now
    await p.write("issues/2026-12-06-treningi.md", TRAININGS.replace("2026-12-05", "2026-12-06").replace("декабря", "января"));
    const before = p.sink!.received.length;
    const next = await p.send("", { issue: "issues/2026-12-06-treningi.md", audience: subscribersAt(location, { root: p.root }) });
    expect(next).toMatchObject({ total: 3, sent: 3 });
    expect(
      p
        .sink!.received.slice(before)
        .flatMap((r) => r.to)
        .sort(),
    ).toEqual(["gleb@example.ru", "new@example.ru", "vera@example.ru"]);
  },
);
