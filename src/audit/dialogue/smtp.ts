/**
 * SMTP dialogue for MX (port 25) and submission (587 STARTTLS, 465 implicit TLS).
 *
 *   greeting ─220─▶ EHLO ─250─▶ STARTTLS ─220─▶ [TLS] ─▶ EHLO ─250─▶ QUIT
 *                      └─5xx─▶ HELO (no extensions, so no STARTTLS)
 *
 * RFC 5321 §3.1 (greeting, 421/554), §4.1.4 (HELO fallback); RFC 3207 §4 (STARTTLS → 220/454/501),
 * §4.2 (after TLS the client MUST discard knowledge and re-issue EHLO; the server MUST NOT advertise
 * STARTTLS again). Whether AUTH is offered before TLS is recorded (RFC 4954 §4: mechanisms that send
 * passwords in the clear should not be offered on an unencrypted channel).
 */
import { limits } from "../../core/limits.js";
import type { Framer } from "../../net/framer.js";
import type { Action, Dialogue, DialogueEvent, Transition } from "./dialogue.js";
import {
  type EhloCapabilities,
  frameSmtpReply,
  parseEhlo,
  SmtpCode,
  type SmtpReply,
  smtpReplyText,
} from "./smtp-reply.js";

export interface SmtpFacts {
  readonly greeting: { readonly code: number; readonly lines: readonly string[] } | null;
  readonly ehloBeforeTls: EhloCapabilities | null;
  readonly heloFallback: boolean;
  readonly starttlsAdvertised: boolean | null;
  readonly starttlsReply: string | null;
  readonly authBeforeTls: readonly string[] | null;
  readonly ehloAfterTls: EhloCapabilities | null;
  /** RFC 3207 §4.2 violation: STARTTLS advertised again after the handshake. */
  readonly starttlsAdvertisedAfterTls: boolean | null;
  readonly authAfterTls: readonly string[] | null;
}

type Phase = "greeting" | "ehlo" | "helo" | "starttls" | "ehlo-tls" | "quit";

export interface SmtpState {
  readonly phase: Phase;
  readonly wantTls: boolean;
  readonly tlsActive: boolean;
  readonly ehloName: string;
  readonly facts: SmtpFacts;
}

const emptyFacts: SmtpFacts = {
  greeting: null,
  ehloBeforeTls: null,
  heloFallback: false,
  starttlsAdvertised: null,
  starttlsReply: null,
  authBeforeTls: null,
  ehloAfterTls: null,
  starttlsAdvertisedAfterTls: null,
  authAfterTls: null,
};

type Next = Transition<SmtpState, null>;

const quit = (state: SmtpState, facts: SmtpFacts): Next => ({
  state: { ...state, phase: "quit", facts },
  action: {
    kind: "send",
    command: "QUIT",
    expect: null,
    step: "post-tls",
    what: "QUIT reply",
    optional: true,
  },
});

const failWith = (state: SmtpState, action: Extract<Action<null>, { kind: "fail" }>): Next => ({
  state,
  action,
});

function onGreeting(state: SmtpState, reply: SmtpReply): Next {
  const facts = { ...state.facts, greeting: { code: reply.code, lines: reply.lines } };
  const next = { ...state, facts };
  if (reply.code === SmtpCode.serviceReady) {
    return {
      state: { ...next, phase: "ehlo" },
      action: {
        kind: "send",
        command: `EHLO ${state.ehloName}`,
        expect: null,
        step: state.tlsActive ? "post-tls" : "greeting",
        what: "EHLO reply",
      },
    };
  }
  // RFC 5321 §3.1: 554 instead of 220 means no service; 421 is a temporary refusal, which on port 25
  // is how MTAs throttle scanners (Postfix: "421 4.7.0 … too many connections").
  const throttled = reply.code === SmtpCode.serviceNotAvailable || reply.code === SmtpCode.mailboxBusy;
  return failWith(next, {
    kind: "fail",
    step: "greeting",
    reason: throttled ? "throttled" : reply.code === SmtpCode.noService ? "rejected" : "protocol_error",
    message: `greeting: ${smtpReplyText(reply)}`,
  });
}

