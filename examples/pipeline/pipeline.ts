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
      sex = 'U' : enum('M', 'F', 'U')
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
  }

  schema.register(Subject, Method, Session, RawData, ProcessedData);
  return { schema, Subject, Method, Session, RawData, ProcessedData };
}

export type Pipeline = ReturnType<typeof createPipeline>;
