/**
 * One probe connection of the prober: connect, replay the service's STARTTLS dialogue (or nothing for
 * implicit TLS), send one raw ClientHello, read the server's first flight, close. At most one
 * connection per call, and its outcome is data (sslyze's "one job, one connection").
 *
 * A conclusion about the hello is drawn only from an answer that means one: a ServerHello, or an
 * alert (`refused`). A connection closed, reset or left silent after the hello is `dropped` (some
 * servers, Dovecot among them, close instead of alerting; the enumeration decides what that means);
 * a refusal line instead of TLS is `throttled`; anything else is `inconclusive` — never a refusal.
 *
 * The prober knows nothing of services: the caller hands it the dialogue to replay, so dependencies
 * point one way (probe → prober → dialogue → network).
 */
import { limits } from "../../../core/limits.js";
import type { Deadline } from "../../../net/deadline.js";
import type { Network } from "../../../net/network.js";
import type { Dialogue } from "../../dialogue/dialogue.js";
import { runDialogue } from "../../dialogue/run-dialogue.js";
import { sslv2Kinds } from "../cipher-suite-registry.js";
import { type ProtocolVersion, suiteName } from "../cipher-suites.js";
import { buildClientHello, buildSslv2ClientHello, type ClientHelloSpec } from "../wire/client-hello.js";
import { frameFirstFlight, type ServerHello } from "../wire/server-flight.js";

/** Why an enumeration stopped before every question was answered. */
export type IncompleteReason = "deadline" | "throttled" | "unanswered" | "budget" | "inconclusive" | "error";

export type HelloOutcome =
  | { readonly kind: "hello"; readonly hello: ServerHello }
  | { readonly kind: "sslv2" }
  /** The server declined this hello with an alert (RFC 8446 §6.2): a conclusion. */
  | { readonly kind: "refused"; readonly how: "alert"; readonly message: string }
  /** The server closed, reset or went silent after reading the hello, without an alert. */
  | { readonly kind: "dropped"; readonly how: "closed" | "reset" | "timeout"; readonly message: string }
  /** Bytes that are neither TLS nor a refusal line, or a flight cut short: no conclusion. */
  | { readonly kind: "inconclusive"; readonly message: string }
  /** The server would not let us get as far as a hello: a 421/450 greeting, a refusal line instead of
   * a ServerHello, a reset or silence before it. `silent`: nothing at all came back. */
  | { readonly kind: "throttled"; readonly message: string; readonly silent?: boolean }
  /** TCP connect failed: throttling if an earlier connection worked, else the endpoint is down. */
  | { readonly kind: "unreachable"; readonly message: string }
  /** The dialogue itself failed (STARTTLS not offered, not TLS at all, …). */
  | { readonly kind: "failed"; readonly message: string; readonly silent?: boolean }
  /** The asker started no connection: deadline, budget, or an endpoint that never answers. */
  | { readonly kind: "stopped"; readonly reason: IncompleteReason; readonly message: string };

export type HelloRequest = Omit<ClientHelloSpec, "serverName" | "random" | "version"> & {
  /** SSLv2 sends an SSL 2.0 CLIENT-HELLO with every SSL 2.0 cipher kind (suites are ignored). */
  readonly version: ProtocolVersion | "SSLv2";
  /** Read on to the ServerKeyExchange (curve, DH size): the same flight, no extra round trip. */
  readonly wantKeyExchange?: boolean;
  /** Read on to the Certificate message, for the chain the server sends. */
  readonly wantCertificate?: boolean;
};

// biome-ignore lint/suspicious/noExplicitAny: the dialogue's own types are erased at this boundary
export type ReplayDialogue = Dialogue<any, any, any, unknown>;

