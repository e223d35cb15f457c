/**
 * What the continuous-export consumer needs from Event Hubs, and nothing more: the partitions, and a batch
 * of events after a sequence number. The production adapter wraps `@azure/event-hubs`'
 * EventHubConsumerClient (receive from `{ sequenceNumber, isInclusive: false }`); that service cannot be
 * reached from the test machines, so the consumer is tested with `MemoryPartitionSource` below.
 */
export interface ReceivedEvent {
  partitionId: string;
  sequenceNumber: number;
  /** The broker's offset (a string in the Event Hubs API), recorded in checkpoints beside the sequence number. */
  offset: string;
  enqueuedTimeUtc: Date;
  /** The decoded body (JSON parsed from UTF-8), or a string/Uint8Array when it was not JSON. */
  body: unknown;
}

export interface PartitionSource {
  readonly fullyQualifiedNamespace: string;
  readonly eventHubName: string;
  readonly consumerGroup: string;
  getPartitionIds(): Promise<string[]>;
  /** Up to `max` events with sequence number > `afterSequenceNumber` (-1 = from the start), in order. */
  receiveBatch(partitionId: string, afterSequenceNumber: number, max: number): Promise<ReceivedEvent[]>;
}

/** An in-process hub: `send` appends to a partition (round robin, or by key), like the service does. */
export class MemoryPartitionSource implements PartitionSource {
  readonly fullyQualifiedNamespace: string;
  readonly eventHubName: string;
  readonly consumerGroup: string;
  private readonly partitions: ReceivedEvent[][];
  private next = 0;
  /** Calls to receiveBatch, for tests that check where a consumer resumed. */
  readonly reads: { partitionId: string; after: number }[] = [];

  constructor(opts: { partitions?: number; namespace?: string; eventHub?: string; consumerGroup?: string } = {}) {
    this.partitions = Array.from({ length: opts.partitions ?? 2 }, () => []);
    this.fullyQualifiedNamespace = opts.namespace ?? "ehns-sec.servicebus.windows.net";
    this.eventHubName = opts.eventHub ?? "defender";
    this.consumerGroup = opts.consumerGroup ?? "$Default";
  }

  send(body: unknown, partitionKey?: string): ReceivedEvent {
    const p = partitionKey === undefined ? this.next++ % this.partitions.length : hash(partitionKey) % this.partitions.length;
    const list = this.partitions[p];
    const ev: ReceivedEvent = {
      partitionId: String(p),
      sequenceNumber: list.length,
      offset: String(list.reduce((n, e) => n + JSON.stringify(e.body).length, 0)),
      enqueuedTimeUtc: new Date(Date.UTC(2025, 1, 10, 9, 0, list.length)),
      body,
    };
    list.push(ev);
    return ev;
  }

  async getPartitionIds(): Promise<string[]> {
    return this.partitions.map((_, i) => String(i));
  }

  async receiveBatch(partitionId: string, afterSequenceNumber: number, max: number): Promise<ReceivedEvent[]> {
    this.reads.push({ partitionId, after: afterSequenceNumber });
    return (this.partitions[Number(partitionId)] ?? []).filter((e) => e.sequenceNumber > afterSequenceNumber).slice(0, max);
  }
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0;
  return h;
}
