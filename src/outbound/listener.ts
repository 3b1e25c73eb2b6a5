/**
 * The receiving endpoint of the outbound test: one `smtp-server` per certificate variant, each on its
 * own address under its own MX name. It accepts mail only for live test addresses of its own variant
 * domain (no relaying: everything else is refused at RCPT), records how each message arrived —
 * sending address and PTR name, EHLO, STARTTLS, version, suite, group, client certificate, time — and
 * discards the message. Every phase has a timeout and every resource a bound (core/limits.ts).
 */
import { promises as dns } from "node:dns";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import {
  SMTPServer,
  type SMTPServerAddress,
  type SMTPServerDataStream,
  type SMTPServerOptions,
  type SMTPServerSession,
} from "smtp-server";
import { outboundLimits } from "../core/limits.js";
import { Admission } from "./admission.js";
import type { OutboundConfig } from "./config.js";
import type { ReceivedMessage } from "./model.js";
import type { OutboundStore } from "./outbound-store.js";
import { type ReverseLookup, type ReverseName, reverseName } from "./reverse-name.js";
import { testLocalPart } from "./test-address.js";
import { type SessionTls, sessionTls } from "./tls-session.js";
import type { VariantConfig } from "./variant.js";

export type OutboundLimits = { -readonly [K in keyof typeof outboundLimits]: number };

export interface ListenerOptions {
  readonly store: Pick<OutboundStore, "activeTest" | "recordMessage">;
  readonly now?: () => Date;
  readonly reverse?: ReverseLookup;
  readonly limits?: Partial<OutboundLimits>;
  /** One line per notable event (refusals, records); nothing of the message content. */
  readonly log?: (line: string) => void;
}

export interface ListeningVariant {
  readonly kind: VariantConfig["kind"];
  readonly domain: string;
  readonly mxHost: string;
  readonly host: string;
  readonly port: number;
}

export interface OutboundListener {
  readonly variants: readonly ListeningVariant[];
  /** Sessions open now over all variants. */
  connections(): number;
  close(): Promise<void>;
}

/** A reply with its code (smtp-server sends `responseCode` and the message). */
const reply = (code: number, message: string): Error & { responseCode: number } =>
  Object.assign(new Error(message), { responseCode: code });

interface SessionState {
  readonly ip: string;
  readonly reverse: Promise<ReverseName>;
  readonly timer: NodeJS.Timeout;
  tls: SessionTls | null;
  rejected: number;
  messages: number;
  /** The test of the transaction's accepted recipient. */
  testId: number | null;
}

export async function startOutboundListener(
  config: OutboundConfig,
  options: ListenerOptions,
): Promise<OutboundListener> {
  const limits: OutboundLimits = { ...outboundLimits, ...options.limits };
  const now = options.now ?? (() => new Date());
  const lookup = options.reverse ?? ((ip: string) => dns.reverse(ip));
  const log = options.log ?? (() => {});
  const admission = new Admission(limits);
  const servers: { server: SMTPServer; variant: ListeningVariant }[] = [];
  try {
    for (const v of config.variants) {
      const server = variantServer(v, { ...options, limits, now, lookup, log, admission });
      const address = await listen(server, v.listen.host, v.listen.port);
      servers.push({
        server,
        variant: { kind: v.kind, domain: v.domain, mxHost: v.mxHost, host: address.host, port: address.port },
      });
    }
  } catch (error) {
    await Promise.all(servers.map((s) => closeServer(s.server)));
    throw error;
  }
  return {
    variants: servers.map((s) => s.variant),
    connections: () => admission.connections,
    close: async () => {
      await Promise.all(servers.map((s) => closeServer(s.server)));
    },
  };
}

function listen(server: SMTPServer, host: string, port: number): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.server.once("error", onError);
    server.listen(port, host, () => {
      server.server.off("error", onError);
      const a = server.server.address();
      resolve({ host, port: typeof a === "object" && a ? a.port : port });
    });
  });
}

function closeServer(server: SMTPServer): Promise<void> {
  return new Promise((resolve) => {
    if (!server.server.listening) return resolve();
    server.close(() => resolve());
  });
}

interface Context extends ListenerOptions {
  readonly limits: OutboundLimits;
  readonly now: () => Date;
  readonly lookup: ReverseLookup;
  readonly log: (line: string) => void;
  readonly admission: Admission;
}

