import type { ArmResource } from "../../../src/domain/resource";
import { compliant, isType, notApplicable, prop } from "../../../src/packs/helpers";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, nonEmpty } from "../../_lib/evaluate";

/** Healthy when the cluster is private or its API server allows only listed IP ranges. */
export function evaluate(resource: ArmResource): Evaluation {
  if (!isType(resource, "Microsoft.ContainerService/managedClusters")) return notApplicable("not an AKS cluster");
  if (prop(resource, "properties.apiServerAccessProfile.enablePrivateCluster") === true)
    return compliant("the cluster is private", "properties.apiServerAccessProfile.enablePrivateCluster", true);
  return checkProps(resource, ["Microsoft.ContainerService/managedClusters"], [
    { path: "properties.apiServerAccessProfile.authorizedIPRanges", ok: nonEmpty, expect: "a list of authorized IP ranges" },
  ]);
}
