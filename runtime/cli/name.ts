// The command line's name, declared once. Not `dj`: DataJoint for Python installs a console
// script `dj` (a REPL), and in an activated environment with DataJoint one would shadow the
// other (issue 11). Error lines start with the name, as Unix tools' do (`djx: …`); the
// extension reads the last such line as the reason a run did not start.
export const CLI_NAME = 'djx';
export const ERROR_PREFIX = `${CLI_NAME}: `;
