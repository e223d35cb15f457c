/**
 * Runs the Azure simulator standalone, serving the demo tenant (or the small fixture with --fixture).
 *
 *   npx tsx simulator/main.ts [--fixture] [--seed N] [--scale N] [--fault-rate 0.2]
 *
 * Prints the environment to point `clarion sync --source azure` at it.
 */
import { makeFixtureTenant } from "./fixtures/tenant";
import { startSimulator } from "./server";
import type { SimTenant } from "./tenant";

const argv = process.argv.slice(2);
const num = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : undefined;
};
let tenant: SimTenant;
if (argv.includes("--fixture")) tenant = makeFixtureTenant({ now: new Date() });
else {
  const { generateDemoTenant } = await import("../src/sources/demo/index");
  const { truth: _truth, packErrors: _errors, ...raw } = await generateDemoTenant({ seed: num("seed"), scale: num("scale") });
  tenant = raw;
}
const rate = num("fault-rate");
const sim = await startSimulator({ tenant, faults: rate ? { rate } : undefined });
process.stdout.write(
  `Azure simulator on ${sim.url} (${tenant.resources.length} resources, ${tenant.securityResources.length} security rows)\n` +
    `export CLARION_AZURE_ENDPOINT=${sim.url}\nexport CLARION_AZURE_TOKEN=${sim.token}\nexport NODE_EXTRA_CA_CERTS=${sim.cert.certPath}\n`,
);
const stop = () => sim.stop().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
