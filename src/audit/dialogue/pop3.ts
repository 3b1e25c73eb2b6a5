/**
 * POP3 dialogue (RFC 1939, CAPA per RFC 2449, STLS per RFC 2595 §4).
 *
 *   greeting ─+OK─▶ CAPA ─▶ STLS ─+OK─▶ [TLS] ─▶ CAPA ─▶ QUIT
 *
 * USER in the capabilities before TLS means a cleartext password is accepted there (RFC 2449 §6.4);
 * SASL lists the mechanisms (§6.3).
 */
import { limits } from "../../core/limits.js";
import type { Dialogue, DialogueEvent, Transition } from "./dialogue.js";
import { framePop3Response, type Pop3Response } from "./pop3-response.js";

export interface Pop3Facts {
  readonly greeting: string | null;
  readonly capabilitiesBeforeTls: readonly string[] | null;
  readonly stlsAdvertised: boolean | null;
  readonly userBeforeTls: boolean | null;
  readonly saslBeforeTls: readonly string[] | null;
  readonly stlsReply: string | null;
  readonly capabilitiesAfterTls: readonly string[] | null;
  readonly stlsAdvertisedAfterTls: boolean | null;
  readonly saslAfterTls: readonly string[] | null;
}

type Phase = "greeting" | "capa" | "stls" | "capa-tls" | "quit";

export interface Pop3State {
  readonly phase: Phase;
  readonly wantTls: boolean;
  readonly tlsActive: boolean;
  readonly facts: Pop3Facts;
}

/** `expect` is whether the reply is multi-line. */
type Next = Transition<Pop3State, boolean>;

const emptyFacts: Pop3Facts = {
  greeting: null,
  capabilitiesBeforeTls: null,
  stlsAdvertised: null,
  userBeforeTls: null,
  saslBeforeTls: null,
  stlsReply: null,
  capabilitiesAfterTls: null,
  stlsAdvertisedAfterTls: null,
  saslAfterTls: null,
};

const keyword = (line: string) => (line.trim().split(/\s+/)[0] ?? "").toUpperCase();
const saslOf = (lines: readonly string[]) =>
  lines
    .filter((l) => keyword(l) === "SASL")
    .flatMap((l) =>
      l
        .trim()
        .split(/\s+/)
        .slice(1)
        .map((m) => m.toUpperCase()),
    );

const quit = (state: Pop3State): Next => ({
  state: { ...state, phase: "quit" },
  action: {
    kind: "send",
    command: "QUIT",
    expect: false,
    step: "post-tls",
    what: "QUIT reply",
    optional: true,
  },
});

const capa = (state: Pop3State, phase: Phase): Next => ({
  state: { ...state, phase },
  action: {
    kind: "send",
    command: "CAPA",
    expect: true,
    step: state.tlsActive ? "post-tls" : "greeting",
    what: "CAPA reply",
  },
});

function onCapa(state: Pop3State, response: Pop3Response): Next {
  // A server without CAPA (RFC 1939 only) answers -ERR: no capabilities known, so no STLS.
  const lines = response.ok ? response.lines : [];
  const keywords = lines.map(keyword);
  if (state.tlsActive) {
    return quit({
      ...state,
      facts: {
        ...state.facts,
        capabilitiesAfterTls: lines,
        stlsAdvertisedAfterTls: keywords.includes("STLS"),
        saslAfterTls: saslOf(lines),
      },
    });
  }
  const facts = {
    ...state.facts,
    capabilitiesBeforeTls: lines,
    stlsAdvertised: keywords.includes("STLS"),
    userBeforeTls: keywords.includes("USER"),
    saslBeforeTls: saslOf(lines),
  };
  const next = { ...state, facts };
  if (!state.wantTls) return quit(next);
  if (!facts.stlsAdvertised) {
    return {
      state: next,
      action: {
        kind: "fail",
        step: "starttls",
        reason: "not_offered",
        message: "STLS is not in the CAPA reply",
      },
    };
  }
  return {
    state: { ...next, phase: "stls" },
    action: { kind: "send", command: "STLS", expect: false, step: "starttls", what: "STLS reply" },
  };
}

export function pop3Dialogue(options: {
  readonly tlsMode: "starttls" | "implicit" | "none";
}): Dialogue<Pop3State, Pop3Response, boolean, Pop3Facts> {
  return {
    name: "POP3",
    maxReplyBytes: limits.maxReplyBytes,
    framer: (multiline) => framePop3Response(multiline),
    start(tlsActive) {
      return {
        state: { phase: "greeting", wantTls: options.tlsMode === "starttls", tlsActive, facts: emptyFacts },
        action: { kind: "read", expect: false, step: "greeting", what: "greeting" },
      };
    },
    step(state, event: DialogueEvent<Pop3Response>): Next {
      if (event.kind === "tls-ready") return capa({ ...state, tlsActive: true }, "capa-tls");
      const response = event.reply;
      switch (state.phase) {
        case "greeting": {
          const next = {
            ...state,
            facts: { ...state.facts, greeting: `${response.ok ? "+OK" : "-ERR"} ${response.text}` },
          };
          if (!response.ok) {
            return {
              state: next,
              action: {
                kind: "fail",
                step: "greeting",
                reason: "rejected",
                message: `greeting: -ERR ${response.text}`,
              },
            };
          }
          return capa(next, "capa");
        }
        case "capa":
        case "capa-tls":
          return onCapa(state, response);
        case "stls": {
          const reply = `${response.ok ? "+OK" : "-ERR"} ${response.text}`.trim();
          const next = { ...state, facts: { ...state.facts, stlsReply: reply } };
          if (response.ok) return { state: next, action: { kind: "starttls" } };
          return {
            state: next,
            action: { kind: "fail", step: "starttls", reason: "rejected", message: `STLS: ${reply}` },
          };
        }
        case "quit":
          return { state, action: { kind: "done" } };
      }
    },
    facts: (state) => state.facts,
  };
}
