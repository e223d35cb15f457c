import type { ArmResource } from "../../../src/domain/resource";
import { compliant, isType, noncompliant, notApplicable, prop } from "../../../src/packs/helpers";
import type { Evaluation } from "../../../src/packs/schema";
import { VM, osType } from "../../_lib/evaluate";

/** Healthy when `osProfile.<os>Configuration.patchSettings.assessmentMode` is AutomaticByPlatform (absent = ImageDefault). */
export function evaluate(resource: ArmResource): Evaluation {
  if (!isType(resource, VM)) return notApplicable(`not a ${VM}`);
  const os = osType(resource);
  if (!os) return notApplicable("the operating system type is not in the inventory row");
  const path = `properties.osProfile.${os}Configuration.patchSettings.assessmentMode`;
  const mode = prop(resource, path);
  if (typeof mode === "string" && mode.toLowerCase() === "automaticbyplatform") return compliant(`${path} is ${mode}`, path, mode);
  return noncompliant(`${path} is ${mode ?? "absent (ImageDefault)"}; expected AutomaticByPlatform`, path, mode ?? null);
}
