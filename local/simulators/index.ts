/**
 * The local upstream simulators (Zilliz Cloud, Huawei IAM + ModelArts) used by
 * `npm start`, the integration tests and the benchmarks.
 */
export {
  startZillizSimulator,
  zillizSampleData,
  ZILLIZ_DEFAULT_API_KEY,
  type ZillizCloud,
  type ZillizData,
  type ZillizRegion,
  type ZillizRegionInput,
  type ZillizSimulator,
  type ZillizSimulatorOptions,
} from './zilliz';
export {
  startModelartsSimulator,
  modelartsSampleData,
  MODELARTS_DEFAULTS,
  type ModelartsData,
  type ModelartsRegion,
  type ModelartsSimulator,
  type ModelartsSimulatorOptions,
} from './modelarts';
export { FaultQueue, faultSchema, type Fault, type FaultKind, type FaultMatch, type FaultOptions } from './faults';
export { handleControl, type RecordedRequest, type SimulatorBase } from './control';

import type { ModelartsSimulator } from './modelarts';
import type { ZillizSimulator } from './zilliz';

/** The settings that point both sources of the sync function at these simulators (IAM password login). */
export function simulatorEnv(zilliz: ZillizSimulator, modelarts: ModelartsSimulator): Record<string, string> {
  return {
    ZILLIZ_BASE_URL: zilliz.url,
    ZILLIZ_API_KEY: zilliz.apiKey,
    MODELARTS_ENDPOINT: modelarts.url,
    HUAWEI_PROJECT_ID: modelarts.projectId,
    HUAWEI_IAM_ENDPOINT: modelarts.url,
    HUAWEI_DOMAIN_NAME: modelarts.domainName,
    HUAWEI_USERNAME: modelarts.username,
    HUAWEI_PASSWORD: modelarts.password,
  };
}
