import { describe, expect, it } from "vitest";
import { createLlmRedactor } from "./redact";

describe("LLM redaction", () => {
  const r = createLlmRedactor();
  it("masks storage connection strings and account keys", () => {
    const s = r(
      "conn DefaultEndpointsProtocol=https;AccountName=stcheckout;AccountKey=abcDEF123456789abcDEF123456789abcDEF123456==;EndpointSuffix=core.windows.net end",
    );
    expect(s).not.toContain("abcDEF");
    expect(s).not.toContain("AccountName=stcheckout");
    expect(s).toContain("[connection-string]");
    expect(s).toMatch(/^conn .* end$/);
  });
  it("masks SAS tokens but keeps the URL's host", () => {
    const s = r("https://st1.blob.core.windows.net/c?sv=2022-11-02&ss=b&srt=o&sp=rl&se=2026-01-01T00:00:00Z&sig=Zm9vYmFy%2Bc2VjcmV0");
    expect(s).toContain("st1.blob.core.windows.net");
    expect(s).not.toContain("Zm9vYmFy");
    expect(s).not.toContain("2026-01-01");
  });
  it("masks passwords in properties, bearer tokens, JWTs and long keys", () => {
    expect(r('{"adminPassword": "Hunter2!x"}')).not.toContain("Hunter2");
    expect(r("password=Sup3rS3cret")).not.toContain("Sup3rS3cret");
    expect(r("Authorization: Bearer abc.def.ghi")).not.toContain("abc.def");
    expect(r("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig")).not.toContain("eyJhbGci");
    expect(r("key Q2xhcmlvblRlc3RLZXkxMjM0NTY3ODkwQUJDREVGR0g=")).toContain("[secret]");
  });
  it("masks emails and UPNs; leaves ordinary words and names alone", () => {
    const s = r("owner a.kumar@fabrikam.example and upn jane.doe@contoso.onmicrosoft.com own stcheckoutprd");
    expect(s).toBe("owner [email] and upn [email] own stcheckoutprd");
  });
  it("is configurable: emails kept when disabled, nothing masked when off, extra patterns", () => {
    expect(createLlmRedactor({ emails: false })("a@b.example")).toBe("a@b.example");
    expect(createLlmRedactor({ enabled: false })("password=x1")).toBe("password=x1");
    expect(createLlmRedactor({ patterns: ["EMP-\\d{5}"] })("badge EMP-12345")).toBe("badge [redacted]");
  });
});
