import type { NewsletterConfig } from "../config/schema.js";
import { slugFromTitle } from "../issue/slug.js";

/**
 * A stable id of the newsletter: `<latin-name>.<sender domain>`, e.g.
 * `kak-uvelichit-obyomy-prodazh.prodazhi.example.ru`. It is the List-Id (RFC 2919) and it is mixed
 * into unsubscribe tokens, so a token of one newsletter is refused by another.
 */
export function newsletterId(config: Pick<NewsletterConfig, "name" | "from">): string {
  const domain = config.from.email.split("@")[1]?.toLowerCase() ?? "localhost";
  return `${slugFromTitle(config.name)}.${domain}`;
}
