import type { ContainerClient } from "@azure/storage-blob";
import { ConflictError } from "../../domain/errors";

/** Where a consumer group has read up to in one partition. */
export interface Checkpoint {
  fullyQualifiedNamespace: string;
  eventHubName: string;
  consumerGroup: string;
  partitionId: string;
  sequenceNumber: number;
  offset: string;
}

export interface CheckpointStore {
  listCheckpoints(namespace: string, eventHub: string, consumerGroup: string): Promise<Checkpoint[]>;
  /** Records a checkpoint; throws ConflictError when another consumer wrote this partition's checkpoint since we read it. */
  updateCheckpoint(cp: Checkpoint): Promise<void>;
}

/**
 * Checkpoints in Azure Blob Storage, one empty blob per partition carrying the position in its metadata,
 * at `<namespace>/<eventhub>/<consumergroup>/checkpoint/<partitionId>` (lower-cased): the layout the
 * Event Hubs SDKs' blob checkpoint store uses, so a Clarion consumer and an SDK consumer can hand a
 * consumer group over to each other. Writes are conditional on the ETag last seen (or on the blob not
 * existing), so two consumers that both think they own a partition cannot silently overwrite each other.
 */
export class BlobCheckpointStore implements CheckpointStore {
  private readonly etags = new Map<string, string>();

  constructor(private readonly container: ContainerClient) {}

  private prefix(ns: string, hub: string, cg: string): string {
    return `${ns}/${hub}/${cg}/checkpoint/`.toLowerCase();
  }

  async listCheckpoints(namespace: string, eventHub: string, consumerGroup: string): Promise<Checkpoint[]> {
    const out: Checkpoint[] = [];
    const prefix = this.prefix(namespace, eventHub, consumerGroup);
    for await (const b of this.container.listBlobsFlat({ prefix, includeMetadata: true })) {
      const md = b.metadata ?? {};
      const seq = Number(md.sequencenumber);
      if (!Number.isFinite(seq)) continue;
      const partitionId = b.name.slice(prefix.length);
      if (b.properties.etag) this.etags.set(b.name, b.properties.etag);
      out.push({ fullyQualifiedNamespace: namespace, eventHubName: eventHub, consumerGroup, partitionId, sequenceNumber: seq, offset: md.offset ?? "" });
    }
    return out.sort((a, b) => Number(a.partitionId) - Number(b.partitionId) || a.partitionId.localeCompare(b.partitionId));
  }

  async updateCheckpoint(cp: Checkpoint): Promise<void> {
    const name = `${this.prefix(cp.fullyQualifiedNamespace, cp.eventHubName, cp.consumerGroup)}${cp.partitionId}`;
    const blob = this.container.getBlockBlobClient(name);
    const metadata = { sequencenumber: String(cp.sequenceNumber), offset: cp.offset };
    const etag = this.etags.get(name);
    try {
      const r = etag
        ? await blob.setMetadata(metadata, { conditions: { ifMatch: etag } })
        : await blob.upload("", 0, { metadata, conditions: { ifNoneMatch: "*" } });
      if (r.etag) this.etags.set(name, r.etag);
    } catch (e) {
      const status = (e as { statusCode?: number }).statusCode;
      if (status === 412 || status === 409)
        throw new ConflictError(`checkpoint for partition ${cp.partitionId} was written by another consumer`, { cause: e, hint: "another consumer owns this partition; re-read checkpoints before resuming" });
      throw e;
    }
  }
}

/** For tests and single-process use. */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly data = new Map<string, Checkpoint>();
  async listCheckpoints(namespace: string, eventHub: string, consumerGroup: string): Promise<Checkpoint[]> {
    return [...this.data.values()].filter((c) => c.fullyQualifiedNamespace === namespace && c.eventHubName === eventHub && c.consumerGroup === consumerGroup);
  }
  async updateCheckpoint(cp: Checkpoint): Promise<void> {
    this.data.set(`${cp.fullyQualifiedNamespace}|${cp.eventHubName}|${cp.consumerGroup}|${cp.partitionId}`, { ...cp });
  }
}
