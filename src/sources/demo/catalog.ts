/**
 * The shape of the Fabrikam demo estate: subscriptions, resource groups and the workloads in them.
 * Everything here is invented (domain `fabrikam.example`); the ARM shapes are real.
 */
export type Workload = "hub" | "web" | "vm" | "aks" | "data" | "monitor" | "identity" | "jump";
export type EnvKey = "prod" | "dev" | "corp";

export interface RgPlan {
  name: string;
  app: string;
  workload: Workload;
  /** Team mailbox or person that owns the workload. */
  owner: string;
  dataClassification?: string;
  criticality?: string;
  /** Owner tag only on the resource group (a common real-world mess). */
  ownerOnRgOnly?: boolean;
  vmCount?: number;
}

export interface SubscriptionPlan {
  key: EnvKey;
  displayName: string;
  /** Tag values as people really type them. */
  envTag: string;
  tags: Record<string, string>;
  rgs: RgPlan[];
  /** Probability that a given security setting is left at an unsafe value. */
  sloppiness: number;
}

export const DOMAIN = "fabrikam.example";

export const PEOPLE = [
  "a.kumar", "j.smith", "m.garcia", "l.chen", "s.okafor", "p.novak", "r.haddad", "e.larsen",
  "t.nguyen", "k.mueller", "d.rossi", "h.tanaka", "n.ivanova", "b.oconnor", "f.silva",
].map((p) => `${p}@${DOMAIN}`);

export const SUBSCRIPTIONS: SubscriptionPlan[] = [
  {
    key: "prod",
    displayName: "Fabrikam Retail Production",
    envTag: "Production",
    tags: { environment: "Production", costCenter: "CC-1001", owner: `cloud-platform@${DOMAIN}` },
    sloppiness: 0.16,
    rgs: [
      { name: "rg-network-prd", app: "network", workload: "hub", owner: `network-team@${DOMAIN}`, criticality: "High" },
      { name: "rg-checkout-prd", app: "checkout", workload: "web", owner: `checkout-platform@${DOMAIN}`, dataClassification: "PCI", criticality: "Mission-Critical" },
      { name: "rg-payments-prd", app: "payments", workload: "vm", owner: `payments-team@${DOMAIN}`, dataClassification: "PCI", criticality: "Tier1", vmCount: 4 },
      { name: "rg-payments-data-prd", app: "payments", workload: "data", owner: `payments-team@${DOMAIN}`, dataClassification: "PCI", criticality: "Tier1" },
      { name: "rg-catalog-prd", app: "catalog", workload: "web", owner: `catalog-team@${DOMAIN}`, dataClassification: "Public", ownerOnRgOnly: true },
      { name: "rg-orders-prd", app: "orders", workload: "aks", owner: `orders-team@${DOMAIN}`, dataClassification: "PII", criticality: "High" },
      { name: "rg-search-prd", app: "search", workload: "vm", owner: `catalog-team@${DOMAIN}`, dataClassification: "Internal", vmCount: 4, ownerOnRgOnly: true },
      { name: "rg-customer-data-prd", app: "customer-profile", workload: "data", owner: `crm-team@${DOMAIN}`, dataClassification: "PII", criticality: "High" },
      { name: "rg-identity-prd", app: "identity", workload: "identity", owner: `iam-team@${DOMAIN}`, criticality: "High" },
      { name: "rg-monitoring-prd", app: "observability", workload: "monitor", owner: `sre-team@${DOMAIN}` },
      { name: "rg-jump-prd", app: "operations", workload: "jump", owner: `sre-team@${DOMAIN}`, ownerOnRgOnly: true, vmCount: 2 },
      { name: "rg-loyalty-prd", app: "loyalty", workload: "web", owner: `crm-team@${DOMAIN}`, dataClassification: "PII" },
    ],
  },
  {
    key: "dev",
    displayName: "Fabrikam Dev/Test",
    envTag: "dev",
    tags: { Environment: "Dev", costcenter: "CC-2040" },
    sloppiness: 0.5,
    rgs: [
      { name: "rg-network-dev", app: "network", workload: "hub", owner: `network-team@${DOMAIN}` },
      { name: "rg-checkout-dev", app: "checkout", workload: "web", owner: `checkout-platform@${DOMAIN}`, dataClassification: "Internal" },
      { name: "rg-payments-dev", app: "payments", workload: "vm", owner: `payments-team@${DOMAIN}`, dataClassification: "Confidential", vmCount: 2 },
      { name: "rg-orders-dev", app: "orders", workload: "aks", owner: `orders-team@${DOMAIN}`, ownerOnRgOnly: true },
      { name: "rg-catalog-dev", app: "catalog", workload: "web", owner: "", ownerOnRgOnly: true },
      { name: "rg-ml-dev", app: "recommendations-ml", workload: "data", owner: `data-science@${DOMAIN}`, dataClassification: "PII" },
      { name: "rg-build-dev", app: "ci", workload: "jump", owner: `devops-team@${DOMAIN}`, vmCount: 3 },
      { name: "rg-sandbox-lchen", app: "sandbox", workload: "vm", owner: `l.chen@${DOMAIN}`, vmCount: 2 },
      { name: "rg-sandbox-tnguyen", app: "sandbox", workload: "web", owner: "" },
      { name: "rg-monitoring-dev", app: "observability", workload: "monitor", owner: `sre-team@${DOMAIN}` },
      { name: "rg-loadtest-dev", app: "loadtest", workload: "vm", owner: `sre-team@${DOMAIN}`, vmCount: 5, ownerOnRgOnly: true },
    ],
  },
  {
    key: "corp",
    displayName: "Fabrikam Corporate Shared",
    envTag: "Shared",
    tags: { env: "shared", CostCenter: "CC-0100", Owner: `corp-it@${DOMAIN}` },
    sloppiness: 0.3,
    rgs: [
      { name: "rg-hub-network", app: "network", workload: "hub", owner: `network-team@${DOMAIN}`, criticality: "High" },
      { name: "rg-intranet", app: "intranet", workload: "web", owner: `corp-it@${DOMAIN}`, dataClassification: "Internal" },
      { name: "rg-hr-apps", app: "hr-portal", workload: "web", owner: `hr-systems@${DOMAIN}`, dataClassification: "PII", criticality: "High" },
      { name: "rg-finance-apps", app: "finance", workload: "vm", owner: `finance-it@${DOMAIN}`, dataClassification: "Confidential", criticality: "High", vmCount: 3 },
      { name: "rg-finance-data", app: "finance", workload: "data", owner: `finance-it@${DOMAIN}`, dataClassification: "Confidential", criticality: "High" },
      { name: "rg-logging", app: "security-logging", workload: "monitor", owner: `secops@${DOMAIN}`, criticality: "High" },
      { name: "rg-devops", app: "devops", workload: "aks", owner: `devops-team@${DOMAIN}`, ownerOnRgOnly: true },
      { name: "rg-fileshares", app: "file-services", workload: "data", owner: `corp-it@${DOMAIN}`, dataClassification: "Confidential", ownerOnRgOnly: true },
      { name: "rg-identity-corp", app: "identity", workload: "identity", owner: `iam-team@${DOMAIN}` },
      { name: "rg-vdi", app: "virtual-desktops", workload: "jump", owner: `corp-it@${DOMAIN}`, vmCount: 3 },
    ],
  },
];

