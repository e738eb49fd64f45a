// Entry of a populate worker process when the runtime runs from sources (tsx); the CLI
// bundle uses its hidden `populate-worker` command instead.
import { runWorker } from './worker';

runWorker();
