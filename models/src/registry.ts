/**
 * Every model the engine ships, by stage. This is the model contract: a studio can replace a stage's .onnx file
 * with a larger model that has the same input/output names and shapes (see models/dist/manifest.json).
 */
import { buildChain } from './chain';
import { buildCorrespondence, buildFlowScore, FLOW_REFINE, FLOW_SEARCH } from './correspondence';
import { Graph, OPSET } from './onnx/graph';
import { buildRestore } from './restore';
import { buildSelfTest } from './selftest';
import { buildTemporal } from './temporal';
import { buildTransfer } from './transfer';

export const MODEL_NAMES = ['correspondence_search', 'correspondence_refine', 'correspondence_score', 'chain', 'temporal', 'transfer', 'restore', 'selftest'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export const STAGE_OF: Record<ModelName, string> = {
  correspondence_search: 'correspondence',
  correspondence_refine: 'correspondence',
  correspondence_score: 'correspondence',
  chain: 'correspondence',
  temporal: 'temporal smoothing',
  transfer: 'transfer (Zero)',
  restore: 'restore (Hero)',
  selftest: 'runtime',
};

export function buildModel(name: ModelName): Graph {
  switch (name) {
    case 'correspondence_search':
      return buildCorrespondence(FLOW_SEARCH);
    case 'correspondence_refine':
      return buildCorrespondence(FLOW_REFINE);
    case 'correspondence_score':
      return buildFlowScore(FLOW_REFINE);
    case 'chain':
      return buildChain();
    case 'temporal':
      return buildTemporal();
    case 'transfer':
      return buildTransfer();
    case 'restore':
      return buildRestore();
    case 'selftest':
      return buildSelfTest();
  }
}

export interface ManifestEntry {
  name: ModelName;
  stage: string;
  file: string;
  description: string;
  opset: number;
  inputs: Array<{ name: string; shape: Array<number | string> }>;
  outputs: Array<{ name: string; shape: Array<number | string> }>;
  sha256: string;
  bytes: number;
}

export interface Manifest {
  format: 'anchorflow-models/1';
  opset: number;
  models: ManifestEntry[];
}

export { OPSET };
