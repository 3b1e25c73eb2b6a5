/**
 * What the connections to one endpoint teach about it, shared by its main connection and every
 * enumeration connection: whether it has answered at all, how many attempts went unanswered (no
 * greeting, no answer to a ClientHello, each costing a whole step timeout), and how long its dialogue
 * takes before a ClientHello can be sent (a slow greeting, learnt once and planned with).
 *
 * The rule it enforces: until the endpoint has answered once, at most limits.maxSilentAttempts
 * connections are started (the main one included); once that many attempts in a row went
 * unanswered, no more are started.
 */
import { limits } from "../../../core/limits.js";
import { formatMs } from "../../../net/deadline.js";

/** How one attempt ended, as far as the learning is concerned. */
export interface AttemptEnd {
  /** The server sent something (a greeting, a TLS record, an alert, a refusal line) or closed. */
  readonly answered: boolean;
  /** Nothing at all came back before the step timeout. */
  readonly silent: boolean;
}

export class EndpointLearning {
  answered = false;
  /** Unanswered attempts in a row (reset by any answer). */
  private silentInARow = 0;
  /** Connections started while the endpoint had not answered yet. */
  private startsBeforeAnswer = 0;
  private inFlight = 0;
  private waiters: Array<() => void> = [];
  /** Longest time seen from connect to the moment a ClientHello could be sent (greeting, STARTTLS). */
  dialogueMs = 0;

  constructor(private readonly stepTimeoutMs: number) {}

  /** "go": start a connection; "wait": one in flight may still answer; "never": stop asking. */
  mayStart(): "go" | "wait" | "never" {
    if (this.silentInARow >= limits.maxSilentAttempts) return "never";
    if (this.answered) return "go";
    if (this.startsBeforeAnswer < limits.maxSilentAttempts) return "go";
    return this.inFlight > 0 ? "wait" : "never";
  }

  started(): void {
    this.inFlight++;
    if (!this.answered) this.startsBeforeAnswer++;
  }

  /** Records how an attempt ended; `outcome` may be a HelloOutcome or the main connection's end. */
  ended(
    outcome: AttemptEnd | { readonly kind: string; readonly silent?: boolean; readonly how?: string },
  ): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    const end = "answered" in outcome ? outcome : attemptEndOf(outcome);
    if (end.silent) this.silentInARow++;
    else if (end.answered) {
      this.silentInARow = 0;
      this.answered = true;
    }
    this.wakeAll();
  }

  noteDialogue(ms: number): void {
    this.dialogueMs = Math.max(this.dialogueMs, ms);
  }

  /** Resolves on the next change (an attempt ended). */
  changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  silenceMessage(): string {
    return `the server left ${limits.maxSilentAttempts} connections unanswered for ${formatMs(this.stepTimeoutMs)} each: no more are tried`;
  }

  private wakeAll(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

function attemptEndOf(outcome: {
  readonly kind: string;
  readonly silent?: boolean;
  readonly how?: string;
}): AttemptEnd {
  switch (outcome.kind) {
    case "hello":
    case "sslv2":
    case "refused":
    case "inconclusive":
      return { answered: true, silent: false };
    case "dropped":
      return outcome.how === "timeout"
        ? { answered: false, silent: true }
        : { answered: true, silent: false };
    case "throttled":
    case "failed":
      return outcome.silent
        ? { answered: false, silent: true }
        : { answered: outcome.kind === "throttled", silent: false };
    default:
      return { answered: false, silent: false };
  }
}
