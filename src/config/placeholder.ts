/**
 * The domain `rassylka init` fills in where it cannot know the newsletter's own: the archive's address,
 * the sender, the unsubscribe endpoint. It is not one of the names reserved for examples (RFC 2606), so
 * `lint/links` does not take it for an error; `lint/placeholder` warns wherever it is still in use.
 */
export const PLACEHOLDER_HOST = "change-me.example.ru";

/** An address or URL on the placeholder domain. */
export function isPlaceholder(value: string): boolean {
  return value.toLowerCase().includes(PLACEHOLDER_HOST);
}
