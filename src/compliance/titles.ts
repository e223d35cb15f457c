/**
 * Clarion's own short titles for framework controls (our wording, not the standards' text). NIST titles
 * come from the NIST catalog (see scripts/gen-frameworks.ts); the others are written here, per control for
 * the Microsoft cloud security benchmark and per section for the rest.
 */

const MCSB: Record<string, string> = {
  "NS-1": "Segment networks into trust boundaries",
  "NS-2": "Keep cloud services off public networks",
  "NS-3": "Firewall at the network edge",
  "NS-4": "Intrusion detection and prevention",
  "NS-5": "DDoS protection",
  "NS-6": "Web application firewall",
  "NS-7": "Keep network security configuration simple",
  "NS-8": "Find and disable insecure protocols",
  "NS-9": "Private connectivity to on-premises and clouds",
  "NS-10": "DNS security",
  "IM-1": "One central identity system",
  "IM-2": "Protect the identity system",
  "IM-3": "Managed identities for applications",
  "IM-4": "Authenticate servers and services",
  "IM-5": "Single sign-on for applications",
  "IM-6": "Strong (multi-factor) authentication",
  "IM-7": "Conditional access",
  "IM-8": "Keep credentials and secrets out of code",
  "IM-9": "Secure access to existing applications",
  "PA-1": "Separate and limit privileged users",
  "PA-2": "No standing privileged access",
  "PA-3": "Identity and entitlement lifecycle",
  "PA-4": "Review access regularly",
  "PA-5": "Emergency access accounts",
  "PA-6": "Privileged access workstations",
  "PA-7": "Least privilege",
  "PA-8": "Cloud provider support access",
  "DP-1": "Discover and classify sensitive data",
  "DP-2": "Watch for threats to sensitive data",
  "DP-3": "Encrypt data in transit",
  "DP-4": "Encrypt data at rest by default",
  "DP-5": "Customer-managed keys where required",
  "DP-6": "Key management",
  "DP-7": "Certificate management",
  "DP-8": "Protect key and certificate stores",
  "AM-1": "Asset inventory and risk",
  "AM-2": "Approved services only",
  "AM-3": "Asset lifecycle security",
  "AM-4": "Limit access to asset management",
  "AM-5": "Approved applications on VMs",
  "LT-1": "Threat detection",
  "LT-2": "Threat detection for identities",
  "LT-3": "Logging for investigations",
  "LT-4": "Network logging",
  "LT-5": "Central log management",
  "LT-6": "Log retention",
  "LT-7": "Trusted time sources",
  "IR-1": "Incident response plan",
  "IR-2": "Incident notification",
  "IR-3": "Incidents from high-quality alerts",
  "IR-4": "Investigate incidents",
  "IR-5": "Prioritize incidents",
  "IR-6": "Automate incident handling",
  "IR-7": "Lessons learned and evidence retention",
  "PV-1": "Secure configuration baselines",
  "PV-2": "Audit and enforce secure configuration",
  "PV-3": "Secure configuration for compute",
  "PV-4": "Audit and enforce compute configuration",
  "PV-5": "Vulnerability assessment",
  "PV-6": "Fix vulnerabilities quickly",
  "PV-7": "Red team exercises",
  "ES-1": "Endpoint detection and response",
  "ES-2": "Anti-malware",
  "ES-3": "Keep anti-malware up to date",
  "BR-1": "Automated backups",
  "BR-2": "Protect backups",
  "BR-3": "Monitor backups",
  "BR-4": "Test restores",
  "DS-1": "Threat modelling",
  "DS-2": "Software supply chain",
  "DS-3": "Secure DevOps infrastructure",
  "DS-4": "Static analysis in pipelines",
  "DS-5": "Dynamic testing in pipelines",
  "DS-6": "Workload security through the lifecycle",
  "DS-7": "DevOps logging and monitoring",
  "GS-1": "Security roles and accountability",
  "GS-2": "Segmentation and separation of duties strategy",
  "GS-3": "Data protection strategy",
  "GS-4": "Network security strategy",
  "GS-5": "Posture management strategy",
  "GS-6": "Identity and privileged access strategy",
  "GS-7": "Logging, detection and response strategy",
  "GS-8": "Backup and recovery strategy",
  "GS-9": "Endpoint security strategy",
  "GS-10": "DevOps security strategy",
};

const CIS_SECTIONS: Record<string, string> = {
  "1": "Identity and access",
  "2": "Microsoft Defender",
  "3": "Storage accounts",
  "4": "Databases",
  "5": "Logging and monitoring",
  "6": "Networking",
  "7": "Virtual machines",
  "8": "Key Vault",
  "9": "App Service",
  "10": "Miscellaneous",
};

const PCI_REQUIREMENTS: Record<string, string> = {
  "1": "Network security controls",
  "2": "Secure configurations",
  "3": "Protect stored account data",
  "4": "Encrypt cardholder data in transit",
  "5": "Protect against malware",
  "6": "Secure systems and software",
  "7": "Access by business need to know",
  "8": "Identify users and authenticate",
  "9": "Physical access",
  "10": "Log and monitor access",
  "11": "Test security regularly",
  "12": "Security policies and programs",
};

const ISO_2013_DOMAINS: Record<string, string> = {
  "5": "Security policies",
  "6": "Organization of security",
  "7": "People security",
  "8": "Asset management",
  "9": "Access control",
  "10": "Cryptography",
  "11": "Physical security",
  "12": "Operations security",
  "13": "Communications security",
  "14": "System development and maintenance",
  "15": "Suppliers",
  "16": "Incident management",
  "17": "Business continuity",
  "18": "Compliance",
};

