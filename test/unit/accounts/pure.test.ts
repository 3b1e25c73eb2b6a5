import { describe, expect, it } from "vitest";
import { bearerToken, newToken, tokenHash } from "../../../src/accounts/api-token.js";
import {
  generatePassword,
  hashPassword,
  passwordProblem,
  verifyPassword,
} from "../../../src/accounts/password.js";
import { tokenRolesFor } from "../../../src/accounts/principal.js";
import { judgeSession, sessionRowExpiry } from "../../../src/accounts/session-timeouts.js";
import { serviceLimits } from "../../../src/core/limits.js";

const cheap = { N: 1024, r: 8, p: 1 };

describe("passwords", () => {
  it("hash with a fresh salt each time and verify only the right password", async () => {
    const a = await hashPassword("correct horse battery", cheap);
    const b = await hashPassword("correct horse battery", cheap);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]{44}$/);
    expect(await verifyPassword("correct horse battery", a)).toBe(true);
    expect(await verifyPassword("correct horse batterY", a)).toBe(false);
    expect(await verifyPassword("", a)).toBe(false);
  });
  it("compare in Unicode normal form: a composed and a decomposed é are the same password", async () => {
    const stored = await hashPassword("caf\u00e9 au lait du matin", cheap);
    expect(await verifyPassword("cafe\u0301 au lait du matin", stored)).toBe(true);
  });
  it("never throw on a stored value that is not ours", async () => {
    for (const junk of [
      "",
      "plain",
      "scrypt$x$8$1$c2FsdA==$aGFzaA==",
      "bcrypt$2b$10$abc",
      "scrypt$1024$8$1$$",
    ])
      expect(await verifyPassword("anything", junk)).toBe(false);
  });
  it("generated passwords are 144 random bits; chosen ones have at least 12 characters", () => {
    const p = generatePassword();
    expect(p).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(generatePassword()).not.toBe(p);
    expect(passwordProblem("short")).toMatch(/12 characters/);
    expect(passwordProblem("x".repeat(12))).toBeNull();
    expect(passwordProblem("x".repeat(1025))).toMatch(/at most/);
  });
});

describe("API tokens", () => {
  it("are 256 random bits with a recognisable prefix, kept as SHA-256", () => {
    const t = newToken();
    expect(t.token).toMatch(/^mct_[A-Za-z0-9_-]{43}$/);
    expect(t.prefix).toBe(t.token.slice(0, 12));
    expect(t.hash).toBe(tokenHash(t.token));
    expect(t.hash).toMatch(/^[0-9a-f]{64}$/);
  });
  it("read the Bearer scheme of RFC 6750 §2.1 only", () => {
    expect(bearerToken("Bearer mct_abc-_.~+/=")).toBe("mct_abc-_.~+/=");
    expect(bearerToken("bearer mct_abc")).toBe("mct_abc");
    expect(bearerToken("Basic dXNlcjpwYXNz")).toBeNull();
    expect(bearerToken("Bearer two words")).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
  it("a token never carries more than its owner's role", () => {
    expect(tokenRolesFor("agency")).toEqual(["agency", "auditor"]);
    expect(tokenRolesFor("auditor")).toEqual(["auditor"]);
    expect(tokenRolesFor("operator")).toEqual(["operator"]);
  });
});

describe("session timeouts", () => {
  const login = { authenticatedAt: 0, lastSeenAt: 0 };
  const min = 60_000;
  it("idle: 30 minutes without a request", () => {
    expect(judgeSession(login, 29 * min)).toEqual({ ok: true, touch: true });
    expect(judgeSession(login, 30 * min)).toEqual({ ok: false, reason: "idle" });
    expect(judgeSession({ authenticatedAt: 0, lastSeenAt: 20 * min }, 20 * min + 30_000)).toEqual({
      ok: true,
      touch: false,
    });
  });
  it("absolute: 12 hours after the login, however active", () => {
    expect(judgeSession({ authenticatedAt: 0, lastSeenAt: 719 * min }, 720 * min)).toEqual({
      ok: false,
      reason: "absolute",
    });
    expect(judgeSession({ authenticatedAt: 0, lastSeenAt: 700 * min }, 719 * min)).toEqual({
      ok: true,
      touch: true,
    });
  });
  it("login rows are kept until the earlier end plus a grace period, to tell the reason; anonymous ones not", () => {
    const grace = serviceLimits.sessionPurgeGraceMs;
    expect(sessionRowExpiry({ authenticatedAt: 0, lastSeenAt: 60 * min }, 60 * min)).toBe(90 * min + grace);
    expect(sessionRowExpiry({ authenticatedAt: 0, lastSeenAt: 710 * min }, 710 * min)).toBe(
      720 * min + grace,
    );
    expect(sessionRowExpiry(null, 5 * min)).toBe(35 * min);
  });
});
