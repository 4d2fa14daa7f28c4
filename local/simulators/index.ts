/**
 * The local upstream simulators (Zilliz Cloud, Huawei IAM + ModelArts) used by
 * `npm start`, the integration tests and the benchmarks.
 */
export {
  startZillizSimulator,
  documentedRegion,
  zillizSampleData,
  zillizSeedData,
  zillizV1Domain,
  ZILLIZ_DEFAULT_API_KEY,
  ZILLIZ_V2_DOMAIN,
  type ZillizCloud,
  type ZillizData,
  type ZillizRegion,
  type ZillizRegionInput,
  type ZillizShape,
  type ZillizSimulator,
  type ZillizSimulatorOptions,
} from './zilliz';
export {
  startModelartsSimulator,
  modelartsSampleData,
  MODELARTS_DEFAULTS,
  SDK_DATE_SKEW_MS,
  type ModelartsData,
  type ModelartsRegion,
  type ModelartsSimulator,
  type ModelartsSimulatorOptions,
} from './modelarts';
export { FaultQueue, faultSchema, type Fault, type FaultKind, type FaultMatch, type FaultOptions } from './faults';
export { handleControl, type RecordedRequest, type SimulatorBase } from './control';

import type { ModelartsSimulator } from './modelarts';
import type { ZillizSimulator } from './zilliz';

export interface SimulatorEnvOptions {
  /** Default v1: the fault matrix and the older suites target the v1 routes; `npm start` uses v2. */
  zilliz?: 'v1' | 'v2';
  /** Default `password` (IAM login); `aksk` signs with the simulator's permanent pair, `temporary` with its temporary one. */
  huawei?: 'password' | 'static' | 'aksk' | 'temporary';
}

/** The settings that point both sources of the sync function at these simulators. */
export function simulatorEnv(zilliz: ZillizSimulator, modelarts: ModelartsSimulator, options: SimulatorEnvOptions = {}): Record<string, string> {
  return {
    ZILLIZ_BASE_URL: zilliz.url,
    ZILLIZ_API_KEY: zilliz.apiKey,
    ZILLIZ_API_VERSION: options.zilliz ?? 'v1',
    MODELARTS_ENDPOINT: modelarts.url,
    HUAWEI_PROJECT_ID: modelarts.projectId,
    ...huaweiEnv(modelarts, options.huawei ?? 'password'),
  };
}

/** The Huawei credentials of one method, for these simulators. */
export function huaweiEnv(modelarts: ModelartsSimulator, method: NonNullable<SimulatorEnvOptions['huawei']>): Record<string, string> {
  switch (method) {
    case 'aksk':
      return { HUAWEI_ACCESS_KEY: modelarts.accessKey, HUAWEI_SECRET_KEY: modelarts.secretKey };
    case 'temporary':
      return {
        HUAWEI_ACCESS_KEY: modelarts.temporary.accessKey,
        HUAWEI_SECRET_KEY: modelarts.temporary.secretKey,
        HUAWEI_SECURITY_TOKEN: modelarts.temporary.securityToken,
      };
    case 'static':
      return { HUAWEI_AUTH_TOKEN: modelarts.staticToken ?? '' };
    case 'password':
      return {
        HUAWEI_IAM_ENDPOINT: modelarts.url,
        HUAWEI_DOMAIN_NAME: modelarts.domainName,
        HUAWEI_USERNAME: modelarts.username,
        HUAWEI_PASSWORD: modelarts.password,
      };
  }
}
