// Which member coordinates: each member votes for the lowest id it can see,
// and a coordinator acts only while more than half of the group's size votes
// for it. A vote binds: having published a vote for X at time t, a member
// votes for no one else before t + voteMs·(1 + drift), and the coordinator
// counts the vote only until (its own message the vote echoes) + voteMs, so
// two members can never both hold a majority. A member that just booted
// votes for no one until its quarantine ends.

import { quarantineMs, type GroupTiming } from './timing';

export class Ballot {
  readonly #timing: GroupTiming;
  readonly #bootAt: number;
  readonly #lastVoted = new Map<string, number>();
  #vote: string | null = null;

  constructor(timing: GroupTiming, bootAt: number) {
    this.#timing = timing;
    this.#bootAt = bootAt;
  }

  /** The vote to publish at `now` for the member this one would like (null: abstain). */
  cast(candidate: string | null, now: number): string | null {
    const t = this.#timing;
    if (now - this.#bootAt < quarantineMs(t)) candidate = null;
    if (candidate !== null) {
      const bound = t.voteMs * (1 + t.drift);
      for (const [id, at] of this.#lastVoted) if (id !== candidate && now < at + bound) candidate = null;
    }
    this.#vote = candidate;
    if (candidate !== null) this.#lastVoted.set(candidate, now);
    return candidate;
  }

  get vote(): string | null {
    return this.#vote;
  }
}
