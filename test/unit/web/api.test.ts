/** The REST API: shapes, stable error codes, bounded bodies, the OpenAPI document, the signed list. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyList } from "../../../src/registry/published-list.js";
import { openStore, type Store } from "../../../src/store/database.js";
import { type Harness, startHarness } from "../../support/service-harness.js";

let store: Store;
let h: Harness;

beforeAll(async () => {
  store = await openStore(":memory:");
  h = await startHarness(store, { limits: { bodyLimitBytes: 4096 } });
});
afterAll(async () => {
  await h.close();
  await store.close();
});

const code = (r: { json<T>(): T }) => r.json<{ error: { code: string; message: string } }>().error.code;

describe("the API", () => {
  it("public: the signatories in force with their domains", async () => {
    const r = await h.client().get("/api/v1/signatories");
    expect(r.status).toBe(200);
    const body = r.json<{
      schema: string;
      signatories: { name: string; domains: { domain: string; latest: null }[] }[];
    }>();
    expect(body.schema).toBe("mailcharter/signatories/1");
    expect(body.signatories.map((s) => s.name)).toEqual(["X Mail", "Y Télécom"]);
    expect(body.signatories[0]?.domains).toEqual([
      { domain: "x.example", mx: ["mx.x.example"], latest: null },
    ]);
    expect(JSON.stringify(body)).not.toContain("contact@");
  });

  it("errors: stable codes in one shape", async () => {
    const c = h.client();
    const a = { bearer: h.tokens.agency };
    expect(code(await c.get("/api/v1/nothing-here"))).toBe("not_found");
    expect(code(await c.get("/api/v1/organisations/abc", a))).toBe("invalid_request");
    expect(code(await c.get("/api/v1/organisations/0", a))).toBe("invalid_request");
    expect(code(await c.get("/api/v1/organisations/424242", a))).toBe("not_found");
    const bad = await c.fetch("POST", "/api/v1/organisations", {
      ...a,
      body: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(bad.status).toBe(400);
    expect(code(bad)).toBe("invalid_json");
    const big = await c.fetch("POST", "/api/v1/organisations", { ...a, json: { name: "x".repeat(5000) } });
    expect(big.status).toBe(413);
    expect(code(big)).toBe("body_too_large");
    const invalid = await c.fetch("POST", "/api/v1/organisations", {
      ...a,
      json: { name: "Z", contact: "nope", adhesionDate: "2026-02-30" },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.json<{ error: { message: string } }>().error.message).toMatch(
      /contact.*adhesionDate|adhesionDate.*contact/s,
    );
    expect(code(await c.get("/api/v1/me", { bearer: "mct_not-a-real-token" }))).toBe("unauthenticated");
    expect(code(await c.get("/api/v1/me", { headers: { authorization: "Basic eDp5" } }))).toBe(
      "unauthenticated",
    );
    const xml = await c.fetch("POST", "/api/v1/tokens", {
      ...a,
      body: "<x/>",
      headers: { "content-type": "application/xml" },
    });
    expect(code(xml)).toBe("unsupported_media_type");
  });

  it("the agency records an adhesion, a domain, a withdrawal notice and a charter version; the registry refuses bad ones", async () => {
    const c = h.client();
    const a = { bearer: h.tokens.agency };
    const created = await c.fetch("POST", "/api/v1/organisations", {
      ...a,
      json: {
        name: "Zulu",
        contact: "pm@zulu.example",
        adhesionDate: "2026-03-01",
        domains: [{ domain: "Zulu.Example", mx: ["mx.zulu.example"] }],
      },
    });
    expect(created.status).toBe(201);
    const zulu = created.json<{ id: number; domains: { domain: string }[] }>();
    expect(zulu.domains.map((d) => d.domain)).toEqual(["zulu.example"]);
    const dup = await c.fetch("POST", "/api/v1/organisations", {
      ...a,
      json: { name: "Zulu", contact: "pm@zulu.example", adhesionDate: "2026-03-01" },
    });
    expect(dup.status).toBe(422);
    expect(code(dup)).toBe("registry_rejected");
    const taken = await c.fetch("POST", `/api/v1/organisations/${zulu.id}/domains`, {
      ...a,
      json: { domain: "x.example", mx: ["mx.x.example"] },
    });
    expect(taken.status).toBe(422);
    expect(taken.text).toContain("already belongs to");
    const withdrawal = await c.fetch("POST", `/api/v1/organisations/${zulu.id}/withdrawal`, {
      ...a,
      json: { noticeDate: "2026-06-30" },
    });
    expect(withdrawal.json<{ withdrawalEffectiveDate: string }>().withdrawalEffectiveDate).toBe("2026-09-30");
    const version = await c.fetch("POST", "/api/v1/charter-versions", {
      ...a,
      json: { version: "2027", published: "2027-01-01", title: "Annexe révisée" },
    });
    expect(version.status).toBe(201);
    expect(version.json()).toMatchObject({ version: "2027", profile: "charter-2015" });
    expect(
      code(
        await c.fetch("POST", "/api/v1/charter-versions", {
          ...a,
          json: { version: "2027", published: "2027-01-01", title: "again" },
        }),
      ),
    ).toBe("conflict");
    const versions = (await c.get("/api/v1/charter-versions", a)).json<{
      versions: { version: string; profile: string; profileUrl: string }[];
    }>();
    expect(versions.versions.map((v) => v.version)).toEqual(["2015", "2027"]);
    // Each version names the profile of its annex, and the link to it answers.
    expect(versions.versions[0]).toMatchObject({
      profile: "charter-2015",
      profileUrl: "/api/v1/annex/profiles/charter-2015",
    });
    const profile = await c.get(versions.versions[0]?.profileUrl ?? "", a);
    expect(profile.status).toBe(200);
    expect(profile.json<{ id: string }>().id).toBe("charter-2015");
    // The OpenAPI document says so, in the component its $ref names.
    const spec = (await c.get("/api/v1/openapi.json")).json<{
      paths: Record<string, { get?: { responses: Record<string, unknown> } }>;
      components: {
        schemas: Record<string, { properties?: Record<string, unknown> }>;
        securitySchemes?: Record<string, unknown>;
      };
    }>();
    expect(spec.components.securitySchemes?.bearer).toBeDefined();
    const listed = JSON.stringify(spec.paths["/api/v1/charter-versions"]?.get?.responses["200"]);
    expect(listed).toContain('"$ref":"#/components/schemas/CharterVersionRecord"');
    expect(Object.keys(spec.components.schemas.CharterVersionRecord?.properties ?? {})).toEqual(
      expect.arrayContaining(["version", "published", "title", "profile", "profileUrl"]),
    );
  });

  it("the published list is signed, verifiable, and signed again when the registry changes", async () => {
    const c = h.client();
    const pub = (await c.get("/published-list.pub")).text;
    const first = await c.get("/published-list.json");
    const sig = (await c.get("/published-list.json.sig")).text;
    const ok = verifyList(Buffer.from(first.text), sig, pub, new Date());
    expect(ok.ok).toBe(true);
    expect((await c.get("/published-list.json")).text).toBe(first.text);
    await c.fetch("POST", "/api/v1/organisations", {
      bearer: h.tokens.agency,
      json: { name: "Yankee", contact: "pm@yankee.example", adhesionDate: "2026-01-02" },
    });
    const second = await c.get("/published-list.json");
    expect(second.text).not.toBe(first.text);
    expect(second.text).toContain("Yankee");
    const sig2 = (await c.get("/published-list.json.sig")).text;
    expect(verifyList(Buffer.from(second.text), sig2, pub, new Date()).ok).toBe(true);
    expect(verifyList(Buffer.from(second.text), sig, pub, new Date()).ok).toBe(false);
  });

  it("the agency manages accounts; a generated password is returned once", async () => {
    const c = h.client();
    const made = await c.fetch("POST", "/api/v1/accounts", {
      bearer: h.tokens.agency,
      json: { email: "new@x.example", role: "operator", organisation: "X Mail" },
    });
    expect(made.status).toBe(201);
    const body = made.json<{
      account: { email: string; organisationId: number };
      generatedPassword: string;
    }>();
    expect(body.account.organisationId).toBe(h.ids.orgX);
    expect(body.generatedPassword).toHaveLength(24);
    const list = (await c.get("/api/v1/accounts", { bearer: h.tokens.agency })).text;
    expect(list).toContain("new@x.example");
    expect(list).not.toMatch(/scrypt|password/i);
    expect(
      code(
        await c.fetch("POST", "/api/v1/accounts", {
          bearer: h.tokens.agency,
          json: { email: "new@x.example", role: "auditor" },
        }),
      ),
    ).toBe("conflict");
  });

  it("tokens are shown once, then only their prefix", async () => {
    const c = h.client();
    const made = await c.fetch("POST", "/api/v1/tokens", {
      bearer: h.tokens.agency,
      json: { name: "ci", role: "auditor" },
    });
    expect(made.status).toBe(201);
    const { token, record } = made.json<{
      token: string;
      record: { id: number; prefix: string; role: string };
    }>();
    expect(record.role).toBe("auditor");
    const listed = (await c.get("/api/v1/tokens", { bearer: h.tokens.agency })).text;
    expect(listed).toContain(record.prefix);
    expect(listed).not.toContain(token);
    expect((await c.get("/api/v1/accounts", { bearer: token })).status).toBe(403);
    expect((await c.fetch("DELETE", `/api/v1/tokens/${record.id}`, { bearer: h.tokens.agency })).status).toBe(
      204,
    );
    expect((await c.get("/api/v1/me", { bearer: token })).status).toBe(401);
  });

  it("serves the OpenAPI document generated from the zod schemas", async () => {
    const doc = (await h.client().get("/api/v1/openapi.json")).json<{
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    }>();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/api/v1/organisations/{id}", "/api/v1/tokens", "/api/v1/signatories"]),
    );
    expect(doc.paths["/login"]).toBeUndefined();
    expect(JSON.stringify(doc.paths["/api/v1/organisations"]?.post)).toContain("adhesionDate");
  });
});