const SOC2_CRITERIA: Record<string, string> = {
  CC1: "Control environment",
  CC2: "Communication and information",
  CC3: "Risk assessment",
  CC4: "Monitoring of controls",
  CC5: "Control activities",
  CC6: "Logical and physical access",
  CC7: "System operations",
  CC8: "Change management",
  CC9: "Risk mitigation",
  A1: "Availability",
  C1: "Confidentiality",
  PI1: "Processing integrity",
  P1: "Privacy notice",
  P2: "Privacy choice and consent",
  P3: "Collection of personal data",
  P4: "Use and retention of personal data",
  P5: "Access to personal data",
  P6: "Disclosure of personal data",
  P7: "Quality of personal data",
  P8: "Privacy monitoring and enforcement",
};

const HITRUST_CATEGORIES: Record<string, string> = {
  "00": "Security management program",
  "01": "Access control",
  "02": "Human resources security",
  "03": "Risk management",
  "04": "Security policy",
  "05": "Organization of security",
  "06": "Compliance",
  "07": "Asset management",
  "08": "Physical and environmental security",
  "09": "Communications and operations",
  "10": "Systems acquisition and development",
  "11": "Incident management",
  "12": "Business continuity",
  "13": "Privacy practices",
};

const ISO_2022_CLAUSES: Record<string, string> = {
  "4": "Context of the organization",
  "5": "Leadership",
  "6": "Planning",
  "7": "Support",
  "8": "Operation",
  "9": "Performance evaluation",
  "10": "Improvement",
};

const CSF_2_CATEGORIES: Record<string, string> = {
  "GV.OC": "Organizational context",
  "GV.RM": "Risk management strategy",
  "GV.RR": "Roles and responsibilities",
  "GV.PO": "Policy",
  "GV.OV": "Oversight",
  "GV.SC": "Supply chain risk",
  "ID.AM": "Asset management",
  "ID.RA": "Risk assessment",
  "ID.IM": "Improvement",
  "PR.AA": "Identity, authentication and access",
  "PR.AT": "Awareness and training",
  "PR.DS": "Data security",
  "PR.PS": "Platform security",
  "PR.IR": "Infrastructure resilience",
  "DE.CM": "Continuous monitoring",
  "DE.AE": "Adverse event analysis",
  "RS.MA": "Incident management",
  "RS.AN": "Incident analysis",
  "RS.CO": "Incident reporting and communication",
  "RS.MI": "Incident mitigation",
  "RC.RP": "Recovery plan execution",
  "RC.CO": "Recovery communication",
};

const NIS2_ARTICLES: Record<string, string> = {
  "7": "National cybersecurity strategy",
  "9": "National crisis management",
  "10": "CSIRTs",
  "11": "CSIRT capabilities and tasks",
  "12": "Coordinated vulnerability disclosure",
  "13": "National cooperation",
  "20": "Governance",
  "21": "Cybersecurity risk-management measures",
  "23": "Incident reporting",
  "29": "Information sharing",
};

/** Our short title for a control, or undefined when we have none for that framework. */
export function ownControlTitle(frameworkId: string, controlId: string): string | undefined {
  if (frameworkId === "mcsb") return MCSB[controlId];
  const major = controlId.split(".")[0];
  if (/^cis-azure-(1\.4|2\.0|2\.1)/.test(frameworkId)) {
    const s = CIS_SECTIONS[major];
    return s ? `Section ${major} · ${s}` : undefined;
  }
  if (frameworkId.startsWith("pci-dss")) {
    const s = PCI_REQUIREMENTS[major];
    return s ? `Requirement ${major} · ${s}` : undefined;
  }
  if (frameworkId === "iso-27001-2013") {
    const d = /^A\.(\d+)/.exec(controlId)?.[1];
    const s = d ? ISO_2013_DOMAINS[d] : undefined;
    return s ? `Annex A.${d} · ${s}` : undefined;
  }
  if (frameworkId === "iso-27001-2022") {
    const s = ISO_2022_CLAUSES[major];
    return s ? `Clause ${major} · ${s}` : undefined;
  }
  if (frameworkId === "nist-csf-2.0") {
    const category = controlId.split("-")[0];
    const s = CSF_2_CATEGORIES[category];
    return s ? `${category} · ${s}` : undefined;
  }
  if (frameworkId === "nis2") {
    const article = /^Art\. (\d+)$/.exec(controlId)?.[1];
    const s = article ? NIS2_ARTICLES[article] : undefined;
    return s ? `Article ${article} · ${s}` : undefined;
  }
  if (frameworkId === "hitrust-11.3") {
    const cat = /^(\d{2})\.[a-z]+$/.exec(controlId)?.[1];
    const s = cat ? HITRUST_CATEGORIES[cat] : undefined;
    return s ? `HITRUST ${controlId} · ${s}` : undefined;
  }
  if (frameworkId === "soc-2" || frameworkId === "soc-2-2023") {
    const s = SOC2_CRITERIA[major];
    return s ? `${major} · ${s}` : undefined;
  }
  if (frameworkId === "hipaa-hitrust") {
    const cat = /-(\d{2})\.[a-z]$/.exec(controlId)?.[1];
    const s = cat ? HITRUST_CATEGORIES[cat] : undefined;
    return s ? `HITRUST ${cat}.${controlId.slice(-1)} · ${s}` : undefined;
  }
  return undefined;
}
