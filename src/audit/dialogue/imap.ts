/**
 * IMAP dialogue (RFC 3501 / RFC 9051, STARTTLS per RFC 2595 §3.1 and RFC 3501 §6.2.1).
 *
 *   greeting ─OK─▶ [CAPABILITY] ─▶ STARTTLS ─OK─▶ [TLS] ─▶ CAPABILITY ─▶ LOGOUT
 *
 * PREAUTH means the session is already authenticated, where STARTTLS is no longer allowed; BYE means
 * the server refuses us. LOGINDISABLED before TLS says cleartext LOGIN is refused (RFC 3501 §6.2.3).
 */
import { limits } from "../../core/limits.js";
import type { Dialogue, DialogueEvent, Transition } from "./dialogue.js";
import { capabilitiesIn, frameImapResponse, type ImapResponse } from "./imap-response.js";

export interface ImapFacts {
  readonly greeting: { readonly status: string; readonly text: string } | null;
  readonly capabilitiesBeforeTls: readonly string[] | null;
  readonly starttlsAdvertised: boolean | null;
  readonly loginDisabledBeforeTls: boolean | null;
  readonly authBeforeTls: readonly string[] | null;
  readonly starttlsReply: string | null;
  readonly capabilitiesAfterTls: readonly string[] | null;
  readonly starttlsAdvertisedAfterTls: boolean | null;
  readonly authAfterTls: readonly string[] | null;
}

type Phase = "greeting" | "capability" | "starttls" | "capability-tls" | "logout";

export interface ImapState {
  readonly phase: Phase;
  readonly wantTls: boolean;
  readonly tlsActive: boolean;
  readonly counter: number;
  readonly facts: ImapFacts;
}

type Next = Transition<ImapState, string | null>;

const emptyFacts: ImapFacts = {
  greeting: null,
  capabilitiesBeforeTls: null,
  starttlsAdvertised: null,
  loginDisabledBeforeTls: null,
  authBeforeTls: null,
  starttlsReply: null,
  capabilitiesAfterTls: null,
  starttlsAdvertisedAfterTls: null,
  authAfterTls: null,
};

const authOf = (caps: readonly string[]) => caps.filter((c) => c.startsWith("AUTH=")).map((c) => c.slice(5));

function send(state: ImapState, phase: Phase, command: string, what: string, optional = false): Next {
  const tag = `mc${state.counter}`;
  return {
    state: { ...state, phase, counter: state.counter + 1 },
    action: {
      kind: "send",
      command: `${tag} ${command}`,
      expect: tag,
      step: state.tlsActive ? "post-tls" : phase === "starttls" ? "starttls" : "greeting",
      what,
      ...(optional ? { optional } : {}),
    },
  };
}

/** With the capabilities known, decide the next command. */
function withCapabilities(state: ImapState, caps: readonly string[]): Next {
  if (state.tlsActive) {
    const facts = {
      ...state.facts,
      capabilitiesAfterTls: caps,
      starttlsAdvertisedAfterTls: caps.includes("STARTTLS"),
      authAfterTls: authOf(caps),
    };
    return send({ ...state, facts }, "logout", "LOGOUT", "LOGOUT reply", true);
  }
  const facts = {
    ...state.facts,
    capabilitiesBeforeTls: caps,
    starttlsAdvertised: caps.includes("STARTTLS"),
    loginDisabledBeforeTls: caps.includes("LOGINDISABLED"),
    authBeforeTls: authOf(caps),
  };
  const next = { ...state, facts };
  if (!state.wantTls) return send(next, "logout", "LOGOUT", "LOGOUT reply", true);
  if (!facts.starttlsAdvertised) {
    return {
      state: next,
      action: {
        kind: "fail",
        step: "starttls",
        reason: "not_offered",
        message: "STARTTLS is not in the IMAP capabilities",
      },
    };
  }
  return send(next, "starttls", "STARTTLS", "STARTTLS reply");
}

function onGreeting(state: ImapState, response: ImapResponse): Next {
  const line = response.untagged[0] ?? "";
  const match = /^(OK|PREAUTH|BYE)\b ?(.*)$/i.exec(line);
  if (!match) {
    return {
      state,
      action: {
        kind: "fail",
        step: "greeting",
        reason: "protocol_error",
        message: `greeting: "${line.slice(0, 80)}"`,
      },
    };
  }
  const status = (match[1] ?? "").toUpperCase();
  const next = { ...state, facts: { ...state.facts, greeting: { status, text: match[2] ?? "" } } };
  if (status === "BYE") {
    return {
      state: next,
      action: { kind: "fail", step: "greeting", reason: "rejected", message: `greeting: * ${line}` },
    };
  }
  if (status === "PREAUTH" && state.wantTls && !state.tlsActive) {
    // RFC 3501 §6.2.1: STARTTLS is only valid in the not-authenticated state.
    return {
      state: next,
      action: {
        kind: "fail",
        step: "starttls",
        reason: "not_offered",
        message: "PREAUTH greeting: STARTTLS is impossible",
      },
    };
  }
  const caps = capabilitiesIn(line);
  return caps ? withCapabilities(next, caps) : send(next, "capability", "CAPABILITY", "CAPABILITY reply");
}

function onCapability(state: ImapState, response: ImapResponse): Next {
  const caps =
    response.untagged.map(capabilitiesIn).find((c) => c !== null) ??
    capabilitiesIn(response.tagged?.text ?? "");
  if (response.tagged?.status !== "OK" || !caps) {
    return {
      state,
      action: {
        kind: "fail",
        step: state.tlsActive ? "post-tls" : "greeting",
        reason: "protocol_error",
        message: `CAPABILITY: ${response.tagged?.status ?? "?"} ${response.tagged?.text ?? ""}`.trim(),
      },
    };
  }
  return withCapabilities(state, caps);
}

function onStarttls(state: ImapState, response: ImapResponse): Next {
  const reply = `${response.tagged?.status ?? ""} ${response.tagged?.text ?? ""}`.trim();
  const next = { ...state, facts: { ...state.facts, starttlsReply: reply } };
  if (response.tagged?.status === "OK") return { state: next, action: { kind: "starttls" } };
  return {
    state: next,
    action: { kind: "fail", step: "starttls", reason: "rejected", message: `STARTTLS: ${reply}` },
  };
}

export function imapDialogue(options: {
  readonly tlsMode: "starttls" | "implicit" | "none";
}): Dialogue<ImapState, ImapResponse, string | null, ImapFacts> {
  return {
    name: "IMAP",
    maxReplyBytes: limits.maxReplyBytes,
    framer: (tag) => frameImapResponse(tag),
    start(tlsActive) {
      return {
        state: {
          phase: "greeting",
          wantTls: options.tlsMode === "starttls",
          tlsActive,
          counter: 1,
          facts: emptyFacts,
        },
        action: { kind: "read", expect: null, step: "greeting", what: "greeting" },
      };
    },
    step(state, event: DialogueEvent<ImapResponse>): Next {
      if (event.kind === "tls-ready") {
        // RFC 3501 §6.2.1: the client MUST discard cached capabilities and ask again.
        return send({ ...state, tlsActive: true }, "capability-tls", "CAPABILITY", "CAPABILITY reply");
      }
      switch (state.phase) {
        case "greeting":
          return onGreeting(state, event.reply);
        case "capability":
        case "capability-tls":
          return onCapability(state, event.reply);
        case "starttls":
          return onStarttls(state, event.reply);
        case "logout":
          return { state, action: { kind: "done" } };
      }
    },
    facts: (state) => state.facts,
  };
}
