/** Synthetic layered scenes with exact ground-truth edits: the benchmark's clips, the demo's sample, test data. */
export * from './colour';
export * from './texture';
export * from './shapes';
export * from './scene';
export * from './render';
export * from './cases';
export * from './mask';
export * from './random';
export { writeCase, writePng, frameName, type WriteCaseOptions, type WrittenCase } from './write-case';
