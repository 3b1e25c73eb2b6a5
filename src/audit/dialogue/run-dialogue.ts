/**
 * The thin session: drives a pure dialogue over a Connection. It owns nothing but the loop; every
 * decision is the dialogue's, every byte goes through the seam. A misbehaving server ends the run with
 * a failure naming the step; it never throws.
 */
import type { Connection, TlsPeerInfo } from "../../net/connection.js";
import type { Deadline } from "../../net/deadline.js";
import type { NetFailureReason, NetResult } from "../../net/outcome.js";
import type { Dialogue, DialogueFailureReason, ProbeStep } from "./dialogue.js";

export type FailureReason = NetFailureReason | DialogueFailureReason;

export interface StepFailure {
  readonly step: ProbeStep;
  readonly reason: FailureReason;
  readonly message: string;
}

/** Plaintext the server sent after its "go ahead" for STARTTLS, before the handshake. */
export interface PlaintextInjection {
  readonly bytes: number;
  readonly preview: string;
}

export interface DialogueRun<F> {
  readonly facts: F;
  readonly tls: TlsPeerInfo | null;
  readonly failure: StepFailure | null;
  readonly injection: PlaintextInjection | null;
}

export type StartTls = () => Promise<NetResult<TlsPeerInfo>>;

const withCrlf = (command: string) => (command.endsWith("\r\n") ? command : `${command}\r\n`);

export async function runDialogue<S, R, E, F>(
  dialogue: Dialogue<S, R, E, F>,
  connection: Connection,
  deadline: Deadline,
  startTls: StartTls,
  tlsActive: boolean,
  /** Stop at the STARTTLS go-ahead, leaving the socket to the caller (the raw-handshake prober). */
  stopAtTls = false,
): Promise<DialogueRun<F>> {
  let { state, action } = dialogue.start(tlsActive);
  let tls: TlsPeerInfo | null = null;
  let injection: PlaintextInjection | null = null;
  const end = (failure: StepFailure | null): DialogueRun<F> => ({
    facts: dialogue.facts(state),
    tls,
    failure,
    injection,
  });

  for (;;) {
    switch (action.kind) {
      case "done":
        return end(null);
      case "fail":
        return end({ step: action.step, reason: action.reason, message: action.message });
      case "starttls": {
        // RFC 3207 §5 / CVE-2011-0411 family: bytes after the server's go-ahead and before the
        // handshake must not be read as if they came over TLS. We discard them and report them.
        const leftover = connection.pending();
        if (leftover.length > 0) {
          injection = { bytes: leftover.length, preview: leftover.toString("latin1", 0, 80) };
          connection.transcript.add(
            "*",
            `${leftover.length} bytes of plaintext after the STARTTLS go-ahead: discarded`,
          );
        }
        if (stopAtTls) {
          connection.discardPending();
          return end(null);
        }
        const result = await startTls();
        if (!result.ok) return end({ step: "handshake", ...result.failure });
        tls = result.value;
        ({ state, action } = dialogue.step(state, { kind: "tls-ready" }));
        break;
      }
      case "read":
      case "send": {
        if (action.kind === "send") connection.write(withCrlf(action.command));
        if (deadline.expired()) {
          return end({
            step: action.step,
            reason: "timeout",
            message: `${action.what}: endpoint deadline passed`,
          });
        }
        const reply = await connection.read(
          dialogue.framer(action.expect),
          deadline.forStep(),
          dialogue.maxReplyBytes,
          action.what,
        );
        if (!reply.ok) {
          if (action.kind === "send" && action.optional) return end(null);
          return end({ step: action.step, ...reply.failure });
        }
        ({ state, action } = dialogue.step(state, { kind: "reply", reply: reply.value }));
        break;
      }
    }
  }
}
