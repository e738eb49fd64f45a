// The demo's pipeline module (`npm run demo`, scripts/demo.mjs): the example pipeline
// plus `Quality`, a Computed table whose make refuses a recording without a sampling
// rate. The demo seeds one such recording so that one key fails, then fixes the row and
// retries. Loaded by the `djx` CLI and its worker processes by path, so the schema name
// comes from the environment (DJ_PIPELINE_SCHEMA, default `dj_demo`).
import * as dj from '../../runtime/index';
import { createPipeline } from '../pipeline/pipeline';

export const pipeline = createPipeline(process.env.DJ_PIPELINE_SCHEMA || 'dj_demo');
export const { schema, Subject, Method, Session, RawData, ProcessedData } = pipeline;

// A little work per key so that the progress bar has something to show.
const MAKE_MS = Number(process.env.DJ_DEMO_MAKE_MS ?? 30);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Quality extends dj.Computed {
  static override definition = `
    # Signal quality of a recording
    -> RawData
    ---
    duration_s : float64     # seconds recorded
    rms : float64            # root mean square of the samples
  `;

  static override async make(key: dj.Row): Promise<void> {
    const raw = await RawData.restrict(key).fetch1<{ samples: unknown; sampling_rate: number }>({ attributes: ['samples', 'sampling_rate'] });
    if (!(raw.sampling_rate > 0)) {
      throw new Error(`recording ${key.subject_id}/${key.session_idx} has sampling_rate ${raw.sampling_rate} Hz: fix RawData first`);
    }
    const samples = toNumbers(raw.samples);
    await sleep(MAKE_MS);
    const rms = samples.length ? Math.sqrt(samples.reduce((a, v) => a + v * v, 0) / samples.length) : 0;
    await Quality.insert1({ ...key, duration_s: samples.length / raw.sampling_rate, rms });
  }
}

schema.register(Quality);

function toNumbers(v: unknown): number[] {
  if (Array.isArray(v)) return v.map(Number);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>, Number);
  if (v && typeof v === 'object' && 'data' in v) return toNumbers((v as { data: unknown }).data);
  return [];
}
