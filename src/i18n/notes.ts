import { type Lang, language, translator } from "./index.js";

/**
 * A sentence of ours that is kept in the state and read later, perhaps by an editor of another
 * language: the ledger's last reply of a reader (`gave up after 3 attempts…`), a schedule row's note
 * (`late by 12 min`), a stopped send's reason. It is stored as data — a stable code (a key of the
 * `notes` catalogue), its parameters and the server's raw reply — and written out in the reader's
 * language only when shown (`noteText`). Rows written before notes were data hold plain English text:
 * they are shown as they are.
 */
export type NoteParams = Record<string, string | number>;

export interface Note {
  code: string;
  params: NoteParams;
}

/** The stored form: JSON `{"note": code, …params}`. No server reply starts with `{"note":`. */
export function storeNote(code: string, params: NoteParams = {}): string {
  return JSON.stringify({ note: code, ...params });
}

/** The note a stored text holds, or undefined for plain text (a server's reply, an older row's English). */
export function readNote(stored: string | null | undefined): Note | undefined {
  if (!stored?.startsWith('{"note":')) return undefined;
  try {
    const { note, ...params } = JSON.parse(stored) as { note: unknown } & NoteParams;
    return typeof note === "string" ? { code: note, params } : undefined;
  } catch {
    return undefined;
  }
}

/** 90 s → "90 s", 7200 s → "2 h" ("90 с", "2 ч"), in `lang`. */
export function durationText(ms: number, lang: Lang = language()): string {
  const tr = translator(lang);
  if (ms < 120_000) return tr.t("notes:duration.s", { n: tr.number(Math.round(ms / 1000)) });
  if (ms < 2 * 3600_000) return tr.t("notes:duration.min", { n: tr.number(Math.round(ms / 60_000)) });
  return tr.t("notes:duration.h", { n: tr.number(Math.round(ms / 3600_000)) });
}

/**
 * A stored text as a person reads it, in `lang` (the editor's by default): a note through the `notes`
 * catalogue, anything else (a server's reply, an older row's English) as it is. A note nested in a
 * parameter (`response`) is written out too; `overMs` is written as a duration, `where` defaults to
 * "the SMTP server".
 */
export function noteText(stored: string, lang?: Lang): string;
export function noteText(stored: string | null | undefined, lang?: Lang): string | undefined;
export function noteText(stored: string | null | undefined, lang: Lang = language()): string | undefined {
  const note = readNote(stored);
  if (!note) return stored ?? undefined;
  const tr = translator(lang);
  const p: Record<string, unknown> = { ...note.params };
  if (typeof p.response === "string") p.response = noteText(p.response, lang);
  if (typeof p.overMs === "number") p.over = durationText(p.overMs, lang);
  if (note.code.startsWith("smtp/") && p.where === undefined) p.where = tr.t("notes:smtp/server");
  return tr.t(`notes:${note.code}`, p);
}
