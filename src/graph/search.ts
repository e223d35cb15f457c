/**
 * k best paths from one source to every target node in one pass: a label-setting Dijkstra where each node may be
 * settled up to k times (the k cheapest distinct walks reaching it), walks that revisit a node are dropped, and
 * a label is only pushed when it beats the k-th best tentative cost of its node. Cost = sum over edges of
 * `kindCost[kind] * nodeFactor[head]`; all arrays are typed, no per-edge allocation.
 */
export interface SearchInput {
	offsets: Int32Array;
	targets: Int32Array;
	kinds: Uint8Array;
	kindCost: Float64Array;
	/** multiplier on the cost of entering a node (lower = more attractive to an attacker), > 0 */
	nodeFactor?: Float64Array;
	source: number;
	/** 1 for target nodes */
	isTarget: Uint8Array;
	k: number;
	/** maximum number of edges on a path */
	maxEdges?: number;
}

export interface SearchResult {
	/** per target node, up to k settled label ids (-1 = none), cheapest first: `targetLabels[node * k + j]` */
	targetLabels: Int32Array;
	labelNode: Int32Array;
	labelParent: Int32Array;
	labelCost: Float64Array;
	/** labels created (work done) */
	labelCount: number;
}

export function kBestPaths(input: SearchInput): SearchResult {
	const { offsets, targets, kinds, kindCost, nodeFactor, source, isTarget, k } =
		input;
	const maxEdges = input.maxEdges ?? 12;
	const n = offsets.length - 1;
	let cap = Math.max(1024, n);
	let labelNode = new Int32Array(cap);
	let labelParent = new Int32Array(cap);
	let labelCost = new Float64Array(cap);
	let labelDepth = new Uint8Array(cap);
	let count = 0;
	const best = new Float64Array(n * k).fill(Number.POSITIVE_INFINITY);
	const settled = new Uint8Array(n);
	const targetLabels = new Int32Array(n * k).fill(-1);

	// binary min-heap of label ids keyed by labelCost
	let heap = new Int32Array(cap);
	let hsize = 0;
	const hpush = (l: number) => {
		if (hsize === heap.length) {
			const h2 = new Int32Array(heap.length * 2);
			h2.set(heap);
			heap = h2;
		}
		let i = hsize++;
		const c = labelCost[l];
		while (i > 0) {
			const p = (i - 1) >> 1;
			if (labelCost[heap[p]] <= c) break;
			heap[i] = heap[p];
			i = p;
		}
		heap[i] = l;
	};
	const hpop = (): number => {
		const top = heap[0];
		const last = heap[--hsize];
		const c = labelCost[last];
		let i = 0;
		for (;;) {
			let ch = 2 * i + 1;
			if (ch >= hsize) break;
			if (ch + 1 < hsize && labelCost[heap[ch + 1]] < labelCost[heap[ch]]) ch++;
			if (labelCost[heap[ch]] >= c) break;
			heap[i] = heap[ch];
			i = ch;
		}
		heap[i] = last;
		return top;
	};
	const newLabel = (
		node: number,
		parent: number,
		cost: number,
		depth: number,
	): number => {
		if (count === cap) {
			cap *= 2;
			const g32 = (a: Int32Array) => {
				const b = new Int32Array(cap);
				b.set(a);
				return b;
			};
			labelNode = g32(labelNode);
			labelParent = g32(labelParent);
			const c2 = new Float64Array(cap);
			c2.set(labelCost);
			labelCost = c2;
			const d2 = new Uint8Array(cap);
			d2.set(labelDepth);
			labelDepth = d2;
		}
		labelNode[count] = node;
		labelParent[count] = parent;
		labelCost[count] = cost;
		labelDepth[count] = depth;
		return count++;
	};

	hpush(newLabel(source, -1, 0, 0));
	while (hsize > 0) {
		const l = hpop();
		const v = labelNode[l];
		if (settled[v] >= k) continue;
		const slot = settled[v]++;
		if (isTarget[v]) targetLabels[v * k + slot] = l;
		const depth = labelDepth[l];
		if (depth >= maxEdges) continue;
		const base = labelCost[l];
		for (let e = offsets[v], end = offsets[v + 1]; e < end; e++) {
			const w = targets[e];
			if (settled[w] >= k) continue;
			const cost = base + kindCost[kinds[e]] * (nodeFactor ? nodeFactor[w] : 1);
			const row = w * k;
			if (cost >= best[row + k - 1]) continue;
			// drop walks that revisit w
			let cyc = false;
			for (let a = l; a !== -1; a = labelParent[a])
				if (labelNode[a] === w) {
					cyc = true;
					break;
				}
			if (cyc) continue;
			let j = k - 1;
			while (j > 0 && best[row + j - 1] > cost) {
				best[row + j] = best[row + j - 1];
				j--;
			}
			best[row + j] = cost;
			hpush(newLabel(w, l, cost, depth + 1));
		}
	}
	return {
		targetLabels,
		labelNode: labelNode.subarray(0, count),
		labelParent: labelParent.subarray(0, count),
		labelCost: labelCost.subarray(0, count),
		labelCount: count,
	};
}

/** Node sequence of a label, source first. */
export function labelPath(r: SearchResult, label: number): number[] {
	const out: number[] = [];
	for (let a = label; a !== -1; a = r.labelParent[a]) out.push(r.labelNode[a]);
	return out.reverse();
}
