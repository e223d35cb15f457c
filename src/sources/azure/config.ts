import { readFileSync } from "node:fs";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { AzureAuthorityHosts, DefaultAzureCredential } from "@azure/identity";
import { InputError } from "../../domain/errors";

/** Sovereign clouds Clarion knows. */
export type AzureCloudName = "public" | "usgov" | "china";

export interface AzureCloud {
  name: AzureCloudName;
  /** ARM host (Resource Graph, Defender, Policy, Activity Log). */
  armEndpoint: string;
  armScope: string;
  /** Log Analytics query host. */
  logAnalyticsEndpoint: string;
  logAnalyticsScope: string;
  authorityHost: string;
}

export const AZURE_CLOUDS: Record<AzureCloudName, AzureCloud> = {
  public: {
    name: "public",
    armEndpoint: "https://management.azure.com",
    armScope: "https://management.azure.com/.default",
    logAnalyticsEndpoint: "https://api.loganalytics.io",
    logAnalyticsScope: "https://api.loganalytics.io/.default",
    authorityHost: AzureAuthorityHosts.AzurePublicCloud,
  },
  usgov: {
    name: "usgov",
    armEndpoint: "https://management.usgovcloudapi.net",
    armScope: "https://management.usgovcloudapi.net/.default",
    logAnalyticsEndpoint: "https://api.loganalytics.us",
    logAnalyticsScope: "https://api.loganalytics.us/.default",
    authorityHost: AzureAuthorityHosts.AzureGovernment,
  },
  china: {
    name: "china",
    armEndpoint: "https://management.chinacloudapi.cn",
    armScope: "https://management.chinacloudapi.cn/.default",
    logAnalyticsEndpoint: "https://api.loganalytics.azure.cn",
    logAnalyticsScope: "https://api.loganalytics.azure.cn/.default",
    authorityHost: AzureAuthorityHosts.AzureChina,
  },
};

/** A fixed bearer token (the local simulator, or a token minted elsewhere). Never logged. */
export class StaticTokenCredential implements TokenCredential {
  constructor(private readonly token: string) {}
  async getToken(): Promise<AccessToken> {
    return { token: this.token, expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

export interface AzureConnection {
  cloud: AzureCloud;
  armEndpoint: string;
  logAnalyticsEndpoint: string;
  credential: TokenCredential;
  /** Extra trusted CA (PEM), e.g. the simulator's self-signed certificate. */
  ca?: string;
}

export interface AzureConnectionOptions {
  cloud?: AzureCloudName | string;
  armEndpoint?: string;
  logAnalyticsEndpoint?: string;
  credential?: TokenCredential;
  /** Static token instead of DefaultAzureCredential. */
  token?: string;
  ca?: string;
  /** Environment to read (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Resolves where and how to connect. Environment: `CLARION_AZURE_CLOUD` (public|usgov|china),
 * `CLARION_AZURE_ENDPOINT` (ARM host override, e.g. the simulator), `CLARION_LOGANALYTICS_ENDPOINT`,
 * `CLARION_AZURE_TOKEN` (static bearer token, for the simulator), `CLARION_AZURE_CA_FILE` (extra CA, PEM).
 * Without a token, DefaultAzureCredential is used (Azure CLI login, managed identity, workload identity,
 * service principal from AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET).
 */
export function resolveConnection(opts: AzureConnectionOptions = {}): AzureConnection {
  const env = opts.env ?? process.env;
  const cloudName = (opts.cloud ?? env.CLARION_AZURE_CLOUD ?? "public").toLowerCase();
  const cloud = AZURE_CLOUDS[cloudName as AzureCloudName];
  if (!cloud) throw new InputError(`unknown Azure cloud '${cloudName}' (use public, usgov or china)`, { field: "cloud" });
  const armEndpoint = trimSlash(opts.armEndpoint ?? env.CLARION_AZURE_ENDPOINT ?? cloud.armEndpoint);
  const armOverridden = Boolean(opts.armEndpoint ?? env.CLARION_AZURE_ENDPOINT);
  // An ARM override (the simulator) serves Log Analytics on the same host unless told otherwise.
  const logAnalyticsEndpoint = trimSlash(opts.logAnalyticsEndpoint ?? env.CLARION_LOGANALYTICS_ENDPOINT ?? (armOverridden ? armEndpoint : cloud.logAnalyticsEndpoint));
  const token = opts.token ?? env.CLARION_AZURE_TOKEN;
  const credential = opts.credential ?? (token ? new StaticTokenCredential(token) : new DefaultAzureCredential({ authorityHost: cloud.authorityHost }));
  const caFile = env.CLARION_AZURE_CA_FILE;
  const ca = opts.ca ?? (caFile ? readFileSync(caFile, "utf8") : undefined);
  for (const [field, url] of [["armEndpoint", armEndpoint], ["logAnalyticsEndpoint", logAnalyticsEndpoint]] as const)
    if (!/^https:\/\//i.test(url)) throw new InputError(`${field} must be an https URL, got '${url}'`, { field });
  return { cloud, armEndpoint, logAnalyticsEndpoint, credential, ca };
}

function trimSlash(s: string): string {
  return s.replace(/\/+$/, "");
}
