// The example pipeline as a module the `djx` CLI and the extension can load
// (`djx populate examples/pipeline/index.ts ProcessedData`): tables bound to the schema
// named by DJ_PIPELINE_SCHEMA (default `dj_example_pipeline`), connected from the usual
// settings (DJ_HOST, DJ_USER, DJ_PASS, datajoint.json) on first use.
import { createPipeline } from './pipeline';

export const pipeline = createPipeline(process.env.DJ_PIPELINE_SCHEMA || 'dj_example_pipeline');
export const { schema, Subject, Method, Session, RawData, ProcessedData } = pipeline;
export { createPipeline, type Pipeline } from './pipeline';
export { seedPipeline, type SeedOptions } from './seed';
