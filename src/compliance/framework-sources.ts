/**
 * Which real built-in initiative each Clarion framework id is derived from, and how the initiative's
 * group names turn into control ids. The ids are stable contracts (`clarion compliance ... --framework ID`).
 */
export interface FrameworkSource {
  id: string;
  name: string;
  version: string;
  /** Path under azure-policy/policySetDefinitions. */
  initiativeFile: string;
  controlId(groupName: string): string | undefined;
}

/**
 * How a framework version is written for people: ISO standards with a colon ("ISO/IEC 27001:2022"), a year of
 * SOC 2 criteria in parentheses ("SOC 2 (2023)"), everything else name and version ("PCI DSS 4.0.1").
 */
export function frameworkLabel(fw: { name: string; version: string }): string {
  if (/^ISO\/IEC /.test(fw.name) && /^\d{4}$/.test(fw.version)) return `${fw.name}:${fw.version}`;
  if (/^SOC 2/.test(fw.name) && /^\d{4}$/.test(fw.version)) return `${fw.name} (${fw.version})`;
  return `${fw.name} ${fw.version}`;
}

/** Framework family: versions of one standard (CIS 1.4.0 … 3.0.0) count once in "controls in N frameworks". */
export function frameworkFamily(id: string): string {
  return id.replace(/-(\d+\.\d+(\.\d+)*|\d{4}|r\d+)$/, "");
}

const strip = (prefix: RegExp) => (g: string) => {
  const m = prefix.exec(g);
  return m ? g.slice(m[0].length) : undefined;
};

export const FRAMEWORK_SOURCES: FrameworkSource[] = [
  {
    id: "nist-800-53-r5",
    name: "NIST SP 800-53",
    version: "Rev. 5",
    initiativeFile: "Regulatory Compliance/NIST_SP_800-53_R5.json",
    controlId: strip(/^NIST_SP_800-53_R5_/),
  },
  {
    id: "cis-azure-1.4.0",
    name: "CIS Microsoft Azure Foundations Benchmark",
    version: "1.4.0",
    initiativeFile: "Regulatory Compliance/CISv1_4_0.json",
    controlId: strip(/^CIS_Azure_1\.4\.0_/),
  },
  {
    id: "cis-azure-2.0.0",
    name: "CIS Microsoft Azure Foundations Benchmark",
    version: "2.0.0",
    initiativeFile: "Regulatory Compliance/CISv2_0_0.json",
    controlId: strip(/^CIS_Azure_2\.0\.0_/),
  },
  {
    id: "cis-azure-2.1.0",
    name: "CIS Microsoft Azure Foundations Benchmark",
    version: "2.1.0",
    initiativeFile: "Regulatory Compliance/CIS_Azure_Foundations_v2.1.0.json",
    controlId: strip(/^CIS_Azure_Foundations_v2\.1\.0_/),
  },
  {
    id: "cis-azure-3.0.0",
    name: "CIS Microsoft Azure Foundations Benchmark",
    version: "3.0.0",
    initiativeFile: "Regulatory Compliance/CIS_Azure_Foundations_v3.0.0.json",
    controlId: strip(/^CIS_Azure_Foundations_v3\.0\.0_/),
  },
  {
    id: "pci-dss-4.0",
    name: "PCI DSS",
    version: "4.0",
    initiativeFile: "Regulatory Compliance/PCI_DSS_V4.0.json",
    controlId: strip(/^PCI_DSS_v4\.0_/),
  },
  {
    id: "iso-27001-2013",
    name: "ISO/IEC 27001",
    version: "2013",
    initiativeFile: "Regulatory Compliance/ISO27001_2013_audit.json",
    controlId: strip(/^ISO27001-2013_/),
  },
  {
    id: "mcsb",
    name: "Microsoft cloud security benchmark",
    version: "1.0",
    initiativeFile: "Security Center/AzureSecurityCenter.json",
    controlId: strip(/^Azure_Security_Benchmark_v3\.0_/),
  },
  { id: "soc-2", name: "SOC 2 Type 2", version: "2017", initiativeFile: "Regulatory Compliance/SOC_2.json", controlId: strip(/^SOC_2_/) },
  {
    id: "iso-27001-2022",
    name: "ISO/IEC 27001",
    version: "2022",
    initiativeFile: "Regulatory Compliance/ISO_IEC_27001_2022.json",
    controlId: strip(/^ISO_IEC_27001_2022_/),
  },
  {
    id: "nist-csf-2.0",
    name: "NIST Cybersecurity Framework",
    version: "2.0",
    initiativeFile: "Regulatory Compliance/NIST_CSF_v2.0.json",
    // NIST_CSF_v2.0_PR.AA_05 -> PR.AA-05 (the CSF's own notation); a category alone stays PR.AA
    controlId: (g) => strip(/^NIST_CSF_v2\.0_/)(g)?.replace(/_(\d+)$/, "-$1"),
  },
  {
    id: "pci-dss-4.0.1",
    name: "PCI DSS",
    version: "4.0.1",
    initiativeFile: "Regulatory Compliance/PCI_DSS_v4.0.1.json",
    controlId: strip(/^PCI_DSS_v4\.0\.1_/),
  },
  { id: "soc-2-2023", name: "SOC 2", version: "2023", initiativeFile: "Regulatory Compliance/SOC_2023.json", controlId: strip(/^SOC_2023_/) },
  {
    id: "hitrust-11.3",
    name: "HITRUST CSF",
    version: "11.3",
    initiativeFile: "Regulatory Compliance/HITRUST_CSF_v11.3.json",
    controlId: strip(/^HITRUST_CSF_v11\.3_/),
  },
  {
    id: "nis2",
    name: "EU NIS2 Directive",
    version: "2022/2555",
    initiativeFile: "Regulatory Compliance/EU_2555_(NIS2)_2022.json",
    controlId: (g) => {
      const article = strip(/^EU_2555_\(NIS2\)_2022_/)(g);
      return article ? `Art. ${article}` : undefined;
    },
  },
  {
    id: "hipaa-hitrust",
    name: "HIPAA HITRUST",
    version: "9.2",
    initiativeFile: "Regulatory Compliance/HIPAA_HITRUST_audit.json",
    controlId: (g) => g,
  },
];
