/**
 * B3 attack paths: 400k nodes / 2M edges, 1% critical. Clarion's one-pass k-best search (every Internet-to-critical
 * path, top 3 per target) against a per-pair graphology shortest-path loop measured in the same run.
 * Run: npx tsx bench/b3-attack-paths.ts [--nodes N] [--edges M] [--pairs P] [--baseline-seconds S]
 */
import { DirectedGraph } from "graphology";
import { bidirectional } from "graphology-shortest-path/unweighted";
import { toCsr } from "../src/graph/build";
import { KIND_COST_ARRAY } from "../src/graph/paths";
import { kBestPaths, labelPath } from "../src/graph/search";
import { syntheticGraph } from "./b3/synthetic";

const arg = (name: string, def: number) => {
	const i = process.argv.indexOf(`--${name}`);
	return i > 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg("nodes", 400_000);
const M = arg("edges", 2_000_000);
const K = 3;
const BASELINE_BUDGET_S = arg("baseline-seconds", 40);

const ms = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;

let t = process.hrtime.bigint();
const g = syntheticGraph({ nodes: N, edges: M });
console.log(
	`graph: ${g.n} nodes, ${g.src.length} edges, ${g.targets.length} critical targets (generated in ${ms(t).toFixed(0)} ms)`,
);

t = process.hrtime.bigint();
const csr = toCsr(g.n, g.src, g.dst, g.kind);
const csrMs = ms(t);

// Clarion: best of 3 runs of search + materializing every path
const runs: number[] = [];
let found = 0;
let reached = 0;
let labels = 0;
for (let run = 0; run < 3; run++) {
	t = process.hrtime.bigint();
	const r = kBestPaths({
		...csr,
		kindCost: KIND_COST_ARRAY,
		source: 0,
		isTarget: g.isTarget,
		k: K,
		maxEdges: 8,
	});
	let f = 0;
	let reach = 0;
	for (const target of g.targets) {
		let any = false;
		for (let j = 0; j < K; j++) {
			const l = r.targetLabels[target * K + j];
			if (l < 0) break;
			labelPath(r, l);
			f++;
			any = true;
		}
		if (any) reach++;
	}
	runs.push(ms(t));
	found = f;
	reached = reach;
	labels = r.labelCount;
}
const clarionMs = Math.min(...runs);
console.log(
	`clarion: CSR build ${csrMs.toFixed(0)} ms; search + ${found} paths to ${reached}/${g.targets.length} targets (top ${K} each): ${runs.map((x) => x.toFixed(0)).join(" / ")} ms (best ${clarionMs.toFixed(0)} ms, ${labels} labels)`,
);

// Baseline: graphology, one unweighted bidirectional shortest path per (Internet, target) pair.
t = process.hrtime.bigint();
const gg = new DirectedGraph({ allowSelfLoops: false });
for (let i = 0; i < g.n; i++) gg.addNode(i);
for (let e = 0; e < g.src.length; e++) gg.mergeEdge(g.src[e], g.dst[e]);
console.log(
	`graphology: graph loaded in ${ms(t).toFixed(0)} ms (${gg.order} nodes, ${gg.size} edges; not counted)`,
);
const pairsWanted = arg("pairs", g.targets.length);
t = process.hrtime.bigint();
let done = 0;
let baseFound = 0;
for (const target of g.targets.slice(0, pairsWanted)) {
	const p = bidirectional(gg, "0", String(target));
	if (p) baseFound++;
	done++;
	if (done % 50 === 0 && ms(t) > BASELINE_BUDGET_S * 1000) break;
}
const baseMs = ms(t);
const perPair = baseMs / done;
const baseAll = perPair * g.targets.length;
console.log(
	`baseline: ${done} pairs in ${baseMs.toFixed(0)} ms (${perPair.toFixed(2)} ms/pair, ${baseFound} paths, 1 per pair)` +
		(done < g.targets.length
			? `; extrapolated to all ${g.targets.length} pairs: ${baseAll.toFixed(0)} ms`
			: ""),
);
const ratio = baseAll / clarionMs;
console.log(
	`B3: clarion ${clarionMs.toFixed(0)} ms (target < 1000 ms: ${clarionMs < 1000 ? "PASS" : "FAIL"}); ${ratio.toFixed(1)}x the per-pair graphology loop (target >= 20x: ${ratio >= 20 ? "PASS" : "FAIL"})`,
);
