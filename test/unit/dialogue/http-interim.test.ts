/**
 * Interim responses (RFC 9110 §15.2) are skipped in a loop: thousands of `100 Continue` before the
 * final response must frame it, not overflow the stack (the recursive framer did at ~10 000).
 */
import { describe, expect, it } from "vitest";
import { frameHttpResponse } from "../../../src/audit/dialogue/http-response.js";

const continues = (n: number) => "HTTP/1.1 100 Continue\r\n\r\n".repeat(n);

describe("HTTP framer: interim responses", () => {
  const frame = frameHttpResponse({ head: false });

  it("frames the final response after 50 000 interim responses", () => {
    const final = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    const input = Buffer.from(continues(50_000) + final, "latin1");
    const result = frame(input, false);
    expect(result.kind).toBe("frame");
    if (result.kind !== "frame") return;
    expect(result.value.status).toBe(200);
    expect(result.value.body.toString()).toBe("ok");
    expect(result.consumed).toBe(input.length);
  });

  it("is incomplete while only interim responses arrived, invalid when the peer closes there", () => {
    const input = Buffer.from(continues(20_000), "latin1");
    expect(frame(input, false).kind).toBe("incomplete");
    expect(frame(input, true)).toMatchObject({ kind: "invalid" });
  });

  it("skips 102 and 103 too, but 101 is final", () => {
    const input = Buffer.from(
      "HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
      "latin1",
    );
    expect(frame(input, false)).toMatchObject({ kind: "frame", value: { status: 204 } });
    expect(frame(Buffer.from("HTTP/1.1 101 Switching\r\n\r\n"), false)).toMatchObject({
      kind: "frame",
      value: { status: 101 },
    });
  });

  it("a head longer than the head cap is invalid, not waited for", () => {
    const small = frameHttpResponse({ head: false, maxHead: 64 });
    const input = Buffer.from(`HTTP/1.1 200 OK\r\nX-Long: ${"a".repeat(100)}`, "latin1");
    expect(small(input, false)).toMatchObject({
      kind: "invalid",
      message: expect.stringContaining("64 bytes"),
    });
    // An interim response itself counts against the cap like any head.
    const long = Buffer.from(`HTTP/1.1 100 Continue\r\nX: ${"b".repeat(100)}\r\n\r\n`, "latin1");
    expect(small(long, false).kind).toBe("invalid");
  });

  it("tells LF-only heads from CRLF heads whichever comes first", () => {
    const lfFirst = Buffer.from("HTTP/1.1 200 OK\nContent-Length: 1\n\nx\r\n\r\n", "latin1");
    expect(frame(lfFirst, false)).toMatchObject({ kind: "frame", value: { status: 200 } });
    const crlf = Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n\n\nx", "latin1");
    const result = frame(crlf, false);
    expect(result.kind === "frame" && result.value.body.toString("latin1")).toBe("\n\nx");
  });
});