function variantServer(v: VariantConfig, ctx: Context): SMTPServer {
  const sessions = new Map<string, SessionState>();
  const { limits } = ctx;
  const tlsOptions: Partial<SMTPServerOptions> = v.tls
    ? {
        key: v.tls.keyPem,
        cert: v.tls.certPem,
        // Observe what the sender does, old versions included (they are judged, not refused):
        // OpenSSL's security level 0 lets TLS 1.0/1.1 and their suites be negotiated.
        minVersion: "TLSv1",
        ciphers: "DEFAULT:@SECLEVEL=0",
        // A client certificate is asked for and recorded, never required (RFC 3207 §4.1).
        requestCert: true,
        rejectUnauthorized: false,
      }
    : {};
  const server: SMTPServer = new SMTPServer({
    name: v.mxHost,
    banner: "mailcharter outbound TLS test; messages are recorded and discarded",
    size: limits.maxMessageBytes,
    authOptional: true,
    // RFC 3207 §4: no STARTTLS at all on the no-starttls variant (not advertised, command refused).
    disabledCommands: v.tls ? ["AUTH"] : ["AUTH", "STARTTLS"],
    hideSTARTTLS: v.tls === null,
    disableReverseLookup: true,
    socketTimeout: limits.idleMs,
    closeTimeout: 2_000,
    maxClients: limits.maxConnections,
    logger: false,
    ...tlsOptions,
    onConnect(session, callback) {
      const ip = session.remoteAddress;
      const admitted = ctx.admission.admit(ip, ctx.now().getTime());
      if (!admitted.ok) {
        ctx.log(`outbound ${v.kind}: ${ip} refused (${admitted.reason})`);
        return callback(reply(421, `4.7.0 Too many connections, try again later (${admitted.reason})`));
      }
      const timer = setTimeout(() => {
        const connection = [...server.connections].find((c) => c.id === session.id);
        connection?.send(421, "4.4.2 Session too long, closing");
        connection?.close();
      }, limits.sessionMs);
      timer.unref();
      sessions.set(session.id, {
        ip,
        reverse: reverseName(ip, ctx.lookup, limits.reverseLookupMs),
        timer,
        tls: null,
        rejected: 0,
        messages: 0,
        testId: null,
      });
      callback();
    },
    onSecure(socket: Socket | TLSSocket, session, callback) {
      const state = sessions.get(session.id);
      if (state) state.tls = sessionTls(socket as TLSSocket);
      callback();
    },
    onMailFrom(_address, session, callback) {
      const state = sessions.get(session.id);
      if (!state) return callback(reply(421, "4.3.0 Session not admitted"));
      if (state.messages >= limits.maxMessagesPerSession)
        return callback(reply(421, "4.7.0 Too many messages in one session"));
      state.testId = null;
      callback();
    },
    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback) {
      const state = sessions.get(session.id);
      if (!state) return callback(reply(421, "4.3.0 Session not admitted"));
      const refuse = (code: number, text: string) => {
        state.rejected += 1;
        if (state.rejected >= limits.maxRejectedRecipients) {
          ctx.log(`outbound ${v.kind}: ${state.ip} closed after ${state.rejected} refused recipients`);
          return callback(reply(421, "4.7.0 Too many refused recipients, closing"));
        }
        callback(reply(code, text));
      };
      if (session.envelope.rcptTo.length >= limits.maxRecipients)
        return callback(reply(452, "4.5.3 Too many recipients"));
      const local = testLocalPart(address.address, v.domain);
      // RFC 5321 §3.6.2 / §7.1: a test endpoint relays nothing; only live test addresses are taken.
      if (local === null) return refuse(550, "5.7.1 Relaying denied: not a test address of this domain");
      ctx.store.activeTest(local, ctx.now()).then(
        (test) => {
          if (!test?.addresses.some((a) => a.kind === v.kind))
            return refuse(550, "5.1.1 No such test address (unknown or expired)");
          state.testId = test.id;
          callback();
        },
        (error: unknown) => {
          ctx.log(`outbound ${v.kind}: store unavailable at RCPT: ${String(error)}`);
          callback(reply(451, "4.3.0 Temporary failure, try again later"));
        },
      );
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const state = sessions.get(session.id);
      let bytes = 0;
      // The message is read and thrown away: only its size is kept.
      stream.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
      });
      stream.on("end", () => {
        if (!state || state.testId === null) return callback(reply(554, "5.5.1 No valid recipient"));
        if (stream.sizeExceeded)
          return callback(reply(552, `5.3.4 Message exceeds the limit of ${limits.maxMessageBytes} bytes`));
        const testId = state.testId;
        state.messages += 1;
        state.testId = null;
        void state.reverse
          .then((reverse) => {
            const message: ReceivedMessage = {
              testId,
              variant: v.kind,
              receivedAt: ctx.now().toISOString(),
              remoteAddress: state.ip,
              reverseName: reverse.name,
              reverseLookup: reverse.lookup,
              ehlo: String(session.hostNameAppearsAs ?? ""),
              mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
              starttls: session.secure === true && state.tls !== null,
              tlsVersion: session.secure ? (state.tls?.version ?? null) : null,
              cipherSuite: session.secure ? (state.tls?.cipherSuite ?? null) : null,
              group: null,
              clientCertificate: session.secure ? (state.tls?.clientCertificate ?? null) : null,
              sizeBytes: bytes,
            };
            return ctx.store.recordMessage(message).then(() => message);
          })
          .then(
            (m) => {
              ctx.log(
                `outbound ${v.kind}: test ${testId} message from ${m.remoteAddress} (${m.starttls ? `${m.tlsVersion} ${m.cipherSuite}` : "clear text"}) recorded`,
              );
              callback(null, `2.6.0 Recorded for test ${testId} and discarded`);
            },
            (error: unknown) => {
              ctx.log(`outbound ${v.kind}: could not record a message of test ${testId}: ${String(error)}`);
              callback(reply(451, "4.3.0 Could not record, try again later"));
            },
          );
      });
    },
    onClose(session) {
      const state = sessions.get(session.id);
      if (!state) return;
      clearTimeout(state.timer);
      sessions.delete(session.id);
      ctx.admission.release(state.ip);
    },
  });
  // Client errors (resets, garbage, handshake failures) end that session only.
  server.on("error", (error) => ctx.log(`outbound ${v.kind}: ${error.message}`));
  return server;
}
