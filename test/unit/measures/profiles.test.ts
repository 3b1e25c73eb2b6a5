/** Profiles as data: the same facts judged by three tables. */
import { describe, expect, it } from "vitest";
import { evaluateProfile } from "../../../src/audit/profiles/evaluate.js";
import { anssiTls2020, charter2015, mozillaIntermediate } from "../../../src/audit/profiles/profiles.js";
import { endpointOf, tlsOf } from "../../support/reports.js";

const modern = endpointOf({
  tls: tlsOf({
    versions: ["TLSv1.2", "TLSv1.3"],
    suites: {
      "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"],
      "TLSv1.3": ["TLS_AES_256_GCM_SHA384"],
    },
    serverOrder: true,
  }),
});
const legacy = endpointOf({
  tls: tlsOf({
    versions: ["TLSv1", "TLSv1.2"],
    suites: {
      TLSv1: ["TLS_RSA_WITH_AES_128_CBC_SHA"],
      "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"],
    },
  }),
});

const rule = (result: ReturnType<typeof evaluateProfile>, id: string) =>
  result.endpoints[0]?.findings.find((f) => f.rule === id)?.status;

describe("profiles", () => {
  it("a modern endpoint passes the charter and ANSSI 2020; Mozilla warns on the server order it imposes", () => {
    expect(evaluateProfile(charter2015, [modern]).status).toBe("pass");
    expect(evaluateProfile(anssiTls2020, [modern]).status).toBe("pass");
    const mozilla = evaluateProfile(mozillaIntermediate, [modern]);
    expect(rule(mozilla, "order")).toBe("warn");
    expect(rule(mozilla, "suites")).toBe("pass");
  });
  it("a legacy endpoint: the charter tolerates TLS 1.0 and 3DES (warn) but not static RSA alone in TLS 1.0; ANSSI 2020 and Mozilla refuse them", () => {
    const charter = evaluateProfile(charter2015, [legacy]);
    expect(rule(charter, "old-tls")).toBe("warn");
    expect(rule(charter, "3des")).toBe("warn");
    expect(rule(charter, "aes-first")).toBe("pass");
    expect(rule(charter, "ecdhe-first")).toBe("fail");
    expect(charter.status).toBe("fail");
    const anssi = evaluateProfile(anssiTls2020, [legacy]);
    expect(anssi.status).toBe("fail");
    expect(rule(anssi, "R4")).toBe("fail");
    expect(rule(anssi, "R6-R7")).toBe("fail");
    expect(evaluateProfile(mozillaIntermediate, [legacy]).status).toBe("fail");
  });
  it("an incomplete enumeration never passes a 'forbid' rule", () => {
    const partial = endpointOf({
      tls: tlsOf({
        versions: ["TLSv1.2"],
        suites: { "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"] },
        complete: false,
      }),
    });
    expect(rule(evaluateProfile(anssiTls2020, [partial]), "R4")).toBe("error");
  });
});