/** Real built-in Azure role definition GUIDs (facts). */
export const ROLES = {
  Owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  Contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  Reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
  "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
  "Key Vault Administrator": "00482a5a-887f-4fb3-b363-3b7fe8e74483",
  "Storage Blob Data Reader": "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
  "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  "User Access Administrator": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
} as const;

/** Real CVE ids used for vulnerability sub-assessments (facts; several are in CISA KEV). */
export const CVES = [
  { id: "CVE-2021-44228", title: "Apache Log4j2 JNDI remote code execution", severity: "High", cvss: 10.0, os: "Linux" },
  { id: "CVE-2019-0708", title: "Remote Desktop Services remote code execution", severity: "High", cvss: 9.8, os: "Windows" },
  { id: "CVE-2021-34527", title: "Windows Print Spooler remote code execution", severity: "High", cvss: 8.8, os: "Windows" },
  { id: "CVE-2022-22965", title: "Spring Framework data binding remote code execution", severity: "High", cvss: 9.8, os: "Linux" },
  { id: "CVE-2023-4863", title: "libwebp heap buffer overflow", severity: "High", cvss: 8.8, os: "Linux" },
  { id: "CVE-2024-3094", title: "xz-utils backdoor in liblzma", severity: "High", cvss: 10.0, os: "Linux" },
  { id: "CVE-2023-38408", title: "OpenSSH ssh-agent remote code execution", severity: "High", cvss: 9.8, os: "Linux" },
  { id: "CVE-2022-0847", title: "Linux kernel pipe buffer privilege escalation", severity: "High", cvss: 7.8, os: "Linux" },
  { id: "CVE-2023-23397", title: "Outlook elevation of privilege", severity: "High", cvss: 9.8, os: "Windows" },
  { id: "CVE-2023-44487", title: "HTTP/2 rapid reset denial of service", severity: "Medium", cvss: 7.5, os: "Linux" },
  { id: "CVE-2022-37434", title: "zlib inflate heap overflow", severity: "Medium", cvss: 9.8, os: "Linux" },
  { id: "CVE-2023-24932", title: "Secure Boot security feature bypass", severity: "Medium", cvss: 6.7, os: "Windows" },
  { id: "CVE-2022-3602", title: "OpenSSL X.509 email address buffer overflow", severity: "Medium", cvss: 7.5, os: "Linux" },
  { id: "CVE-2020-1472", title: "Netlogon elevation of privilege", severity: "High", cvss: 10.0, os: "Windows" },
] as const;
