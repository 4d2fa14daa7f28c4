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
