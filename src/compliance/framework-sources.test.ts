import { describe, expect, it } from "vitest";
import { FRAMEWORK_SOURCES, frameworkFamily, frameworkLabel } from "./framework-sources";

describe("framework sources", () => {
  it("writes each framework version as people write it", () => {
    const label = (id: string) => {
      const src = FRAMEWORK_SOURCES.find((s) => s.id === id);
      if (!src) throw new Error(`no framework ${id}`);
      return frameworkLabel(src);
    };
    expect(label("iso-27001-2022")).toBe("ISO/IEC 27001:2022");
    expect(label("iso-27001-2013")).toBe("ISO/IEC 27001:2013");
    expect(label("soc-2-2023")).toBe("SOC 2 (2023)");
    expect(label("pci-dss-4.0.1")).toBe("PCI DSS 4.0.1");
    expect(label("nist-800-53-r5")).toBe("NIST SP 800-53 Rev. 5");
    expect(label("nis2")).toBe("EU NIS2 Directive 2022/2555");
  });

  it("groups versions of one standard into a family, and nothing else", () => {
    const families = new Map<string, string[]>();
    for (const s of FRAMEWORK_SOURCES) families.set(frameworkFamily(s.id), [...(families.get(frameworkFamily(s.id)) ?? []), s.id]);
    expect(families.get("cis-azure")).toHaveLength(4);
    expect(families.get("pci-dss")?.sort()).toEqual(["pci-dss-4.0", "pci-dss-4.0.1"]);
    expect(families.get("iso-27001")?.sort()).toEqual(["iso-27001-2013", "iso-27001-2022"]);
    expect(families.get("soc-2")?.sort()).toEqual(["soc-2", "soc-2-2023"]);
    expect(families.get("nist-800-53")).toEqual(["nist-800-53-r5"]);
    expect(families.get("nist-csf")).toEqual(["nist-csf-2.0"]);
    expect(new Set(FRAMEWORK_SOURCES.map((s) => s.id)).size).toBe(FRAMEWORK_SOURCES.length);
  });
});
