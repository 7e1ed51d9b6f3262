import { addressKey } from "../identity/address.js";
import { bulk, type Db, sql } from "./sql.js";

/**
 * Who was in each topic's Sendsay list when `rassylka sendsay sync` last read it (migration 14,
 * src/campaign/topic-sync.ts): what tells a reader who left the list in Sendsay from one never added.
 */
export class SqlSendsayLists {
  constructor(private readonly db: Db) {}

  /** The reader keys the last sync saw in the topic's list `group` (empty before the first). */
  async members(topic: string, group: string): Promise<Set<string>> {
    const rows = await this.db.all<{ email: string }>(
      sql`SELECT email FROM sendsay_list_members WHERE topic = ${topic} AND group_id = ${group}`,
    );
    return new Set(rows.map((r) => r.email));
  }

  /** The topic's list as this sync leaves it, in one transaction; a topic mapped to another list starts afresh. */
  async replace(topic: string, group: string, emails: Iterable<string>, at: string): Promise<void> {
    const keys = [...new Set([...emails].map(addressKey))];
    await this.db.tx(async (t) => {
      await t.run(sql`DELETE FROM sendsay_list_members WHERE topic = ${topic}`);
      for (let i = 0; i < keys.length; i += 500)
        await t.run(
          sql`INSERT INTO sendsay_list_members (topic, group_id, email, seen_at) VALUES ${bulk(keys.slice(i, i + 500).map((e) => [topic, group, e, at]))}`,
        );
    });
  }
}
