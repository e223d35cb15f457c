import type { TokenCredential } from "@azure/core-auth";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { contentHash } from "./format";
import { PermanentDeliveryError, type Sink } from "./sinks";

export interface BlobSinkOptions {
  name?: string;
  /** A connection string (Azurite, account key) or an account URL used with `credential`. */
  connectionString?: string;
  accountUrl?: string;
  credential?: TokenCredential;
  container?: string;
}

export interface PolicyDraftPayload {
  /** Draft name, e.g. the policy definition name; becomes the folder. */
  name: string;
  content: string;
  findingId?: string;
  approvalId?: string;
}

/**
 * Azure Blob for policy drafts (and audit exports), versioned by Clarion itself so it works the same on
 * accounts with or without blob versioning and on Azurite: `{name}/v{n}.json` is immutable, `{name}/latest.json`
 * points at the newest; each blob carries `sha256` metadata, and the same content is never written twice.
 */
export function blobSink(o: BlobSinkOptions): Sink {
  const service = o.connectionString
    ? BlobServiceClient.fromConnectionString(o.connectionString)
    : o.accountUrl && o.credential
      ? new BlobServiceClient(o.accountUrl, o.credential)
      : undefined;
  if (!service) throw new PermanentDeliveryError("the blob sink needs a connection string or an account URL and credential");
  const container = service.getContainerClient(o.container ?? "clarion-policy-drafts");
  let ready: Promise<unknown> | undefined;
  return {
    name: o.name ?? "blob",
    type: "blob",
    async deliver(msg) {
      const p = msg.payload as PolicyDraftPayload;
      if (!p?.name || typeof p.content !== "string") throw new PermanentDeliveryError(`message ${msg.id} is not a policy draft`);
      ready ??= container.createIfNotExists();
      await ready;
      const r = await writeVersioned(container, p);
      return { statusCode: 201, skipped: !r.written };
    },
  };
}

export async function writeVersioned(
  container: ContainerClient,
  p: PolicyDraftPayload,
): Promise<{ written: boolean; version: number; blob: string }> {
  const folder = p.name.replace(/[^A-Za-z0-9._-]+/g, "-");
  const sha = contentHash(p.content);
  let latest = 0;
  for await (const b of container.listBlobsFlat({ prefix: `${folder}/v`, includeMetadata: true })) {
    const n = Number(/\/v(\d+)\.json$/.exec(b.name)?.[1] ?? 0);
    if (n > latest) latest = n;
    if (b.metadata?.sha256 === sha) return { written: false, version: n, blob: b.name };
  }
  const version = latest + 1;
  const blob = `${folder}/v${version}.json`;
  const metadata = {
    sha256: sha,
    version: String(version),
    ...(p.findingId ? { findingid: p.findingId } : {}),
    ...(p.approvalId ? { approvalid: p.approvalId } : {}),
  };
  const headers = { blobHTTPHeaders: { blobContentType: "application/json" }, metadata };
  // Immutable versions: refuse to overwrite an existing vN (a concurrent writer took it; the retry recomputes).
  await container
    .getBlockBlobClient(blob)
    .upload(p.content, Buffer.byteLength(p.content), { ...headers, conditions: { ifNoneMatch: "*" } });
  await container.getBlockBlobClient(`${folder}/latest.json`).upload(p.content, Buffer.byteLength(p.content), headers);
  return { written: true, version, blob };
}
