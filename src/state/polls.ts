import { bulk, type Db, isoNow, sql } from "./sql.js";

/**
 * Polls and their votes (docs/polls.md), over the SQL seam: one text for both databases. A vote is an
 * upsert on (poll, voter): voting again changes the answer, never adds a voter.
 */
export interface PollRecord {
  poll: string;
  issue: string;
  question: string;
  /** JSON text: the answers in order. */
  answers: string;
  /** YYYY-MM-DD or null. */
  closes: string | null;
  updated_at: string;
}

export interface VoteRecord {
  poll: string;
  voter: string;
  answer: number;
  updated_at: string;
}

export interface StoredPoll {
  poll: string;
  issue: string;
  question: string;
  answers: string[];
  closes?: string;
}

export interface PollCounts {
  /** Votes per answer, answer 1 at index 0. */
  votes: number[];
  /** Readers who voted (each once, whatever they changed). */
  voters: number;
}

export interface PollStore {
  /** An issue's polls as its send starts; a poll kept already is brought up to date. */
  savePolls(issue: string, polls: readonly { id: string; question: string; answers: string[]; closes?: string }[]): Promise<void>;
  poll(poll: string): Promise<StoredPoll | undefined>;
  /** Every poll, or an issue's, in the order they were first kept. */
  polls(issue?: string): Promise<StoredPoll[]>;
  /** Records (or changes) a voter's answer, committed before it returns; true when the voter had voted before. */
  vote(poll: string, voter: string, answer: number, at?: string): Promise<boolean>;
  /** The votes of a poll up to `until` (ISO time: a closed poll's results stay as they were). */
  counts(poll: StoredPoll, until?: string): Promise<PollCounts>;
}

function stored(r: PollRecord): StoredPoll {
  return {
    poll: r.poll,
    issue: r.issue,
    question: r.question,
    answers: JSON.parse(r.answers) as string[],
    ...(r.closes ? { closes: r.closes } : {}),
  };
}

export class SqlPolls implements PollStore {
  constructor(private readonly db: Db) {}

  async savePolls(issue: string, polls: readonly { id: string; question: string; answers: string[]; closes?: string }[]): Promise<void> {
    if (!polls.length) return;
    const now = isoNow();
    const rows = polls.map((p) => [p.id, issue, p.question, JSON.stringify(p.answers), p.closes ?? null, now]);
    await this.db.run(
      sql`INSERT INTO polls (poll, issue, question, answers, closes, updated_at) VALUES ${bulk(rows)}
          ON CONFLICT (poll) DO UPDATE SET issue = excluded.issue, question = excluded.question, answers = excluded.answers,
          closes = excluded.closes, updated_at = excluded.updated_at`,
    );
  }

  async poll(poll: string): Promise<StoredPoll | undefined> {
    const r = await this.db.get<PollRecord>(sql`SELECT poll, issue, question, answers, closes, updated_at FROM polls WHERE poll = ${poll}`);
    return r && stored(r);
  }

  async polls(issue?: string): Promise<StoredPoll[]> {
    const where = issue === undefined ? sql`` : sql`WHERE issue = ${issue}`;
    const key = this.db.dialect.pageKey("polls");
    return (
      await this.db.all<PollRecord>(sql`SELECT poll, issue, question, answers, closes, updated_at FROM polls ${where} ORDER BY ${key}`)
    ).map(stored);
  }

  async vote(poll: string, voter: string, answer: number, at = isoNow()): Promise<boolean> {
    return this.db.tx(
      async (t) => {
        const before = await t.get(sql`SELECT answer FROM poll_votes WHERE poll = ${poll} AND voter = ${voter}`);
        await t.run(
          sql`INSERT INTO poll_votes (poll, voter, answer, updated_at) VALUES (${poll}, ${voter}, ${answer}, ${at})
            ON CONFLICT (poll, voter) DO UPDATE SET answer = excluded.answer, updated_at = excluded.updated_at`,
        );
        return before !== undefined;
      },
      [`poll:${poll}:${voter}`],
    );
  }

  async counts(poll: StoredPoll, until?: string): Promise<PollCounts> {
    const limit = until === undefined ? sql`` : sql`AND updated_at <= ${until}`;
    const rows = await this.db.all<{ answer: number; n: number }>(
      sql`SELECT answer, count(*) AS n FROM poll_votes WHERE poll = ${poll.poll} ${limit} GROUP BY answer`,
    );
    const votes = poll.answers.map(() => 0);
    let voters = 0;
    for (const r of rows) {
      const n = Number(r.n);
      voters += n;
      if (r.answer >= 1 && r.answer <= votes.length) votes[r.answer - 1] = n;
    }
    return { votes, voters };
  }
}
