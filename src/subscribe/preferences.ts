import type { NewsletterConfig } from "../config/schema.js";
import type { Subscriber, SubscriberStore } from "../state/subscribers.js";

/**
 * The preference page's decisions (docs/audiences.md), free of HTTP: what the page shows for a reader, and
 * what a POST changes. `serve` wires them to `GET|POST /preferences?token=…` (src/server/preferences.ts).
 */
export type PreferencesConfig = Pick<NewsletterConfig, "topics">;

export interface TopicChoice {
  id: string;
  title: string;
  checked: boolean;
}

export type PreferencesView =
  /** A subscriber: their topics as checkboxes (a reader who never chose sees the default ones ticked). */
  | { kind: "topics"; topics: TopicChoice[] }
  /** A reader of a list rassylka does not keep (a CSV): only "unsubscribe from everything". */
  | { kind: "not-subscriber" }
  /** Unsubscribed (from the list, or suppressed): nothing to choose. */
  | { kind: "unsubscribed" };

export function topicChoices(config: PreferencesConfig, chosen: readonly string[] | null): TopicChoice[] {
  return (config.topics ?? []).map((x) => ({ id: x.id, title: x.title, checked: chosen ? chosen.includes(x.id) : x.default }));
}

/** What the page shows `email`. */
export async function preferencesView(
  config: PreferencesConfig,
  store: Pick<SubscriberStore, "get">,
  suppressed: boolean,
  email: string,
): Promise<PreferencesView> {
  if (suppressed) return { kind: "unsubscribed" };
  const s: Subscriber | undefined = await store.get(email);
  if (!s) return { kind: "not-subscriber" };
  if (s.status === "unsubscribed") return { kind: "unsubscribed" };
  return { kind: "topics", topics: topicChoices(config, s.topics) };
}

/** The form's `topic` fields → the known topic ids among them (anything else is dropped). */
export function chosenTopics(config: PreferencesConfig, body: unknown): string[] {
  const raw = body && typeof body === "object" ? (body as Record<string, unknown>).topic : undefined;
  const given = (Array.isArray(raw) ? raw : [raw]).filter((x): x is string => typeof x === "string");
  return (config.topics ?? []).map((x) => x.id).filter((id) => given.includes(id));
}

/** `POST` with `action=save`: the reader's topics become the ticked ones, recorded with time and source. */
export async function savePreferences(
  config: PreferencesConfig,
  store: Pick<SubscriberStore, "setTopics">,
  email: string,
  topics: readonly string[],
  at: string,
): Promise<PreferencesView> {
  if (!(await store.setTopics(email, topics, { at, source: "preferences" }))) return { kind: "not-subscriber" };
  return { kind: "topics", topics: topicChoices(config, topics) };
}