/** Where and how to say hello; built by the probe layer. */
export interface HelloTarget {
  readonly address: string;
  readonly port: number;
  /** SNI (RFC 6066 §3); absent for IP literals. */
  readonly serverName?: string;
  /** The service dialogue replayed up to the STARTTLS go-ahead; null for implicit TLS. */
  readonly starttls: (() => ReplayDialogue) | null;
}

const summary = (request: HelloRequest) =>
  `ClientHello ${request.version}, ${request.cipherSuites.length} suites (${request.cipherSuites
    .slice(0, 3)
    .map(suiteName)
    .join(", ")}${request.cipherSuites.length > 3 ? ", …" : ""}), ${request.groups.length} groups`;

export async function helloExchange(
  target: HelloTarget,
  request: HelloRequest,
  deadline: Deadline,
  network: Network,
  /** Told how long the dialogue before the hello took (a slow greeting is learnt). */
  onDialogue: (ms: number) => void = () => {},
): Promise<HelloOutcome> {
  if (deadline.expired())
    return { kind: "stopped", reason: "deadline", message: `${deadline.describe()} reached` };
  const connected = await network.connect(target.address, target.port, deadline.forStep(), deadline);
  if (!connected.ok) {
    const { reason, message } = connected.failure;
    if (reason === "not_allowed") return { kind: "failed", message };
    if (deadline.expired())
      return { kind: "stopped", reason: "deadline", message: `${message} (${deadline.describe()} reached)` };
    return { kind: "unreachable", message };
  }
  const connection = connected.value;
  const opened = network.clock.now();
  try {
    if (target.starttls) {
      const run = await runDialogue(
        target.starttls(),
        connection,
        deadline,
        async () => {
          throw new Error("unreachable: stopAtTls");
        },
        false,
        true,
      );
      if (run.failure) {
        const { step, reason, message } = run.failure;
        if (deadline.expired())
          return {
            kind: "stopped",
            reason: "deadline",
            message: `${message} (${deadline.describe()} reached)`,
          };
        const silent = reason === "timeout" && connection.pending().length === 0;
        // The main connection got through: a refusal, reset, close or silence now is pushback.
        const pushback =
          reason === "throttled" ||
          reason === "reset" ||
          reason === "timeout" ||
          (step === "greeting" && (reason === "rejected" || reason === "closed"));
        return pushback ? { kind: "throttled", message, silent } : { kind: "failed", message, silent };
      }
      onDialogue(network.clock.now() - opened);
    }
    const { wantKeyExchange = false, wantCertificate = false, version, ...spec } = request;
    const hello =
      version === "SSLv2"
        ? buildSslv2ClientHello(sslv2Kinds.map(([kind]) => kind))
        : buildClientHello({
            ...spec,
            version,
            ...(target.serverName ? { serverName: target.serverName } : {}),
          });
    connection.writeBytes(hello, summary(request));
    const flight = await connection.read(
      frameFirstFlight({ wantKeyExchange, wantCertificate }),
      deadline.forStep(),
      limits.maxFirstFlightBytes,
      "server first flight",
    );
    if (flight.ok) {
      const value = flight.value;
      switch (value.kind) {
        case "server-hello":
          return { kind: "hello", hello: value };
        case "sslv2":
          return { kind: "sslv2" };
        case "alert":
          return { kind: "refused", how: "alert", message: value.name };
        case "plaintext":
          return value.refusal
            ? { kind: "throttled", message: `the server answered the ClientHello with "${value.line}"` }
            : { kind: "failed", message: `the server sent text instead of TLS: "${value.line}"` };
      }
    }
    const { reason, message } = flight.failure;
    const received = connection.pending().length > 0;
    if (reason === "timeout" && deadline.expired() && !received) {
      return { kind: "stopped", reason: "deadline", message: `${message} (${deadline.describe()})` };
    }
    if (!received && (reason === "reset" || reason === "timeout" || reason === "closed")) {
      return { kind: "dropped", how: reason, message };
    }
    return { kind: "inconclusive", message };
  } finally {
    connection.close();
  }
}