function onEhlo(state: SmtpState, reply: SmtpReply): Next {
  const step = state.tlsActive ? "post-tls" : "greeting";
  if (reply.code !== SmtpCode.ok) {
    if (reply.code >= 500 && reply.code < 600 && !state.tlsActive) {
      // RFC 5321 §4.1.4: fall back to HELO when EHLO is not recognised.
      return {
        state: { ...state, phase: "helo", facts: { ...state.facts, heloFallback: true } },
        action: { kind: "send", command: `HELO ${state.ehloName}`, expect: null, step, what: "HELO reply" },
      };
    }
    return failWith(state, {
      kind: "fail",
      step,
      reason: reply.code === SmtpCode.serviceNotAvailable ? "throttled" : "rejected",
      message: `EHLO: ${smtpReplyText(reply)}`,
    });
  }
  const caps = parseEhlo(reply);
  if (state.tlsActive) {
    return quit(state, {
      ...state.facts,
      ehloAfterTls: caps,
      starttlsAdvertisedAfterTls: caps.starttls,
      authAfterTls: caps.auth,
    });
  }
  const facts = {
    ...state.facts,
    ehloBeforeTls: caps,
    starttlsAdvertised: caps.starttls,
    authBeforeTls: caps.auth,
  };
  if (!state.wantTls) return quit(state, facts);
  if (!caps.starttls) {
    return failWith(
      { ...state, facts },
      {
        kind: "fail",
        step: "starttls",
        reason: "not_offered",
        message: "STARTTLS is not advertised in the EHLO reply",
      },
    );
  }
  return {
    state: { ...state, phase: "starttls", facts },
    action: { kind: "send", command: "STARTTLS", expect: null, step: "starttls", what: "STARTTLS reply" },
  };
}

function onHelo(state: SmtpState, reply: SmtpReply): Next {
  if (reply.code !== SmtpCode.ok) {
    return failWith(state, {
      kind: "fail",
      step: "greeting",
      reason: "rejected",
      message: `HELO: ${smtpReplyText(reply)}`,
    });
  }
  const facts = { ...state.facts, starttlsAdvertised: false, authBeforeTls: [] };
  if (!state.wantTls) return quit(state, facts);
  return failWith(
    { ...state, facts },
    {
      kind: "fail",
      step: "starttls",
      reason: "not_offered",
      message: "EHLO refused, HELO has no STARTTLS (RFC 3207 needs EHLO)",
    },
  );
}

function onStarttls(state: SmtpState, reply: SmtpReply): Next {
  const facts = { ...state.facts, starttlsReply: smtpReplyText(reply) };
  if (reply.code === SmtpCode.serviceReady)
    return { state: { ...state, facts }, action: { kind: "starttls" } };
  // RFC 3207 §4: 454 TLS not available due to temporary reason; 501 syntax error.
  return failWith(
    { ...state, facts },
    {
      kind: "fail",
      step: "starttls",
      reason: reply.code === SmtpCode.tlsNotAvailable ? "rejected" : "protocol_error",
      message: `STARTTLS: ${smtpReplyText(reply)}`,
    },
  );
}

export interface SmtpOptions {
  /** EHLO name: should be a name whose forward and reverse DNS match the scanning host (docs/contract.md §7). */
  readonly ehloName: string;
  readonly tlsMode: "starttls" | "implicit" | "none";
}

export function smtpDialogue(options: SmtpOptions): Dialogue<SmtpState, SmtpReply, null, SmtpFacts> {
  return {
    name: "SMTP",
    maxReplyBytes: limits.maxReplyBytes,
    framer: (): Framer<SmtpReply> => frameSmtpReply,
    start(tlsActive) {
      return {
        state: {
          phase: "greeting",
          wantTls: options.tlsMode === "starttls",
          tlsActive,
          ehloName: options.ehloName,
          facts: emptyFacts,
        },
        action: { kind: "read", expect: null, step: "greeting", what: "greeting" },
      };
    },
    step(state, event: DialogueEvent<SmtpReply>): Next {
      if (event.kind === "tls-ready") {
        // RFC 3207 §4.2: discard what the server said before TLS and ask again.
        return {
          state: { ...state, tlsActive: true, phase: "ehlo-tls" },
          action: {
            kind: "send",
            command: `EHLO ${state.ehloName}`,
            expect: null,
            step: "post-tls",
            what: "EHLO reply",
          },
        };
      }
      const reply = event.reply;
      switch (state.phase) {
        case "greeting":
          return onGreeting(state, reply);
        case "ehlo":
        case "ehlo-tls":
          return onEhlo(state, reply);
        case "helo":
          return onHelo(state, reply);
        case "starttls":
          return onStarttls(state, reply);
        case "quit":
          return { state, action: { kind: "done" } };
      }
    },
    facts: (state) => state.facts,
  };
}
