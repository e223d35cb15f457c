import { describePackFixtures } from "../../../src/packs/testing";

describePackFixtures(import.meta.url);
