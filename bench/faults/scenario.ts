/** The `faults` scenario's entry in the catalogue (bench/scenarios/index.ts): its own runner, bench/faults/run-faults.ts. */
import type { CustomScenario } from '../scenarios/types.ts';
import { FAULTS_DESCRIPTION } from './run-faults.ts';

export const faults: CustomScenario = {
  kind: 'custom',
  name: 'faults',
  description: FAULTS_DESCRIPTION,
  defaults: {},
};
