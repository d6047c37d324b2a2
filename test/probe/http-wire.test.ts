import { describe, expect, it } from "vitest";
import { HttpResponseParser, headerValue, parseHttpResponse, serializeHttpRequest } from "../../lib/probe/http-wire";

describe("serializeHttpRequest", () => {
  it("writes curl's header order with CRLF and a Host override", () => {
    const s = serializeHttpRequest({ method: "GET", target: "/", host: "www.juniper.net" });
    expect(s.ok).toBe(true);
    if (!s.ok) return;
    expect(s.request.lines).toEqual(["GET / HTTP/1.1", "Host: www.juniper.net", "User-Agent: packetwalk/0.1", "Accept: */*", ""]);
    expect(s.request.bytes.toString()).toBe("GET / HTTP/1.1\r\nHost: www.juniper.net\r\nUser-Agent: packetwalk/0.1\r\nAccept: */*\r\n\r\n");
  });

  it("adds Content-Length for a body, replaces and removes defaults", () => {
    const s = serializeHttpRequest({
      method: "POST",
      target: "/x?a=1",
      host: "h",
      body: "héllo",
      headers: [["user-agent", "curl/7.88.1"], ["Accept", ""], ["X-Test", "1"]],
    });
    expect(s.ok && s.request.lines).toEqual(["POST /x?a=1 HTTP/1.1", "Host: h", "Content-Length: 6", "user-agent: curl/7.88.1", "X-Test: 1", ""]);
    expect(s.ok && s.request.bytes.subarray(-6).toString()).toBe("héllo");
  });

  it("refuses header injection and bad methods", () => {
    expect(serializeHttpRequest({ method: "GET", target: "/", host: "a\r\nX-Evil: 1" }).ok).toBe(false);
    expect(serializeHttpRequest({ method: "GET", target: "/", host: "h", headers: [["X", "a\nb"]] }).ok).toBe(false);
    expect(serializeHttpRequest({ method: "GET /x", target: "/", host: "h" }).ok).toBe(false);
    expect(serializeHttpRequest({ method: "GET", target: "/ HTTP/1.0", host: "h" }).ok).toBe(false);
  });
});

describe("parseHttpResponse", () => {
  it("parses Content-Length bodies and keeps extra bytes apart", () => {
    const r = parseHttpResponse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhelloEXTRA");
    expect(r.error).toBeNull();
    expect(r.response?.status).toBe(200);
    expect(r.response?.statusText).toBe("OK");
    expect(r.response?.body.toString()).toBe("hello");
    expect(r.response?.framing).toBe("content-length");
    expect(r.response?.keepAlive).toBe(true);
    expect(r.rest.toString()).toBe("EXTRA");
    expect(headerValue(r.response!.headers, "x-a")).toBe("1");
  });

  it("decodes chunked bodies with extensions and trailers", () => {
    const r = parseHttpResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n");
    expect(r.complete).toBe(true);
    expect(r.response?.body.toString()).toBe("hello world");
    expect(r.response?.bodyBytes).toBe(11);
    expect(headerValue(r.response!.headers, "x-trailer")).toBe("t");
  });

  it("reads close-delimited bodies to EOF, and only at EOF", () => {
    const text = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close";
    const open = parseHttpResponse(text, { eof: false });
    expect(open.complete).toBe(false);
    expect(open.response?.body.toString()).toBe("until close");
    const r = parseHttpResponse(text);
    expect(r.complete).toBe(true);
    expect(r.response?.framing).toBe("close");
    expect(r.response?.keepAlive).toBe(false);
    expect(r.response?.body.toString()).toBe("until close");
  });

  it("has no body for HEAD, 204 and 304, and skips 100 Continue", () => {
    expect(parseHttpResponse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", { method: "HEAD" }).complete).toBe(true);
    expect(parseHttpResponse("HTTP/1.1 204 No Content\r\n\r\n", { eof: false }).complete).toBe(true);
    const r = parseHttpResponse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok");
    expect(r.response?.status).toBe(201);
    expect(r.response?.interim.map((i) => i.status)).toEqual([100]);
  });

  it("accepts bare LF line endings and folded headers", () => {
    const r = parseHttpResponse("HTTP/1.1 404 Not Found\nX-Long: a\n  b\nContent-Length: 0\n\n");
    expect(r.response?.status).toBe(404);
    expect(headerValue(r.response!.headers, "X-Long")).toBe("a b");
  });

  it("caps the body and flags truncation while counting every byte", () => {
    const r = parseHttpResponse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", { maxBodyBytes: 4 });
    expect(r.response?.body.toString()).toBe("0123");
    expect(r.response?.bodyBytes).toBe(10);
    expect(r.response?.truncated).toBe(true);
    expect(r.complete).toBe(true);
  });

  it("reports garbage as protocol errors, never throwing", () => {
    const cases: Array<[string, string]> = [
      ["SSH-2.0-OpenSSH_9.2\r\n", "protocol"],
      ["HTTP/1.1 abc OK\r\n\r\n", "protocol"],
      ["HTTP/1.1 200 OK\r\nbad header line\r\n\r\n", "protocol"],
      ["HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx", "protocol"],
      ["HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "protocol"],
      ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "protocol"],
      ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX", "protocol"],
      ["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "closed"],
      ["HTTP/1.1 200 OK\r\nContent-Le", "closed"],
      ["", "closed"],
    ];
    for (const [text, kind] of cases) {
      const r = parseHttpResponse(text);
      expect(r.error?.kind, JSON.stringify(text)).toBe(kind);
      expect(r.complete).toBe(false);
    }
    // random bytes
    let seed = 7;
    for (let i = 0; i < 200; i++) {
      const bytes = Buffer.alloc(64, 0).map(() => (seed = (seed * 1103515245 + 12345) & 0xff));
      expect(() => parseHttpResponse(Buffer.concat([Buffer.from("HTTP/1.1 200 OK\r\n"), bytes]))).not.toThrow();
    }
  });

  it("gives the same answer whatever the chunking of the input", () => {
    const text = Buffer.from("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    for (let size = 1; size <= 7; size++) {
      const p = new HttpResponseParser();
      for (let i = 0; i < text.length; i += size) p.feed(text.subarray(i, i + size));
      expect(p.done).toBe(true);
      expect(p.response?.body.toString()).toBe("hello world");
    }
  });
});
