/**
 * A synthetic Azure-shaped exposure graph for B3: Internet -> exposed workloads / public PaaS; workloads <-> VNets
 * (hubs), VNet peering, private endpoints; workloads -> user-assigned identities; identities -> data stores by role
 * assignments. Deterministic (seeded). Sizes default to 400k nodes / 2M edges with 1% critical nodes.
 */
export interface SyntheticGraph {
	n: number;
	src: Int32Array;
	dst: Int32Array;
	kind: Uint8Array;
	isTarget: Uint8Array;
	targets: number[];
}

function rng(seed: number) {
	let s = seed >>> 0;
	return () => {
		s = (s + 0x6d2b79f5) >>> 0;
		let t = s;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

// edge kinds as in src/graph/build.ts EDGE_KINDS
const K = {
	exposed: 0,
	inVnet: 2,
	vnetReach: 3,
	peering: 4,
	privateEndpoint: 5,
	identity: 7,
	role: 8,
};

export function syntheticGraph(
	opts: {
		nodes?: number;
		edges?: number;
		criticalShare?: number;
		seed?: number;
	} = {},
): SyntheticGraph {
	const N = opts.nodes ?? 400_000;
	const M = opts.edges ?? 2_000_000;
	const r = rng(opts.seed ?? 7);
	const nV = Math.round(N * 0.005);
	const nW = Math.round(N * 0.5);
	const nI = Math.round(N * 0.1);
	const nD = N - 1 - nV - nW - nI;
	const V0 = 1,
		W0 = V0 + nV,
		I0 = W0 + nW,
		D0 = I0 + nI;
	const src = new Int32Array(M),
		dst = new Int32Array(M),
		kind = new Uint8Array(M);
	let m = 0;
	const add = (s: number, d: number, k: number) => {
		if (m < M && s !== d) {
			src[m] = s;
			dst[m] = d;
			kind[m] = k;
			m++;
		}
	};
	const pick = (base: number, count: number) => base + Math.floor(r() * count);
	const vnetOf = new Int32Array(nW);
	for (let i = 0; i < nW; i++) {
		const w = W0 + i;
		const v = pick(V0, nV);
		vnetOf[i] = v;
		add(w, v, K.inVnet);
		if (r() < 0.6) add(v, w, K.vnetReach);
		if (r() < 0.02) add(0, w, K.exposed);
		if (r() < 0.2) add(w, pick(I0, nI), K.identity);
	}
	for (let i = 0; i < nV; i++)
		for (let j = 0; j < 2; j++) add(V0 + i, pick(V0, nV), K.peering);
	for (let i = 0; i < nD; i++) {
		const d = D0 + i;
		if (r() < 0.05) add(0, d, K.exposed);
		if (r() < 0.5) add(pick(V0, nV), d, K.privateEndpoint);
	}
	// role assignments: from identities and from workloads with a system identity, until the edge budget is used
	while (m < M) {
		const holder = r() < 0.5 ? pick(I0, nI) : pick(W0, nW);
		// a role scoped to a resource group: stores near each other
		const base = pick(D0, nD - 8);
		add(holder, base + Math.floor(r() * 8), K.role);
	}
	const isTarget = new Uint8Array(N);
	const targets: number[] = [];
	const want = Math.round(N * (opts.criticalShare ?? 0.01));
	while (targets.length < want) {
		const t = pick(D0, nD);
		if (!isTarget[t]) {
			isTarget[t] = 1;
			targets.push(t);
		}
	}
	return { n: N, src, dst, kind, isTarget, targets };
}
