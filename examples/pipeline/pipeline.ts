// The TypeScript example pipeline: subjects, their sessions, raw recordings and a
// computed analysis with one part row per trial. The demo and the runtime tests use it.
//   import { createPipeline } from './examples/pipeline/pipeline';
//   const p = createPipeline('my_lab'); await p.schema.declare();
import * as dj from '../../runtime/index';

export function createPipeline(schemaName: string, options: dj.SchemaOptions = {}) {
  const schema = new dj.Schema(schemaName, options);

  class Subject extends dj.Manual {
    static override definition = `
      # Experimental subjects
      subject_id : int32          # unique subject id
      ---
      subject_name = "" : varchar(64)   # nickname
      sex = 'u' : enum('m', 'f', 'u')
      date_of_birth = null : date
      INDEX (subject_name)
    `;
  }

  class Method extends dj.Lookup {
    static override definition = `
      # Processing methods
      method : varchar(16)
      ---
      description : varchar(255)
      threshold = 0.5 : float64
    `;
    static override contents = [
      { method: 'mean', description: 'mean of the samples', threshold: 0.5 },
      { method: 'peak', description: 'largest sample', threshold: 1 },
    ];
  }

  class Session extends dj.Manual {
    static override definition = `
      # Recording sessions
      -> Subject
      session_idx : int16
      ---
      session_date : date
      operator = null : varchar(64)
      session_uuid = null : uuid
      UNIQUE INDEX (session_date, session_idx)
    `;
  }

  class RawData extends dj.Manual {
    static override definition = `
      # Raw samples of a session
      -> Session
      ---
      samples : <blob>
      sampling_rate : float32    # Hz
      recorded_at = CURRENT_TIMESTAMP : datetime
    `;
  }

  class ProcessedData extends dj.Computed {
    static override definition = `
      # Summary of a session's samples
      -> RawData
      -> Method
      ---
      result : float64
      n_samples : int64
    `;

    static Trial = class extends dj.Part {
      static override definition = `
        -> master
        trial_idx : int32
        ---
        value : float64
      `;
    };

    /** One row per (session, method), plus one Trial row per sample. */
    static override async make(key: dj.Row): Promise<void> {
      const raw = await RawData.restrict(key).fetch1<{ samples: unknown }>({ attributes: ['samples'] });
      const { method } = await Method.restrict(key).fetch1<{ method: string }>({ attributes: ['method'] });
      const samples = toNumbers(raw.samples);
      const result = samples.length === 0 ? 0 : method === 'peak' ? Math.max(...samples) : samples.reduce((a, b) => a + b, 0) / samples.length;
      await ProcessedData.insert1({ ...key, result, n_samples: BigInt(samples.length) });
      await ProcessedData.Trial.insert(samples.map((value, trial_idx) => ({ ...key, trial_idx, value })));
    }
  }

  schema.register(Subject, Method, Session, RawData, ProcessedData);
  return { schema, Subject, Method, Session, RawData, ProcessedData };
}

/** Samples as stored by either client: a JS array, a typed array or an NDArray. */
function toNumbers(v: unknown): number[] {
  if (Array.isArray(v)) return v.map(Number);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>, Number);
  if (v && typeof v === 'object' && 'data' in v) return toNumbers((v as { data: unknown }).data);
  if (typeof v === 'number') return [v];
  return [];
}

export type Pipeline = ReturnType<typeof createPipeline>;
