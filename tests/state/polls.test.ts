import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../src/state/store.js";
import { backends } from "./backends.js";

describe.each(backends())("polls and votes in the $name store", (backend) => {
  let store: Store;
  beforeAll(async () => {
    await backend.start();
    store = await openStore(await backend.fresh());
    await store.polls.savePolls("2026-12-01-a", [
      { id: "topic", question: "Какую тему?", answers: ["Дебиторка", "Цена", "Звонки"] },
      { id: "day", question: "Какой день?", answers: ["Вторник", "Четверг"], closes: "2026-12-10" },
    ]);
    await store.polls.savePolls("2026-12-08-b", [{ id: "format", question: "Какой формат?", answers: ["Текст", "Видео"] }]);
  });
  afterAll(async () => {
    await store?.close();
    await backend.stop();
  });

  it("keeps each poll with its issue, in the order they were kept; saving again brings it up to date", async () => {
    expect((await store.polls.polls()).map((p) => p.poll)).toEqual(["topic", "day", "format"]);
    expect(await store.polls.polls("2026-12-01-a")).toEqual([
      { poll: "topic", issue: "2026-12-01-a", question: "Какую тему?", answers: ["Дебиторка", "Цена", "Звонки"] },
      { poll: "day", issue: "2026-12-01-a", question: "Какой день?", answers: ["Вторник", "Четверг"], closes: "2026-12-10" },
    ]);
    await store.polls.savePolls("2026-12-08-b", [{ id: "format", question: "Какой формат лучше?", answers: ["Текст", "Видео"] }]);
    expect((await store.polls.poll("format"))?.question).toBe("Какой формат лучше?");
    expect(await store.polls.poll("nope")).toBeUndefined();
  });

  it("one vote per voter and poll: voting again changes it", async () => {
    const topic = (await store.polls.poll("topic"))!;
    expect(await store.polls.vote("topic", "aaaaaaaaaaaaaaaa", 1)).toBe(false);
    expect(await store.polls.vote("topic", "bbbbbbbbbbbbbbbb", 1)).toBe(false);
    expect(await store.polls.vote("topic", "bbbbbbbbbbbbbbbb", 3)).toBe(true);
    expect(await store.polls.counts(topic)).toEqual({ votes: [1, 0, 1], voters: 2 });
    // a vote in another poll is that poll's
    await store.polls.vote("format", "aaaaaaaaaaaaaaaa", 2);
    expect(await store.polls.counts(topic)).toEqual({ votes: [1, 0, 1], voters: 2 });
  });

  it("a closed poll's counts are those up to its end", async () => {
    const day = (await store.polls.poll("day"))!;
    await store.polls.vote("day", "aaaaaaaaaaaaaaaa", 1, "2026-12-10T20:00:00.000Z");
    await store.polls.vote("day", "bbbbbbbbbbbbbbbb", 2, "2026-12-11T08:00:00.000Z");
    expect(await store.polls.counts(day, "2026-12-10T23:59:59.999Z")).toEqual({ votes: [1, 0], voters: 1 });
    expect(await store.polls.counts(day)).toEqual({ votes: [1, 1], voters: 2 });
  });
});
