/**
 * One probe connection of the prober: connect, replay the service's STARTTLS dialogue (or nothing for
 * implicit TLS), send one raw ClientHello, read the server's first flight, close. At most one
 * connection per call, and its outcome is data (sslyze's "one job, one connection").
 */
import { limits } from "../../../core/limits.js";
import { Deadline } from "../../../net/deadline.js";
import type { Network } from "../../../net/network.js";
import { runDialogue } from "../../dialogue/run-dialogue.js";
import { dialogueFor, type ProbeOptions, type ProbeTarget } from "../../probe/probe-endpoint.js";
import { sslv2Kinds } from "../cipher-suite-registry.js";
import { type ProtocolVersion, suiteName } from "../cipher-suites.js";
import { buildClientHello, buildSslv2ClientHello, type ClientHelloSpec } from "../wire/client-hello.js";
import { frameFirstFlight, type ServerHello } from "../wire/server-flight.js";

export type HelloOutcome =
  | { readonly kind: "hello"; readonly hello: ServerHello }
  | { readonly kind: "sslv2" }
  /** The server declined this hello: an alert, or it closed/reset/went silent after reading it. */
  | {
      readonly kind: "refused";
      readonly how: "alert" | "closed" | "reset" | "timeout" | "garbage";
      readonly message: string;
    }
  /** The server would not let us get as far as a hello: 421/450 greeting, reset or refusal before it. */
  | { readonly kind: "throttled"; readonly message: string }
  /** TCP connect failed: throttling if an earlier connection worked, else the endpoint is down. */
  | { readonly kind: "unreachable"; readonly message: string }
  /** The dialogue itself failed (STARTTLS not offered, connection budget spent, …). */
  | { readonly kind: "failed"; readonly message: string };

export type HelloRequest = Omit<ClientHelloSpec, "serverName" | "random" | "version"> & {
  /** SSLv2 sends an SSL 2.0 CLIENT-HELLO with every SSL 2.0 cipher kind (suites are ignored). */
  readonly version: ProtocolVersion | "SSLv2";
  /** Read on to the ServerKeyExchange (curve, DH size): waits for the server's signature. */
  readonly wantKeyExchange?: boolean;
};

const summary = (request: HelloRequest) =>
  `ClientHello ${request.version}, ${request.cipherSuites.length} suites (${request.cipherSuites
    .slice(0, 3)
    .map(suiteName)
    .join(", ")}${request.cipherSuites.length > 3 ? ", …" : ""}), ${request.groups.length} groups`;

export async function helloExchange(
  target: ProbeTarget,
  address: string,
  request: HelloRequest,
  options: ProbeOptions,
  network: Network,
): Promise<HelloOutcome> {
  const deadline = new Deadline(network.clock, limits.endpointDeadlineMs, options.stepTimeoutMs);
  const connected = await network.connect(address, target.port, deadline.forStep());
  if (!connected.ok) {
    const { reason, message } = connected.failure;
    return reason === "not_allowed" ? { kind: "failed", message } : { kind: "unreachable", message };
  }
  const connection = connected.value;
  try {
    if (target.tlsMode === "starttls") {
      const run = await runDialogue(
        dialogueFor(target, options),
        connection,
        deadline,
        async () => {
          throw new Error("unreachable: stopAtTls");
        },
        false,
        true,
      );
      if (run.failure) {
        const throttled =
          run.failure.reason === "throttled" ||
          run.failure.reason === "reset" ||
          run.failure.reason === "timeout";
        return throttled
          ? { kind: "throttled", message: run.failure.message }
          : { kind: "failed", message: run.failure.message };
      }
    }
    const serverName = /^[\d.]+$|:/.test(target.host) ? undefined : target.host.replace(/\.$/, "");
    const { wantKeyExchange = false, version, ...spec } = request;
    const hello =
      version === "SSLv2"
        ? buildSslv2ClientHello(sslv2Kinds.map(([kind]) => kind))
        : buildClientHello({ ...spec, version, ...(serverName ? { serverName } : {}) });
    connection.writeBytes(hello, summary(request));
    const flight = await connection.read(
      frameFirstFlight({ wantKeyExchange }),
      deadline.forStep(),
      256 * 1024,
      "server first flight",
    );
    if (flight.ok) {
      const value = flight.value;
      if (value.kind === "server-hello") return { kind: "hello", hello: value };
      if (value.kind === "sslv2") return { kind: "sslv2" };
      return { kind: "refused", how: "alert", message: value.name };
    }
    const { reason, message } = flight.failure;
    const how =
      reason === "reset"
        ? "reset"
        : reason === "timeout"
          ? "timeout"
          : reason === "closed"
            ? "closed"
            : "garbage";
    return { kind: "refused", how, message };
  } finally {
    connection.close();
  }
}
