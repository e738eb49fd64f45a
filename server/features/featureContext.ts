// What every LSP feature is given: the workspace model, the file of a document uri (a
// notebook's cell gives the notebook), and what the client supports.
import type { ClientSupport } from '../capabilities';
import type { HostFile } from '../documents/hostFile';
import type { Project } from '../workspace/project';

export type FeatureContext = {
  project: Project;
  fileOf: (uri: string) => HostFile | undefined;
  support: () => ClientSupport;
};
