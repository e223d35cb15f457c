import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConflictError } from "../../domain/errors";
import { Normalizer } from "../../pipeline/normalize";
import { type Azurite, startAzurite } from "./azurite";
import { BlobCheckpointStore } from "./checkpoint-store";
import { consumeOnce, decodeBatch, type ExportBatch } from "./consumer";
import { MemoryPartitionSource, type ReceivedEvent } from "./partition-source";

const SUB = "0b1f6471-1bf0-4dda-aec3-111122223333";
const res = (n: number) => `/subscriptions/${SUB}/resourceGroups/rg-web/providers/Microsoft.Storage/storageAccounts/st${n}`;
const KEY = "1c5de8e1-f68d-6a17-e0d2-ec259c42768c";

/** An assessment event body in the continuous-export shape (section 8.2). */
function assessment(n: number, code: "Healthy" | "Unhealthy", changed: string, action = "Insert") {
  return {
    assessmentEventDataEnrichment: { action, apiVersion: "2019-01-01", isSnapshot: false },
    securityEventDataEnrichment: { action, apiVersion: "2019-01-01", isSnapshot: false },
    tenantId: "72f988bf-0000-0000-0000-000000000000",
    type: "Microsoft.Security/assessments",
    id: `${res(n)}/providers/Microsoft.Security/assessments/${KEY}`,
    name: KEY,
    properties: {
      resourceDetails: { source: "Azure", id: res(n), resourceName: `st${n}`, resourceType: "storageAccounts", resourceProvider: "Microsoft.Storage" },
      displayName: "Secure transfer to storage accounts should be enabled",
      status: { code, cause: "", description: "", firstEvaluationDate: "2025-01-10T08:14:02Z", statusChangeDate: changed },
      additionalData: {},
      metadata: { displayName: "Secure transfer to storage accounts should be enabled", assessmentType: "BuiltIn", severity: "Medium", categories: ["Data"] },
    },
  };
}

const alert = {
  VendorName: "Microsoft",
  AlertType: "Storage.Blob_AnonymousAccessAnomaly",
  StartTimeUtc: "2025-02-10T08:32:12.95Z",
  TimeGenerated: "2025-02-10T09:19:16.48Z",
  Severity: "Medium",
  Status: "New",
  SystemAlertId: "2518300358900000000_8f2e1c7a",
  Intent: "Exfiltration",
  AzureResourceId: res(1),
  AlertDisplayName: "Unusual unauthenticated access to a storage container",
  Entities: [{ $id: "4", ResourceId: res(1), Type: "azure-resource" }],
  ResourceIdentifiers: [{ $ref: "2" }, { $id: "2", AzureResourceId: res(2), Type: "AzureResource" }],
};

const ev = (seq: number, body: unknown, minute = seq): ReceivedEvent => ({ partitionId: "0", sequenceNumber: seq, offset: String(seq * 100), enqueuedTimeUtc: new Date(Date.UTC(2025, 1, 10, 9, minute)), body });

describe("decoding continuous-export events", () => {
  it("dedupes on id keeping the latest statusChangeDate, accepts arrays, strips the envelope, keeps deletes apart", () => {
    const b = decodeBatch("0", [
      ev(0, assessment(1, "Unhealthy", "2025-02-01T00:00:00Z")),
      ev(1, [assessment(2, "Unhealthy", "2025-02-01T00:00:00Z"), assessment(3, "Unhealthy", "2025-02-01T00:00:00Z")]),
      ev(2, assessment(1, "Healthy", "2025-02-03T00:00:00Z")),
      ev(3, assessment(1, "Unhealthy", "2025-02-02T00:00:00Z")), // redelivered older state, arrives last: loses
      ev(4, assessment(3, "Unhealthy", "2025-02-01T00:00:00Z", "Delete")),
      ev(5, "not json at all"),
      ev(6, JSON.stringify(assessment(4, "Unhealthy", "2025-02-01T00:00:00Z"))),
    ]);
    expect(b.deletes).toEqual([`${res(3)}/providers/Microsoft.Security/assessments/${KEY}`.toLowerCase()]);
    expect(b.skipped).toEqual([{ sequenceNumber: 5, reason: "body is not a JSON object" }]);
    expect(b.duplicates).toBe(3);
    const n = new Normalizer().addAll(b.rows);
    expect(n.report.rejected).toBe(0);
    const byRes = new Map(n.tenant.assessments.map((a) => [a.resourceId, a.status]));
    expect(byRes).toEqual(new Map([[res(1), "Healthy"], [res(2), "Unhealthy"], [res(4), "Unhealthy"]]));
    expect(b.rows.every((r) => !("assessmentEventDataEnrichment" in (r.row as object)))).toBe(true);
  });

  it("turns the PascalCase exported alert into an alert the normalizer reads, resolving $ref entities and New → Active", () => {
    const b = decodeBatch("0", [ev(0, alert), ev(1, { ...alert, Status: "Resolved", TimeGenerated: "2025-02-10T10:00:00Z" })]);
    const n = new Normalizer().addAll(b.rows);
    expect(n.report.rejected).toBe(0);
    expect(n.tenant.alerts).toHaveLength(1);
    expect(n.tenant.alerts[0]).toMatchObject({ alertType: "Storage.Blob_AnonymousAccessAnomaly", severity: "Medium", status: "Resolved", resourceIds: [res(2)], startTime: "2025-02-10T08:32:12.95Z" });
    expect(decodeBatch("0", [ev(0, { ...alert, Status: "New" })]).rows[0].row).toMatchObject({ properties: { status: "Active" } });
  });
});

