#!/usr/bin/env node
// Azure DevOps task "ClarionPolicyCheck" (task.json). Reads its inputs the way the agent passes them (INPUT_<NAME>),
// runs integrations/clarion-policy-check.mjs, publishes the SARIF as the CodeAnalysisLogs artifact (shown by the SARIF SAST
// Scans tab), the Markdown summary as a build summary, and fails the task on invalid policies.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const input = (name, dflt = "") => (process.env[`INPUT_${name.toUpperCase()}`] ?? "").trim() || dflt;
const vso = (cmd, props, msg = "") =>
  process.stdout.write(`##vso[${cmd}${Object.entries(props).map(([k, v]) => ` ${k}=${v}`).join(";")}]${msg}\n`);

const root = resolve(input("clarionRoot", join(here, "..", "..")));
const stripRef = (r) => r.replace(/^refs\/heads\//, "");
const target = input("targetBranch", stripRef(process.env.SYSTEM_PULLREQUEST_TARGETBRANCH ?? ""));
const staging = process.env.BUILD_ARTIFACTSTAGINGDIRECTORY ?? process.cwd();
const sarif = resolve(input("sarifFile", join(staging, "CodeAnalysisLogs", "clarion-policy.sarif")));
const summary = join(process.env.AGENT_TEMPDIRECTORY ?? staging, "clarion-policy.md");
mkdirSync(dirname(sarif), { recursive: true });

const args = [join(root, "integrations", "clarion-policy-check.mjs"), "--paths", input("paths", "policies"), "--sarif", sarif, "--summary", summary, "--fail-on", input("failOn", "invalid")];
if (target) {
  spawnSync("git", ["fetch", "--no-tags", "--depth=50", "origin", target], { stdio: "inherit" });
  args.push("--base", `origin/${target}`);
} else args.push("--base", "HEAD~1");
const inv = input("inventory");
if (inv) args.push("--input", inv);

const r = spawnSync(process.execPath, args, { stdio: "inherit", cwd: process.env.BUILD_SOURCESDIRECTORY ?? process.cwd() });
vso("artifact.upload", { containerfolder: "CodeAnalysisLogs", artifactname: "CodeAnalysisLogs" }, sarif);
vso("task.uploadsummary", {}, summary);
if (r.status === 0) vso("task.complete", { result: "Succeeded" }, "Clarion policy check passed");
else {
  vso("task.logissue", { type: "error" }, r.status === 2 ? "Clarion found invalid policy definitions" : `Clarion policy check failed (exit ${r.status})`);
  vso("task.complete", { result: "Failed" }, "Clarion policy check failed");
  process.exitCode = 1;
}