describe("streaming with checkpoints in Blob Storage (Azurite)", () => {
  let azurite: Azurite;
  let container: ContainerClient;
  beforeAll(async () => {
    azurite = await startAzurite();
    container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient("checkpoints");
    await container.create();
  }, 30_000);
  afterAll(() => azurite?.stop());

  it("checkpoints after each handled batch; a consumer that dies mid-stream is resumed from the checkpoint by a new one", async () => {
    const hub = new MemoryPartitionSource({ partitions: 2 });
    for (let i = 0; i < 40; i++) hub.send(assessment(i, "Unhealthy", "2025-02-01T00:00:00Z"), `st${i}`);
    hub.send(alert, "alerts");
    const seen = new Map<string, number>();
    const handle = (b: ExportBatch) => {
      for (const r of b.rows) {
        const id = String((r.row as { id: string }).id);
        seen.set(id, (seen.get(id) ?? 0) + 1);
      }
    };
    // Consumer 1 dies while handling its third batch (after two checkpoints).
    let calls = 0;
    await expect(
      consumeOnce({
        source: hub,
        checkpoints: new BlobCheckpointStore(container),
        maxBatch: 5,
        onBatch: async (b) => {
          if (++calls === 3) throw new Error("consumer crashed");
          handle(b);
        },
      }),
    ).rejects.toThrow("consumer crashed");
    const afterCrash = seen.size;
    expect(afterCrash).toBe(10);

    // Consumer 2 (fresh process state, same blob container) resumes where the checkpoint says.
    hub.reads.length = 0;
    const r = await consumeOnce({ source: hub, checkpoints: new BlobCheckpointStore(container), maxBatch: 5, onBatch: async (b) => handle(b) });
    const p0 = hub.reads.find((x) => x.partitionId === "0");
    expect(p0?.after).toBe(9); // two batches of 5 were checkpointed on partition 0
    expect(seen.size).toBe(41);
    expect([...seen.values()].every((n) => n === 1)).toBe(true); // nothing before a checkpoint was read twice
    const total = (await hub.receiveBatch("0", -1, 1000)).length + (await hub.receiveBatch("1", -1, 1000)).length;
    expect(r.events).toBe(total - 10);

    // The checkpoint blobs: the SDK layout, positions in metadata.
    const blobs: Record<string, Record<string, string> | undefined> = {};
    for await (const b of container.listBlobsFlat({ includeMetadata: true })) blobs[b.name] = b.metadata;
    const last0 = (await hub.receiveBatch("0", -1, 1000)).pop();
    expect(blobs["ehns-sec.servicebus.windows.net/defender/$default/checkpoint/0"]).toEqual({ sequencenumber: String(last0?.sequenceNumber), offset: last0?.offset });

    // A third pass finds nothing new and reads from the end.
    const again = await consumeOnce({ source: hub, checkpoints: new BlobCheckpointStore(container), onBatch: async () => {} });
    expect(again.events).toBe(0);
  });

  it("refuses to overwrite a checkpoint another consumer wrote since it was read", async () => {
    const a = new BlobCheckpointStore(container);
    const b = new BlobCheckpointStore(container);
    const cp = { fullyQualifiedNamespace: "ns2", eventHubName: "hub", consumerGroup: "cg", partitionId: "0", sequenceNumber: 1, offset: "10" };
    await a.updateCheckpoint(cp);
    await b.listCheckpoints("ns2", "hub", "cg");
    await a.updateCheckpoint({ ...cp, sequenceNumber: 2 });
    await expect(b.updateCheckpoint({ ...cp, sequenceNumber: 3 })).rejects.toBeInstanceOf(ConflictError);
    await expect(new BlobCheckpointStore(container).updateCheckpoint({ ...cp, sequenceNumber: 4 })).rejects.toBeInstanceOf(ConflictError); // never read: must not clobber
    expect((await new BlobCheckpointStore(container).listCheckpoints("ns2", "hub", "cg"))[0].sequenceNumber).toBe(2);
  });
});
